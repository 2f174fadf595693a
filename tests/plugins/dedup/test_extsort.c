/* extsort: whatever the record size, the keys' spread, the input's order
 * and the budget (spilling or not), the records come out as qsort by the
 * same comparison puts them, every one once; sorted files merge in. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "extsort.h"
#include "harness.h"

static size_t rec_size; /* the comparison sees the whole record: a total order, so one right answer */

static int cmp_whole(const void *a, const void *b)
{
    uint64_t x[2], y[2];
    memcpy(x, a, 16);
    memcpy(y, b, 16);
    for (int i = 0; i < 2; i++)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return memcmp((const char *)a + 16, (const char *)b + 16, rec_size - 16);
}

/* n records: first key from `spread1` values, second from `spread2` (0: wide),
 * second keys ascending when `ordered`, the rest random. */
static unsigned char *make(size_t n, uint64_t spread1, uint64_t spread2, int ordered, uint64_t *seed)
{
    unsigned char *v = malloc(n * rec_size);
    for (size_t i = 0; i < n; i++) {
        uint64_t k[2] = {th_xorshift(seed) % spread1, spread2 ? th_xorshift(seed) % spread2 : th_xorshift(seed)};
        if (ordered)
            k[1] = i / 3; /* runs of equal second keys, ascending */
        memcpy(v + i * rec_size, k, 16);
        for (size_t j = 16; j < rec_size; j++)
            v[i * rec_size + j] = (unsigned char)(th_xorshift(seed) & 3); /* few values: ties reach the rest */
    }
    return v;
}

static void check_sort(size_t size, size_t n, uint64_t spread1, uint64_t spread2, int ordered, size_t budget,
                       int expect_spill)
{
    rec_size = size;
    uint64_t seed = 0x9E3779B97F4A7C15ull ^ (size * 131 + n + spread1 + (uint64_t)ordered);
    unsigned char *v = make(n, spread1, spread2, ordered, &seed);
    char dir[] = "/tmp/test-extsort-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%s/runs", dir);
    extsort *s = extsort_new(size, cmp_whole, budget, tmp);
    for (size_t i = 0; i < n; i += 1000) /* one at a time and in blocks */
        assert_int_equal(i % 2000 ? extsort_add_many(s, v + i * size, n - i < 1000 ? n - i : 1000)
                                  : (extsort_add(s, v + i * size) ||
                                     extsort_add_many(s, v + (i + 1) * size, n - i - 1 < 999 ? n - i - 1 : 999)),
                         0);
    assert_int_equal(extsort_done(s), 0);
    if (expect_spill)
        assert_true(extsort_spills(s) > 0);
    else
        assert_int_equal(extsort_spills(s), 0);
    qsort(v, n, size, cmp_whole);
    size_t got = 0;
    const unsigned char *r;
    while ((r = extsort_next(s))) {
        assert_true(got < n);
        assert_memory_equal(r, v + got * size, size);
        got++;
    }
    assert_null(extsort_error(s));
    assert_int_equal(got, n);
    extsort_free(s);
    assert_int_equal(rmdir(tmp) == 0 || access(tmp, F_OK) != 0, 1); /* the runs are removed with it */
    rmdir(dir);
    free(v);
}

static void test_sizes_and_spreads(void **st)
{
    (void)st;
    size_t sizes[] = {16, 24, 32, 40, 48};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        check_sort(sizes[i], 20000, UINT64_MAX, 0, 0, 64u << 20, 0); /* wide keys, in memory */
        check_sort(sizes[i], 20000, 7, 5, 0, 64u << 20, 0);          /* a few values: long ties */
        check_sort(sizes[i], 20000, 1000, 0, 1, 64u << 20, 0);       /* second key already in order */
        check_sort(sizes[i], 100, 3, 3, 0, 64u << 20, 0);            /* small: the comparison sort */
    }
}

static void test_spills(void **st)
{
    (void)st;
    /* A budget of 64 KiB holds 1024 records at most: dozens of runs merged. */
    check_sort(24, 50000, UINT64_MAX, 0, 0, 64u << 10, 1);
    check_sort(32, 50000, 50, 0, 1, 64u << 10, 1);
    check_sort(40, 50000, 5, 5, 0, 64u << 10, 1);
}

static void test_sorted_files(void **st)
{
    (void)st;
    rec_size = 32;
    uint64_t seed = 42;
    size_t n = 5000;
    unsigned char *a = make(n, 100, 0, 0, &seed), *b = make(n, 100, 0, 0, &seed);
    qsort(a, n, rec_size, cmp_whole);
    char dir[] = "/tmp/test-extsort-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64], tmp[64];
    snprintf(path, sizeof path, "%s/sorted.bin", dir);
    snprintf(tmp, sizeof tmp, "%s/runs", dir);
    FILE *f = fopen(path, "wb");
    assert_int_equal(fwrite(a, rec_size, n, f), n);
    fclose(f);
    extsort *s = extsort_new(rec_size, cmp_whole, 64u << 10, tmp);
    assert_int_equal(extsort_add_sorted(s, path), 0);
    assert_int_equal(extsort_add_many(s, b, n), 0);
    assert_int_equal(extsort_done(s), 0);
    unsigned char *all = malloc(2 * n * rec_size);
    memcpy(all, a, n * rec_size);
    memcpy(all + n * rec_size, b, n * rec_size);
    qsort(all, 2 * n, rec_size, cmp_whole);
    size_t got = 0;
    const unsigned char *r;
    while ((r = extsort_next(s)))
        assert_memory_equal(r, all + got++ * rec_size, rec_size);
    assert_int_equal(got, 2 * n);
    extsort_free(s);
    assert_int_equal(access(path, F_OK), 0); /* a file it was given is read, never removed */
    unlink(path);
    rmdir(tmp);
    rmdir(dir);
    free(a);
    free(b);
    free(all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes_and_spreads),
        cmocka_unit_test(test_spills),
        cmocka_unit_test(test_sorted_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
