/* Word counting, against a reference written the slow, obvious way: decode
 * every character, split on white space (ASCII and Unicode Zs but for the
 * Cyrillic block's), count the tokens that hold a letter or digit.  Random
 * texts of ASCII and Cyrillic only take the sixteen-bytes-at-a-time path;
 * others mix in what sends it back to one character at a time. */
#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <utf8proc.h>

#include "harness.h"
#include "text.h"
#include "util.h"

static size_t reference(const char *s, size_t len, size_t max)
{
    size_t w = 0;
    int in = 0, alnum = 0;
    for (size_t i = 0; i <= len;) {
        utf8proc_int32_t cp = ' ';
        if (i == len)
            i++;
        else
            i += (size_t)utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i), &cp);
        utf8proc_category_t cat = utf8proc_category(cp);
        if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' ||
            (cp >= 0xA0 && !(cp >= 0x400 && cp < 0x530) && cat == UTF8PROC_CATEGORY_ZS)) {
            if (in && alnum && ++w == max)
                return w;
            in = alnum = 0;
            continue;
        }
        in = 1;
        if (cp < 0x80)
            alnum |= isalnum(cp) != 0;
        else
            alnum |= (cp >= 0x400 && cp < 0x482) || (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO);
    }
    return w;
}

static void test_count_words(void **state)
{
    (void)state;
    static const char *const simple[] = {"a", "Z", "5", " ", "  ", "\t", "\n", "\r", "-", ".", ",", "\"", "_", "()",
                                         "e-mail", "10.5", "\xd0\xbe", "\xd0\x81", "\xd1\x8f", "\xd1\xbf", "\x01"};
    static const char *const other[] = {"\xc2\xab", "\xc2\xa0" /* NBSP */, "\xe2\x80\x83" /* em space */,
                                        "\xe2\x80\x9e", "\xd2\x82" /* U+0482, no letter */, "\xc3\xa9",
                                        "\xf0\x9f\x98\x80", "...", "\xe3\x80\x80" /* ideographic space */};
    const char *pieces[sizeof simple / sizeof *simple + sizeof other / sizeof *other];
    memcpy(pieces, simple, sizeof simple);
    memcpy(pieces + sizeof simple / sizeof *simple, other, sizeof other);
    static const size_t maxes[] = {1, 2, 3, 13, SIZE_MAX, 0};
    uint64_t seed = 5;
    char text[700];
    for (int round = 0; round < 40000; round++) {
        size_t npieces = round % 2 ? sizeof simple / sizeof *simple : sizeof pieces / sizeof *pieces;
        size_t len = th_random_text(&seed, pieces, npieces, 120, text, sizeof text);
        size_t max = maxes[round % (sizeof maxes / sizeof *maxes)];
        size_t got = count_words_max(text, len, max), want = reference(text, len, max);
        if (got != want)
            fail_msg("round %d, max %zu: \"%s\": %zu words, want %zu", round, max, text, got, want);
    }
    assert_int_equal(count_words("", 0), 0);
    assert_int_equal(count_words("- \xd0\xbe\xd0\xba, 12 ...", 15), 2);
}

/* count_words_flags(WORDS_PY_SPLIT | WORDS_HAN_KANA), against quality's
 * line rule as it was written before the kit served it: Python's
 * str.split() words, a Han or kana letter a word by itself. */
static size_t reference_split(const char *s, size_t len, size_t max)
{
    size_t words = 0;
    int after_space = 1;
    for (size_t i = 0; i < len && words < max;) {
        utf8proc_int32_t cp;
        i += (size_t)utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i), &cp);
        utf8proc_category_t cat = utf8proc_category(cp);
        int space = (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20) || cp == 0x85 || cp == 0xA0 ||
                    cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
                    cp == 0x205F || cp == 0x3000;
        if (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO &&
            ((cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x4E00 && cp <= 0x9FFF))) {
            words++;
            after_space = 1;
            continue;
        }
        words += !space && after_space;
        after_space = space;
    }
    return words < max ? words : max;
}

