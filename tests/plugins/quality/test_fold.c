/* fold: the stop-word rule's case folding and its one-table lookup, against
 * utf8proc and against a binary search per list (what they replace).  A
 * wrong fold would change which documents the rule drops. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "fold.h"
#include "harness.h"

static fold_table table;

static void expect_fold(const char *s, size_t len)
{
    cv_buf b = {0};
    utf8proc_uint8_t *ref = NULL;
    utf8proc_ssize_t m =
        utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &ref,
                     UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD);
    int rc = fold_into(&table, s, len, &b);
    if (m < 0 ? rc != -1 : rc != 0 || b.len != (size_t)m || memcmp(b.p, ref, (size_t)m) || b.p[b.len])
        fail_msg("fold of %zu bytes <%.*s> differs from utf8proc's", len, (int)len, s);
    free(ref);
    buf_free(&b);
}

/* Every character alone, and every pair of characters the table folds (and
 * each of them next to every combining mark and ASCII byte): composition
 * would show there. */
static void test_against_utf8proc(void **st)
{
    (void)st;
    char s[16];
    size_t fast = 0;
    for (utf8proc_int32_t c = 1; c < 0x800; c++) {
        size_t n = (size_t)utf8proc_encode_char(c, (utf8proc_uint8_t *)s);
        expect_fold(s, n);
        fast += c >= 0x80 && table.len[c];
    }
    assert_true(fast > 1000); /* Latin, Greek, Cyrillic ... take the table */
    for (utf8proc_int32_t a = 1; a < 0x800; a++) {
        if (a >= 0x80 && !table.len[a])
            continue;
        size_t na = (size_t)utf8proc_encode_char(a, (utf8proc_uint8_t *)s);
        for (utf8proc_int32_t b = 1; b < 0x800; b++) {
            if (b >= 0x80 && !table.len[b] && !(b >= 0x300 && b < 0x370))
                continue;
            if (a >= 0x80 && b >= 0x80 && (a * 7 + b) % 13) /* a sample of the 2M pairs of two-byte ones */
                continue;
            size_t nb = (size_t)utf8proc_encode_char(b, (utf8proc_uint8_t *)s + na);
            expect_fold(s, na + nb);
        }
    }
    /* three-byte characters: alone, around letters and marks, and in sampled pairs */
    static const utf8proc_int32_t around[] = {'a', 'A', 0xE9, 0x3A3, 0x416, 0x301, 0x3099, 0x2026, 0x4E2D, 0xFF21};
    for (utf8proc_int32_t c = 0x800; c < 0x10000; c++) {
        if (c >= 0xD800 && c < 0xE000)
            continue;
        size_t n = (size_t)utf8proc_encode_char(c, (utf8proc_uint8_t *)s);
        expect_fold(s, n);
        int tabled = (fold_slot((unsigned)c) >= 0 && table.len[fold_slot((unsigned)c)]) ||
                     (table.cjk && c >= FOLD_CJK && c < FOLD_CJK_END);
        fast += tabled;
        if (!tabled || (c >= FOLD_CJK && c < FOLD_CJK_END && c % 61))
            continue;
        for (size_t k = 0; k < sizeof around / sizeof around[0]; k++) {
            size_t m = (size_t)utf8proc_encode_char(around[k], (utf8proc_uint8_t *)s);
            size_t nn = (size_t)utf8proc_encode_char(c, (utf8proc_uint8_t *)s + m);
            expect_fold(s, m + nn);
            m = (size_t)utf8proc_encode_char(c, (utf8proc_uint8_t *)s);
            nn = (size_t)utf8proc_encode_char(around[k], (utf8proc_uint8_t *)s + m);
            expect_fold(s, m + nn);
        }
    }
    assert_true(fast > 20000 + 1000);
    expect_fold("Straße", strlen("Straße"));
    expect_fold("ΣΟΦΊΑ", strlen("ΣΟΦΊΑ"));
    expect_fold("Е\xcc\x88ЛКА", strlen("Е\xcc\x88ЛКА")); /* decomposed: utf8proc composes it */
    expect_fold("한국어", strlen("한국어"));
    expect_fold("caf\xc3", 4); /* cut short: utf8proc refuses, so does the fold */
    expect_fold("a\0b", 3);
}

/* The count of distinct stop words per list, as a binary search per list gave it. */
static void test_index(void **st)
{
    (void)st;
    char *en[] = {"and", "of", "the"}, *bg[] = {"и", "на", "от"}, *de[] = {"der", "die", "the"};
    char **lists[] = {en, bg, de};
    size_t n[] = {3, 3, 3}, longest[] = {3, 4, 3};
    stop_index ix;
    stop_index_init(&ix, (char **const *)lists, n, longest, 3);
    const char *text = "The cat AND the dog ДВАМА на ОТ на Die Der der THE";
    qword *w = NULL;
    size_t cap = 0, nw = rep_words(text, strlen(text), &w, &cap);
    assert_int_equal(stop_index_best(&ix, &table, text, w, nw, 0, 1), 2); /* the, and */
    assert_int_equal(stop_index_best(&ix, &table, text, w, nw, 1, 2), 2); /* на, от */
    assert_int_equal(stop_index_best(&ix, &table, text, w, nw, 2, 3), 3); /* die, der, the */
    assert_int_equal(stop_index_best(&ix, &table, text, w, nw, 0, 3), 3);
    assert_int_equal(stop_index_best(&ix, &table, text, w, 0, 0, 3), 0);
    free(w);
    stop_index_free(&ix);
}

int main(void)
{
    fold_table_init(&table);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_utf8proc),
        cmocka_unit_test(test_index),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
