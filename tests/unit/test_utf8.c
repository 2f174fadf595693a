/* The UTF-8 validator and repair against a reference written the slow, obvious way:
 * decode each sequence by its lead byte and reject by value (overlong,
 * surrogate, past U+10FFFF).  Random texts mix ASCII, two-, three- and
 * four-byte characters and broken bytes at every offset, so both the
 * eight-bytes-at-a-time path and its way back to one character at a time
 * are compared on every kind of boundary. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "doc.h"
#include "utf8.h"

/* The length of the valid character at s[i], 0 if none starts there. */
static size_t char_len(const unsigned char *s, size_t i, size_t len)
{
    unsigned c = s[i];
    size_t n;
    uint32_t cp, min;
    if (c < 0x80)
        return 1;
    else if ((c & 0xE0) == 0xC0)
        n = 2, cp = c & 0x1F, min = 0x80;
    else if ((c & 0xF0) == 0xE0)
        n = 3, cp = c & 0x0F, min = 0x800;
    else if ((c & 0xF8) == 0xF0)
        n = 4, cp = c & 0x07, min = 0x10000;
    else
        return 0;
    if (i + n > len)
        return 0;
    for (size_t k = 1; k < n; k++) {
        if ((s[i + k] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i + k] & 0x3F);
    }
    return cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) ? 0 : n;
}

