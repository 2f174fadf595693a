/* The html step's arena (plugins/html/arena.c), built here with 8 MiB
 * slots: libxml2's allocations inside arena_begin/arena_end come from it,
 * keep their contents through realloc, survive xmlFree until the reset,
 * and what does not fit spills to malloc (freed as usual: the sanitizers
 * and valgrind see it); outside, and once the last arena is gone, libxml2
 * has its own allocator back.  A page parsed in an arena is the page
 * parsed without one. */
#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/xmlmemory.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "harness.h"

static void fill(void *p, size_t n, unsigned char v) { memset(p, v, n); }

static int filled(const void *p, size_t n, unsigned char v)
{
    for (size_t i = 0; i < n; i++)
        if (((const unsigned char *)p)[i] != v)
            return 0;
    return 1;
}

static void test_blocks(void **state)
{
    (void)state;
    arena *a = arena_new();
    assert_non_null(a);
    arena_begin(a);
    char *p = xmlMalloc(10), *q = xmlMalloc(100);
    assert_non_null(p);
    assert_non_null(q);
    assert_true((uintptr_t)p % 16 == 0 && (uintptr_t)q % 16 == 0);
    assert_true(q >= p + 10 || q + 100 <= p);
    fill(p, 10, 0xA1);
    fill(q, 100, 0xB2);
    char *q2 = xmlRealloc(q, 300000); /* the newest block grows where it is */
    assert_ptr_equal(q2, q);
    assert_true(filled(q2, 100, 0xB2));
    fill(q2, 300000, 0xB3);
    char *p2 = xmlRealloc(p, 64); /* an older one moves, with its bytes */
    assert_ptr_not_equal(p2, p);
    assert_true(filled(p2, 10, 0xA1));
    assert_true(filled(q2, 300000, 0xB3));
    assert_ptr_equal(xmlRealloc(p2, 5), p2); /* shrinking keeps the block */
    char *d = xmlMemStrdup("abc");
    assert_string_equal(d, "abc");
    xmlFree(d); /* a no-op: nothing breaks, nothing is freed twice */
    xmlFree(q2);
    assert_int_equal(arena_end(a), 0);
    arena_reset(a);
    arena_begin(a); /* after a reset the arena starts over */
    char *again = xmlMalloc(10);
    assert_ptr_equal(again, p);
    assert_int_equal(arena_end(a), 0);
    arena_reset(a);
    arena_free(a);
}

static void test_spill(void **state)
{
    (void)state;
    arena *a = arena_new();
    assert_non_null(a);
    arena_begin(a);
    char *small = xmlMalloc(1000);
    char *big = xmlMalloc((size_t)9 << 20); /* more than the slot: from malloc */
    assert_non_null(big);
    fill(big, (size_t)9 << 20, 7);
    char *grown = xmlRealloc(small, (size_t)12 << 20); /* no room to grow: moves to malloc */
    assert_non_null(grown);
    assert_int_equal(arena_end(a), 1);
    xmlFree(big); /* freed by the C library: a leak or a double free would show */
    xmlFree(grown);
    arena_reset(a);
    arena_begin(a);
    assert_int_equal(arena_end(a), 0); /* spilling is counted per begin */
    arena_free(a);
}

static void test_outside(void **state)
{
    (void)state;
    xmlFreeFunc f0;
    xmlMallocFunc m0;
    xmlReallocFunc r0;
    xmlStrdupFunc s0;
    xmlMemGet(&f0, &m0, &r0, &s0);
    arena *a = arena_new(), *b = arena_new();
    assert_non_null(a);
    assert_non_null(b);
    char *p = xmlMalloc(32); /* no arena begun on this thread: malloc's */
    arena_begin(a);
    char *in = xmlMalloc(32);
    arena_end(a);
    assert_true(p + 32 <= in || in + 32 <= p);
    p = xmlRealloc(p, 1 << 20);
    xmlFree(p);
    arena_reset(a);
    arena_free(a);
    xmlFreeFunc f1;
    xmlMemGet(&f1, NULL, NULL, NULL);
    assert_ptr_not_equal(f1, f0); /* b is still there */
    arena_free(b);
    xmlMallocFunc m1;
    xmlReallocFunc r1;
    xmlStrdupFunc s1;
    xmlMemGet(&f1, &m1, &r1, &s1);
    assert_true(f1 == f0 && m1 == m0 && r1 == r0 && s1 == s0);
}

static const char page[] = "<!doctype html><html lang=bg><head><title>T &amp; t</title></head><body>"
                           "<div class='a b' id=x><p>One, two<br>three &eacute;<p>four<ul><li>x<li>y</ul>"
                           "<table><tr><td>c<td>d</table><!-- c --><script>if (a < b) x()</script></body></html>";

static char *dump(void)
{
    htmlDocPtr d = htmlReadMemory(page, (int)sizeof page - 1, NULL, "UTF-8",
                                  HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
    assert_non_null(d);
    xmlChar *out = NULL;
    int n = 0;
    htmlDocDumpMemory(d, &out, &n);
    char *copy = strndup((const char *)out, (size_t)n);
    xmlFree(out);
    xmlFreeDoc(d);
    return copy;
}

static void test_same_tree(void **state)
{
    (void)state;
    char *plain = dump();
    arena *a = arena_new();
    assert_non_null(a);
    for (int i = 0; i < 3; i++) {
        arena_begin(a);
        char *in = dump();
        assert_int_equal(arena_end(a), 0);
        arena_reset(a);
        assert_string_equal(in, plain);
        free(in);
    }
    arena_free(a);
    free(plain);
}

static void *worker(void *arg)
{
    unsigned char v = (unsigned char)(uintptr_t)arg;
    arena *a = arena_new();
    if (!a)
        return (void *)1;
    uintptr_t bad = 0;
    for (int round = 0; round < 50; round++) {
        arena_begin(a);
        char *p[64];
        for (int i = 0; i < 64; i++) {
            p[i] = xmlMalloc((size_t)i * 7 + 1);
            fill(p[i], (size_t)i * 7 + 1, v);
        }
        for (int i = 0; i < 64; i++)
            bad += !filled(p[i], (size_t)i * 7 + 1, v);
        bad += (uintptr_t)arena_end(a);
        arena_reset(a);
    }
    arena_free(a);
    return (void *)bad;
}

static void test_threads(void **state)
{
    (void)state;
    pthread_t t[4];
    for (uintptr_t i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, worker, (void *)(i + 1)), 0);
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(t[i], &r);
        assert_null(r);
    }
}

int main(void)
{
    xmlInitParser();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blocks),   cmocka_unit_test(test_spill),   cmocka_unit_test(test_outside),
        cmocka_unit_test(test_same_tree), cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
