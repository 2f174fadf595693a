/* hint_set, against the plain loop it replaces (every word of every list
 * compared with the token: equal for a word of fewer than four bytes, a
 * prefix for a longer one), on random words and tokens over a small
 * alphabet, so that shared prefixes, words inside words and words of both
 * lists at one place in the trie are common; then the shipped hints on
 * tokens of the kind pages hold. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "hintset.h"

static uint64_t seed = 0x9E3779B97F4A7C15ull;

static unsigned rnd(unsigned n) { return (unsigned)(th_xorshift(&seed) % n); }

static unsigned plain(char *const *const lists[], const size_t counts[], size_t nlists, const char *tok, size_t k)
{
    unsigned found = 0;
    for (size_t l = 0; k && l < nlists; l++) /* hinted() skips empty tokens */
        for (size_t i = 0; i < counts[l]; i++) {
            size_t hl = strlen(lists[l][i]);
            if (hl < 4 ? hl == k && !memcmp(tok, lists[l][i], k) : hl <= k && !memcmp(tok, lists[l][i], hl))
                found |= 1u << l;
        }
    return found;
}

static void random_word(char *w, size_t max, const char *alphabet)
{
    size_t n = rnd((unsigned)max + 1), a = strlen(alphabet); /* 0 now and then: an empty word names nothing */
    for (size_t i = 0; i < n; i++)
        w[i] = alphabet[rnd((unsigned)a)];
    w[n] = '\0';
}

static void test_random(void **state)
{
    (void)state;
    static const char *const alphabets[] = {"ab", "abc", "ab1\xc3", "abcdefghijklmnopqrstuvwxyz0123456789"};
    for (int round = 0; round < 400; round++) {
        const char *alphabet = alphabets[round % 4];
        size_t nlists = 1 + rnd(3), counts[3];
        char **words[3];
        for (size_t l = 0; l < nlists; l++) {
            counts[l] = rnd(40);
            words[l] = calloc(counts[l] + 1, sizeof *words[l]);
            for (size_t i = 0; i < counts[l]; i++) {
                words[l][i] = malloc(10);
                random_word(words[l][i], 9, alphabet);
            }
        }
        char *const *const lists[] = {words[0], nlists > 1 ? words[1] : NULL, nlists > 2 ? words[2] : NULL};
        hint_set *s = hint_set_new(lists, counts, nlists);
        assert_non_null(s);
        for (int t = 0; t < 2000; t++) {
            char tok[16];
            random_word(tok, 12, alphabet);
            size_t k = strlen(tok);
            if (hint_set_match(s, tok, k) != plain(lists, counts, nlists, tok, k))
                fail_msg("round %d: token \"%s\": %u, the loop says %u", round, tok, hint_set_match(s, tok, k),
                         plain(lists, counts, nlists, tok, k));
        }
        hint_set_free(s);
        for (size_t l = 0; l < nlists; l++) {
            for (size_t i = 0; i < counts[l]; i++)
                free(words[l][i]);
            free(words[l]);
        }
    }
}

static void test_shipped_words(void **state)
{
    (void)state;
    char *neg[] = {"comment", "ad", "ads", "nav", "navbar", "share", "sharing"}, *pos[] = {"article", "content"};
    char *const *const lists[] = {neg, pos};
    const size_t counts[] = {7, 2};
    hint_set *s = hint_set_new(lists, counts, 2);
    static const struct {
        const char *tok;
        unsigned want;
    } cases[] = {
        {"comment", 1}, {"comments", 1}, {"commen", 0}, {"ad", 1},       {"ads", 1},     {"adsense", 0},
        {"add", 0},     {"a", 0},        {"nav", 1},    {"navigation", 0}, {"navbar2", 1}, {"sharingbox", 1},
        {"article", 2}, {"articles", 2}, {"contents", 2}, {"main", 0},   {"", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (hint_set_match(s, cases[i].tok, strlen(cases[i].tok)) != cases[i].want)
            fail_msg("\"%s\": want %u", cases[i].tok, cases[i].want);
    hint_set_free(s);
    assert_int_equal(hint_set_match(NULL, "ad", 2), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_shipped_words), cmocka_unit_test(test_random)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
