/* The UTF-8 validator against a reference written the slow, obvious way:
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

static size_t reference(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        size_t n;
        uint32_t cp, min;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 2, cp = c & 0x1F, min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            n = 3, cp = c & 0x0F, min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            n = 4, cp = c & 0x07, min = 0x10000;
        } else {
            return i;
        }
        if (i + n > len)
            return i;
        for (size_t k = 1; k < n; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += n;
    }
    return len;
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
        cmocka_unit_test(test_meta_string),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