static size_t reference(const unsigned char *s, size_t len)
{
    size_t i = 0, n;
    while (i < len && (n = char_len(s, i, len)))
        i += n;
    return i;
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t next(void)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

static size_t put(unsigned char *p, uint32_t cp)
{
    if (cp < 0x80)
        return p[0] = (unsigned char)cp, 1;
    if (cp < 0x800)
        return p[0] = (unsigned char)(0xC0 | cp >> 6), p[1] = (unsigned char)(0x80 | (cp & 0x3F)), 2;
    if (cp < 0x10000) {
        p[0] = (unsigned char)(0xE0 | cp >> 12), p[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        p[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    p[0] = (unsigned char)(0xF0 | cp >> 18), p[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    p[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F)), p[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Mostly valid text of the kind the fast path sees, with rare damage. */
static size_t random_text(unsigned char *buf, size_t max, unsigned damage)
{
    size_t n = 0;
    while (n + 4 <= max) {
        unsigned k = next() % 100;
        uint32_t cp = k < 40 ? 0x20 + next() % 0x5F          /* ASCII */
                      : k < 80 ? 0x400 + next() % 0x80        /* Cyrillic */
                      : k < 88 ? 0x80 + next() % 0x780        /* other two-byte */
                      : k < 96 ? 0x800 + next() % 0xF800      /* three-byte, surrogates included */
                               : 0x10000 + next() % 0x100000; /* four-byte, past U+10FFFF included */
        if (cp >= 0xD800 && cp <= 0xDFFF && next() % 4) /* keep most texts valid */
            cp = 0xE000;
        n += put(buf + n, cp);
        if (damage && next() % damage == 0)
            buf[n - 1 - (n > 1 ? next() % 2 : 0)] = (unsigned char)next(); /* any byte, anywhere */
    }
    return n;
}

static void check(const unsigned char *s, size_t len)
{
    size_t want = reference(s, len), got = cv_utf8_valid_prefix((const char *)s, len);
    if (got != want)
        fail_msg("length %zu: validator says %zu, reference %zu", len, got, want);
}

static void test_known(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        size_t valid;
    } cases[] = {
        {"", 0},
        {"plain ASCII text, longer than one word", 38},
        {"\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82 world", 18},
        {"\xC0\x80 overlong NUL", 0},
        {"abcdefg\xC1\xBF", 7},                       /* overlong, across a word boundary */
        {"abcdefg\xD0", 7},                           /* truncated pair at the end */
        {"abcdefg\xD0" "abcdefgh", 7},                /* a lead, then ASCII in the next word */
        {"\xD0\xB0\xD0\xB0\xD0\xB0\xD0\x80\x80", 8},  /* a stray continuation */
        {"abc\xED\xA0\x80xyz", 3},                    /* surrogate */
        {"abc\xF4\x90\x80\x80xyz", 3},                /* past U+10FFFF */
        {"\xE2\x80\x94\xF0\x9F\x98\x80\xD1\x8F", 9},  /* em dash, emoji, Cyrillic */
        {"1234567\xF8\x88\x80\x80\x80", 7},
        /* the same at the edges of sixteen-byte blocks */
        {"abcdefghijklmno\xD0\xB0" "bcdefghijklmnopq", 33},
        {"abcdefghijklmno\xD0" "abcdefghijklmnop", 15},
        {"abcdefghijklmno\xC1\xBF" "cdefghijklmnopq", 15},
        {"abcdefghijklmnop\x80" "bcdefghijklmnopq", 16},
        {"\xD0\xB0\xD0\xB0\xD0\xB0\xD0\xB0\xD0\xB0\xD0\xB0\xD0\xB0\xD0\xB0\xE2\x80\x94", 19},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        size_t len = strlen(cases[i].s);
        assert_int_equal(cv_utf8_valid_prefix(cases[i].s, len), cases[i].valid);
        check((const unsigned char *)cases[i].s, len);
    }
}

static void test_random(void **state)
{
    (void)state;
    unsigned char buf[300];
    for (int round = 0; round < 200000; round++) {
        size_t n = random_text(buf, 4 + next() % (sizeof buf - 4), round % 3 ? 40 : 0);
        size_t off = next() % 16; /* every alignment of the words and blocks */
        if (off < n)
            check(buf + off, n - off);
        check(buf, n);
    }
}

static void test_random_bytes(void **state)
{
    (void)state;
    unsigned char buf[64];
    for (int round = 0; round < 200000; round++) {
        size_t n = next() % sizeof buf;
        for (size_t i = 0; i < n; i++) /* bytes from the interesting ranges */
            buf[i] = (unsigned char)(next() % 3 ? 0x80 + next() % 0x80 : next() % 0x80);
        check(buf, n);
    }
}

/* Repair: every byte where no valid character starts becomes U+FFFD, the
 * rest is kept, checked against a character-by-character reference. */
static void check_repair(const unsigned char *s, size_t len)
{
    unsigned char want[3 * 64], got[3 * 64];
    size_t nwant = 0, nbad = 0;
    for (size_t i = 0, n; i < len; i += n ? n : 1) {
        n = char_len(s, i, len);
        memcpy(want + nwant, n ? s + i : (const unsigned char *)"\xEF\xBF\xBD", n ? n : 3);
        nwant += n ? n : 3;
        nbad += !n;
    }
    size_t bad = 99, measured = cv_utf8_repair((const char *)s, len, NULL, &bad);
    assert_int_equal(measured, nwant);
    assert_int_equal(bad, nbad);
    assert_int_equal(cv_utf8_repair((const char *)s, len, (char *)got, &bad), nwant);
    assert_int_equal(bad, nbad);
    assert_memory_equal(got, want, nwant);
}

static void test_repair(void **state)
{
    (void)state;
    unsigned char buf[64];
    check_repair((const unsigned char *)"", 0);
    check_repair((const unsigned char *)"caf\xE9 \xFF\xD0", 7);
    for (int round = 0; round < 100000; round++) {
        size_t n = round % 2 ? random_text(buf, sizeof buf, 3) : next() % sizeof buf;
        if (round % 2 == 0)
            for (size_t i = 0; i < n; i++)
                buf[i] = (unsigned char)(next() % 3 ? 0x80 + next() % 0x80 : next() % 0x80);
        check_repair(buf, n);
    }
}

/* Metadata strings keep the core's promise too: invalid UTF-8 is refused. */
static void test_meta_string(void **state)
{
    (void)state;
    cv_doc *d = cv_doc_new();
    assert_int_equal(cv_meta_set_string(d, "title", "\xd0\x9e\xd1\x89\xd0\xb5 ok"), 0);
    assert_string_equal(cv_meta_get_string(d, "title"), "\xd0\x9e\xd1\x89\xd0\xb5 ok");
    assert_int_equal(cv_meta_set_string(d, "bad", "ab\xd0"), -1);        /* cut short */
    assert_int_equal(cv_meta_set_string(d, "bad", "\xed\xa0\x80"), -1); /* a surrogate */
    assert_int_equal(cv_meta_set_string(d, "bad", NULL), -1);
    assert_null(cv_meta_get_string(d, "bad"));
    cv_doc_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known),
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_random_bytes),
        cmocka_unit_test(test_repair),
        cmocka_unit_test(test_meta_string),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
