/* repetition: the n-gram measures of rep_measure (a short text's one table,
 * a long text's classes counted in parts) against sorting every n-gram's
 * string.  Words that concatenate alike across other boundaries ("ab"+"a",
 * "a"+"ba") test "".join equality, where the words' hashes must combine
 * into the concatenation's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "repetition.h"

typedef struct gram {
    char *s;
    size_t at;
} gram;

static int cmp_gram(const void *a, const void *b)
{
    const gram *x = a, *y = b;
    int c = strcmp(x->s, y->s);
    return c ? c : (x->at > y->at) - (x->at < y->at);
}

/* cls[i]: a number per distinct string of the n-gram at word i, joined by `sep` (a space or nothing). */
static void classes(const char *s, const qword *w, size_t nw, size_t n, const char *sep, size_t *cls)
{
    size_t grams = nw - n + 1;
    gram *g = malloc(grams * sizeof *g);
    assert_non_null(g);
    for (size_t i = 0; i < grams; i++) {
        size_t len = 0;
        for (size_t k = i; k < i + n; k++)
            len += w[k].len + 1;
        g[i].s = malloc(len + 1);
        g[i].at = i;
        char *o = g[i].s;
        for (size_t k = i; k < i + n; k++)
            o += sprintf(o, "%s%.*s", k > i ? sep : "", (int)w[k].len, s + w[k].off);
    }
    qsort(g, grams, sizeof *g, cmp_gram);
    for (size_t i = 0, c = 0; i < grams; i++) {
        c += i && strcmp(g[i - 1].s, g[i].s);
        cls[g[i].at] = c;
    }
    for (size_t i = 0; i < grams; i++)
        free(g[i].s);
    free(g);
}

/* The most common " ".join n-gram's characters times its count (the first seen among equals). */
static size_t ref_top(const char *s, const qword *w, size_t nw, size_t n)
{
    if (nw < n)
        return 0;
    size_t grams = nw - n + 1, *cls = malloc(grams * sizeof *cls), *cnt = calloc(grams, sizeof *cnt), best = 0;
    classes(s, w, nw, n, " ", cls);
    for (size_t i = 0; i < grams; i++)
        cnt[cls[i]]++;
    for (size_t i = 1; i < grams; i++)
        best = cnt[cls[i]] > cnt[cls[best]] ? i : best;
    size_t chars = n - 1;
    for (size_t k = best; k < best + n; k++)
        chars += w[k].len;
    chars *= cnt[cls[best]];
    free(cls);
    free(cnt);
    return chars;
}

/* Characters of "".join n-grams seen before, skipping past each. */
static size_t ref_dup(const char *s, const qword *w, size_t nw, size_t n)
{
    if (nw < n)
        return 0;
    size_t grams = nw - n + 1, *cls = malloc(grams * sizeof *cls), repeated = 0;
    char *seen = calloc(grams, 1);
    classes(s, w, nw, n, "", cls);
    for (size_t i = 0; i < grams;) {
        if (seen[cls[i]]) {
            for (size_t k = i; k < i + n; k++)
                repeated += w[k].len;
            i += n;
        } else {
            seen[cls[i]] = 1;
            i++;
        }
    }
    free(cls);
    free(seen);
    return repeated;
}

/* A text of `words` words drawn from a few that concatenate alike; `vocab`
 * of them, so that a smaller one repeats n-grams more often. */
static char *text_of(size_t words, size_t vocab, unsigned seed)
{
    static const char *const pick[] = {"a", "ab", "ba", "b", "aba", "bab", "abab", "c", "ca", "ac", "bc", "cab"};
    char *t = malloc(words * 6 + 1), *o = t;
    srand(seed);
    for (size_t i = 0; i < words; i++)
        o += sprintf(o, "%s%s", i ? (rand() % 7 ? " " : "\n") : "", pick[(size_t)rand() % vocab]);
    return t;
}

static void expect_measures(size_t words, size_t vocab, unsigned seed)
{
    char *s = text_of(words, vocab, seed);
    size_t len = strlen(s), cap = 0;
    qword *w = NULL;
    size_t nw = rep_words(s, len, &w, &cap);
    assert_int_equal(nw, words);
    rep_scratch sc = {0};
    repetition r;
    rep_measure(s, len, len, w, nw, &sc, &r);
    for (size_t n = REP_TOP_MIN; n <= REP_TOP_MAX; n++)
        if (r.top_gram[n - REP_TOP_MIN] != (double)ref_top(s, w, nw, n) / (double)len)
            fail_msg("%zu words of %zu: top %zu-gram %g, expected %g", words, vocab, n, r.top_gram[n - REP_TOP_MIN],
                     (double)ref_top(s, w, nw, n) / (double)len);
    for (size_t n = REP_DUP_MIN; n <= REP_DUP_MAX; n++)
        if (r.dup_gram[n - REP_DUP_MIN] != (double)ref_dup(s, w, nw, n) / (double)len)
            fail_msg("%zu words of %zu: dup %zu-gram %g, expected %g", words, vocab, n, r.dup_gram[n - REP_DUP_MIN],
                     (double)ref_dup(s, w, nw, n) / (double)len);
    rep_scratch_free(&sc);
    free(w);
    free(s);
}