static void test_count_split_words(void **state)
{
    (void)state;
    static const char *const pieces[] = {"a", "5", " ", "\t", "\n", "\x0b", "\x1c", "-", ".", "e-mail",
                                         "\xd0\xbe", "\xc2\x85" /* NEL */, "\xc2\xa0", "\xe2\x80\x83",
                                         "\xe3\x80\x80", "\xe6\xbc\xa2" /* Han */, "\xe3\x81\x8b" /* kana */,
                                         "\xe3\x83\xbb" /* katakana middle dot: no letter */, "\xe3\x80\x82",
                                         "\xc3\xa9", "\xe2\x80\x94" /* em dash */};
    static const size_t maxes[] = {1, 2, 3, 13, SIZE_MAX};
    uint64_t seed = 9;
    char text[700];
    for (int round = 0; round < 40000; round++) {
        size_t len = th_random_text(&seed, pieces, sizeof pieces / sizeof *pieces, 120, text, sizeof text);
        size_t max = maxes[round % (sizeof maxes / sizeof *maxes)];
        size_t got = count_words_flags(text, len, max, WORDS_PY_SPLIT | WORDS_HAN_KANA);
        size_t want = reference_split(text, len, max);
        if (got != want)
            fail_msg("round %d, max %zu: \"%s\": %zu words, want %zu", round, max, text, got, want);
    }
}

/* A sentence end inside the text: ". ", "! " or "? " and then a capital. */
static int reference_inner(const char *s, size_t len)
{
    for (size_t i = 0; i + 2 < len; i++) {
        utf8proc_int32_t cp;
        if (strchr(".!?", s[i]) && s[i] && s[i + 1] == ' ' &&
            utf8proc_iterate((const utf8proc_uint8_t *)s + i + 2, (utf8proc_ssize_t)(len - i - 2), &cp) > 0 &&
            utf8proc_category(cp) == UTF8PROC_CATEGORY_LU)
            return 1;
    }
    return 0;
}

static void test_inner_sentence_end(void **state)
{
    (void)state;
    static const char *const pieces[] = {"a", "b", "A", " ", ".", "!", "?", ",", "\xd0\x91" /* Б */, "\xd0\xb1",
                                         "\xc3\x89" /* É */, "1", "\n", "word ", "and so on "};
    uint64_t seed = 9;
    char text[400];
    size_t hits = 0;
    for (int round = 0; round < 40000; round++) {
        /* Mostly quiet texts, so that positions of a rare hit vary. */
        size_t len = th_random_text(&seed, pieces, round % 4 ? 3 : sizeof pieces / sizeof *pieces, 80, text,
                                    sizeof text);
        if (round % 8 == 1 && len > 3) { /* a hit at a random place */
            size_t at = seed % (len - 2);
            memcpy(text + at, ". A", 3);
        }
        int got = has_inner_sentence_end(text, len), want = reference_inner(text, len);
        hits += (size_t)want;
        if (got != want)
            fail_msg("round %d: \"%s\": %d, want %d", round, text, got, want);
    }
    assert_true(hits > 5000);
}

/* The stretch a JSON string writes as it is, against a byte at a time:
 * every length and alignment, with the bytes on either side of each edge
 * (0x1f/0x20, 0x21/0x22/0x23, 0x5b/0x5c/0x5d, 0x7f/0x80, 0xa2, 0xdc, 0xff). */
static void test_json_plain_run(void **state)
{
    (void)state;
    static const unsigned char bytes[] = {'a', 'a', 'a', 'a', 'a', 'a', 0x00, 0x1f, 0x20, 0x21, '"', 0x23,
                                          0x5b, '\\', 0x5d, 0x7f, 0x80, 0xa2, 0xdc, 0xff, 'Z', ' '};
    uint64_t seed = 5;
    char buf[80];
    size_t found = 0;
    for (int round = 0; round < 200000; round++) {
        size_t len = (size_t)(round % 41), off = (size_t)(round / 41 % 8);
        for (size_t i = 0; i < off + len; i++) {
            seed = seed * 6364136223846793005u + 1442695040888963407u;
            /* Mostly plain, so that the first special byte falls anywhere. */
            buf[i] = (char)((seed >> 33) % 4 ? 'a' + (seed >> 40) % 26 : bytes[(seed >> 40) % sizeof bytes]);
        }
        size_t want = 0;
        while (want < len && (unsigned char)buf[off + want] >= 0x20 && buf[off + want] != '"' &&
               buf[off + want] != '\\')
            want++;
        found += want < len;
        size_t got = json_plain_run(buf + off, len);
        if (got != want)
            fail_msg("round %d: length %zu at %zu: %zu, want %zu", round, len, off, got, want);
    }
    assert_true(found > 100000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_count_words),
        cmocka_unit_test(test_count_split_words),
        cmocka_unit_test(test_inner_sentence_end),
        cmocka_unit_test(test_json_plain_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
