/* dedup's LSH index (lsh.c): its slots keep only a key's high 32 bits, yet
 * it counts and finds exactly what a table of whole keys would, through
 * growth, with held places and kept documents under colliding tags, in
 * bands of their own. */
#include <stdint.h>
#include <stdlib.h>

#include "harness.h"
#include "lsh.h"

/* A model of the kept documents: doc's key in every band is keys[doc]
 * (the plugin recomputes it from the document's signature). */
typedef struct model {
    uint64_t keys[4096];
    size_t asked;
    uint32_t found[4096];
    size_t nfound;
} model;

static int member(void *arg, size_t band, uint32_t doc, uint64_t key)
{
    model *m = arg;
    (void)band;
    m->asked++;
    if (m->keys[doc] != key)
        return 0;
    m->found[m->nfound++] = doc;
    return 1;
}

/* Keys with the same high bits (the tag), unlike low ones: every place an
 * entry can take collides with every other. */
static uint64_t key_of(uint32_t tag, uint32_t low) { return (uint64_t)tag << 32 | low | 1; }

static void test_colliding_tags_are_apart(void **s)
{
    (void)s;
    lsh l;
    lsh_init(&l, 2);
    model m = {0};
    lsh_spot spot;
    uint64_t a = key_of(7, 100), b = key_of(7, 200), c = key_of(7, 300);
    for (int i = 0; i < 3; i++) { /* held places under a, up to the cap of 2 */
        lsh_reserve(&l);
        lsh_find(&l, 0, a, member, &m, &spot);
        assert_int_equal(spot.same, i < 2 ? i : 2);
        lsh_enter(&l, 0, a, UINT32_MAX, &spot, 2);
    }
    lsh_reserve(&l); /* b shares a's tag: a's full bucket is not b's */
    lsh_find(&l, 0, b, member, &m, &spot);
    assert_int_equal(spot.same, 0);
    m.keys[5] = b;
    lsh_enter(&l, 0, b, 5, &spot, 2);
    lsh_find(&l, 0, c, member, &m, &spot); /* c: the kept document under the tag is asked, and is not c's */
    assert_int_equal(spot.same, 0);
    assert_int_equal(m.asked, 1);
    assert_int_equal(m.nfound, 0);
    lsh_find(&l, 0, b, member, &m, &spot);
    assert_int_equal(spot.same, 1);
    assert_int_equal(m.nfound, 1);
    assert_int_equal(m.found[0], 5);
    lsh_find(&l, 1, b, member, &m, &spot); /* another band, another table */
    assert_int_equal(spot.same, 0);
    lsh_free(&l);
}

/* Many documents under few keys, all tags alike in their low bits (one
 * home in every table size): after every growth each key counts exactly
 * its entries up to the cap, and the kept ones are found. */
static void test_counts_through_growth(void **s)
{
    (void)s;
    enum { DOCS = 3000, KEYS = 37, CAP = 40 };
    lsh l;
    lsh_init(&l, 3);
    model *m = calloc(1, sizeof *m);
    size_t want[3][KEYS] = {{0}};
    uint64_t seed = 1;
    for (uint32_t doc = 0; doc < DOCS; doc++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        size_t k = (size_t)(seed >> 40) % KEYS;
        uint64_t key = key_of((uint32_t)(k % 3) << 20, (uint32_t)k << 8); /* three tags for 37 keys */
        int kept = (seed >> 20) % 3 != 0;
        m->keys[doc] = kept ? key : 0;
        lsh_reserve(&l);
        for (size_t b = 0; b < 3; b++) {
            lsh_spot spot;
            m->nfound = 0;
            lsh_find(&l, b, key, member, m, &spot);
            assert_int_equal(spot.same, want[b][k]);
            lsh_enter(&l, b, key, kept ? doc : UINT32_MAX, &spot, CAP);
            want[b][k] += want[b][k] < CAP;
        }
    }
    assert_true(l.cap >= DOCS * 4 / 3);
    assert_int_equal(sizeof *l.slot, 8); /* the point of the index: half the bytes of a whole key and a number */
    free(m);
    lsh_free(&l);
}

/* Past 2 MB the table is mapped on its own (huge pages, faulted in at
 * once): every entry is still there after growing into and within it. */
static void test_mapped_tables(void **s)
{
    (void)s;
    enum { BANDS = 64, DOCS = 7000 };
    lsh l;
    lsh_init(&l, BANDS);
    uint64_t *keys = malloc(DOCS * sizeof *keys), x = 3;
    model *m = calloc(1, sizeof *m);
    for (uint32_t doc = 0; doc < DOCS; doc++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        keys[doc] = (x ^ (x >> 31)) | 1;
        lsh_reserve(&l);
        for (size_t b = 0; b < BANDS; b++) {
            lsh_spot spot;
            lsh_find(&l, b, keys[doc] + b * 2, member, m, &spot);
            lsh_enter(&l, b, keys[doc] + b * 2, UINT32_MAX, &spot, 0);
        }
    }
    assert_true(l.bands * l.cap * sizeof *l.slot >= (size_t)4 << 20);
    for (uint32_t doc = 0; doc < DOCS; doc++)
        for (size_t b = 0; b < BANDS; b += 7) {
            lsh_spot spot;
            lsh_find(&l, b, keys[doc] + b * 2, member, m, &spot);
            assert_int_equal(spot.same, 1);
        }
    assert_int_equal(m->asked, 0);
    free(keys);
    free(m);
    lsh_free(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_colliding_tags_are_apart),
        cmocka_unit_test(test_counts_through_growth),
        cmocka_unit_test(test_mapped_tables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