/* Short texts (one table) and long ones (past 16384 words: parts), each of
 * few and of many distinct n-grams; the scratch is reused as a step does. */
static void test_against_sorting(void **st)
{
    (void)st;
    const size_t sizes[] = {1, 4, 11, 300, 5000, 40000};
    const size_t vocabs[] = {2, 5, 12};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
        for (size_t v = 0; v < sizeof vocabs / sizeof *vocabs; v++)
            expect_measures(sizes[i], vocabs[v], (unsigned)(i * 31 + v));
}

/* datatrove's find_duplicates over s[from, to) split at runs of at least
 * min_run newlines, piece by piece against every earlier one: how many
 * repeat one, and their characters (ASCII here: bytes). */
static void ref_pieces(const char *s, size_t from, size_t to, size_t min_run, size_t *n, size_t *dups, size_t *chars)
{
    size_t cap = to - from + 1, *a = malloc(cap * sizeof *a), *b = malloc(cap * sizeof *b), at = from;
    *n = *dups = *chars = 0;
    for (size_t i = from; i <= to;) {
        size_t run = 0;
        while (i + run < to && s[i + run] == '\n')
            run++;
        if (i == to || run >= min_run) {
            a[*n] = at, b[(*n)++] = i;
            i += run ? run : 1;
            at = i;
        } else {
            i += run ? run : 1;
        }
    }
    for (size_t k = 0; k < *n; k++)
        for (size_t j = 0; j < k; j++)
            if (b[j] - a[j] == b[k] - a[k] && !memcmp(s + a[j], s + a[k], b[k] - a[k])) {
                ++*dups;
                *chars += b[k] - a[k];
                break;
            }
    free(a);
    free(b);
}

/* Blank lines, then `lines` lines of one to three words of few, so that
 * lines and paragraphs repeat, parted by one to three line breaks, then
 * a space and a line break: " \n\n \n" plus the lines. */
static char *lines_of(size_t lines, unsigned seed)
{
    static const char *const pick[] = {"a", "b", "ab"};
    char *t = malloc(lines * 12 + 8), *o = t;
    srand(seed);
    o += sprintf(o, "\n\n ");
    for (size_t i = 0; i < lines; i++) {
        o += sprintf(o, "%s%s", i ? (rand() % 2 ? "\n" : rand() % 2 ? "\n\n" : "\n\n\n") : "", pick[rand() % 3]);
        for (int k = rand() % 3; k > 0; k--)
            o += sprintf(o, " %s", pick[rand() % 3]);
    }
    sprintf(o, " \n");
    return t;
}

/* Lines and paragraphs repeated, against the reference: texts of many
 * lines, then few, then many again, through one scratch (its piece buffers
 * are sized to the text's line breaks and kept), with blank runs at both
 * ends (stripped for paragraphs only). */
static void test_lines_paragraphs(void **st)
{
    (void)st;
    rep_scratch sc = {0};
    const size_t sizes[] = {3000, 10, 1200, 1};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        char *s = lines_of(sizes[i], (unsigned)(100 + i));
        size_t len = strlen(s), cap = 0, n, dups, chars;
        qword *w = NULL;
        size_t nw = rep_words(s, len, &w, &cap);
        repetition r;
        rep_measure(s, len, len, w, nw, &sc, &r);
        ref_pieces(s, 0, len, 1, &n, &dups, &chars);
        assert_true(n <= rep_lines_bound(s, len));
        assert_true(r.dup_line_frac == (double)dups / (double)n);
        assert_true(r.dup_line_char_frac == (double)chars / (double)len);
        ref_pieces(s, 3, len - 2, 2, &n, &dups, &chars); /* stripped: the blank run and spaces at the ends */
        assert_true(r.dup_para_frac == (double)dups / (double)n);
        assert_true(r.dup_para_char_frac == (double)chars / (double)len);
        free(w);
        free(s);
    }
    rep_scratch_free(&sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_sorting),
        cmocka_unit_test(test_lines_paragraphs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
