/* literals: the words a rule's every match must contain, and the folding
 * that finds them.  A wrong needle would make a rule silently stop firing, so
 * both halves are checked against PCRE2 itself: the folding over the whole
 * BMP, the needles of every shipped rule on real and case-changed lines. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <pcre2.h>
#include <stdio.h>
#include <string.h>
#include <utf8proc.h>

#include "harness.h"
#include "literals.h"

static void expect(const char *pattern, const char *want) /* want: needles joined by '|', "" for none */
{
    size_t n;
    char **w = lit_needles(pattern, 4, &n, NULL);
    char got[1024] = "";
    for (size_t i = 0; i < n; i++)
        snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", i ? "|" : "", w[i]);
    lit_free(w, n);
    if (strcmp(got, want))
        fail_msg("%s: got [%s], want [%s]", pattern, got, want);
}

static void test_needles(void **s)
{
    (void)s;
    expect("(?<!\\w)(Photo|image|credit)\\s*:.*$", "photo|image|credit");
    expect("ctrl\\s*\\+\\s*enter", "enter");                          /* the longest plain run */
    expect("^если (вы )?(заметили|нашли) ошибку", " ошибку");         /* the optional group is skipped */
    expect("(?:read more|see also)", "read more|see also");
    expect("(stories|news)+ now", "stories|news");                   /* a repeated group is still there */
    expect("abcd?efgh", "efgh");                                     /* d is optional: abc, efgh */
    expect("abcde+fgh", "abcde");                                    /* e repeats: the run stops after it */
    expect("(sign up|subscribe)?\\s+now", "");                       /* optional; "now" too short */
    expect("(stories|news){0,2} here and there", " here and there");
    expect("(a|b)|(photo|image)", "");                               /* top-level alternation */
    expect("(ако (нашият|ви)|абонирайте)", "");                        /* nested groups */
    expect("(https?://|www\\.)\\S+", "");                             /* a quantifier inside */
    expect("(?i)photo credit", "");                                  /* options are not read */
    expect("(?x) photo credit", "");
    expect("(?<name>photo)", "");
    expect("\\x41bcdef", "");                                        /* an escape that is a character */
    expect("\\Qphoto\\E", "");
    expect("photo\\1", "");
    expect("ph{oto", "");                                            /* a { that is no quantifier */
    expect("[a-z]+ (photo|image)", "photo|image");
    expect("[(]photo[)]", "photo");                                  /* brackets inside a class */
    expect("(?=.*x)(photo|image)", "photo|image");                   /* lookarounds are skipped */
    expect("(©\\s*)?(getty images|afp)", "");                         /* afp is shorter than 4 bytes */
    expect("Фото: (Рейтер|БТА агенция)", "рейтер|бта агенция");      /* folded, the longer part kept */
    expect("café au lait", " au lait");                              /* é is outside the folded alphabet: two runs */
}

/* Whether the needles only ever follow a character that is no letter. */
static void expect_before(const char *pattern, const char *first, int want)
{
    size_t n;
    int nonletter = -1;
    char **w = lit_needles(pattern, 4, &n, &nonletter);
    if (!n || strcmp(w[0], first) || nonletter != want)
        fail_msg("%s: got [%s] after a non-letter %d, want [%s] %d", pattern, n ? w[0] : "", nonletter, first, want);
    lit_free(w, n);
}

static void test_nonletter_before(void **s)
{
    (void)s;
    expect_before("(?<!\\w)(Photo|image|credit)\\s*:.*$", "photo", 1);
    expect_before("^(read more|see also)\\s*:", "read more", 1);
    expect_before("ctrl\\s*\\+\\s*enter", "enter", 1);                  /* after + and optional spaces */
    expect_before("\\d[\\d\\s]*\\|?\\s*(views|reads)\\s*$", "views", 1); /* digits, spaces or | before */
    expect_before("^[^.!?]{3,100},\\s*(archive|file photo)$", "archive", 1);
    expect_before("(©\\s*)?(?<!\\w)(getty images|reuters)$", "getty images", 1);
    expect_before("\\b(photo|image)", "photo", 1);                      /* \b before word characters */
    expect_before("\\b(#tags|@user)", "#tags", 0);                      /* \b before # follows a word character */
    expect_before("[a-z]+ (photo|image)", "photo", 1);                   /* a space */
    expect_before("\\s(photo|image)", "photo", 1);
    expect_before("\\s?(photo|image)", "photo", 0);                     /* optional, after anything */
    expect_before("x(photo|image)", "photo", 0);
    expect_before("photo credit", "photo credit", 0);                    /* unanchored: anything before */
    expect_before("(?=x)(photo|image)", "photo", 0);
    expect_before("[\\w,](photo|image)", "photo", 0);
    expect_before("[-,](photo|image)", "photo", 0);                      /* a range may hold letters */
    expect_before("^(sign up|subscribe)\\b.{0,120}(newsletter|inbox)", "sign up", 1);
    expect_before("^если (вы )?(заметили|нашли) ошибку", " ошибку", 0);  /* after the group's last letter */
    expect_before("(?:read|see) (more info|also this)", "more info", 1);
}

/* Every character PCRE2 matches caselessly with a needle character folds to
 * the same bytes, over the whole Basic Multilingual Plane. */
static void test_fold_is_sound(void **s)
{
    (void)s;
    static char all[0x10000 * 3 + 1];
    size_t len = 0;
    for (int c = 1; c < 0x10000; c++) {
        if (c >= 0xD800 && c < 0xE000)
            continue;
        len += (size_t)utf8proc_encode_char(c, (utf8proc_uint8_t *)all + len);
    }
    pcre2_match_data *md = pcre2_match_data_create(1, NULL);
    size_t checked = 0;
    for (int x = 0x21; x < 0x460; x = x == 0x7E ? 0x400 : x + 1) {
        char pat[8], fx[16], fc[16];
        snprintf(pat, sizeof pat, "%s", x < 0x80 && ispunct(x) ? "\\" : "");
        size_t pl = strlen(pat);
        pl += (size_t)utf8proc_encode_char(x, (utf8proc_uint8_t *)pat + pl);
        int err;
        PCRE2_SIZE off;
        pcre2_code *re =
            pcre2_compile((PCRE2_SPTR)pat, pl, PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS, &err, &off, NULL);
        assert_non_null(re);
        char xs[4];
        size_t xl = (size_t)utf8proc_encode_char(x, (utf8proc_uint8_t *)xs);
        size_t fxl = lit_fold(xs, xl, fx);
        for (PCRE2_SIZE start = 0; pcre2_match(re, (PCRE2_SPTR)all, len, start, 0, md, NULL) >= 0;) {
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
            size_t fcl = lit_fold(all + ov[0], ov[1] - ov[0], fc);
            if (fcl != fxl || memcmp(fc, fx, fxl)) {
                utf8proc_int32_t c;
                utf8proc_iterate((const utf8proc_uint8_t *)all + ov[0], (utf8proc_ssize_t)(ov[1] - ov[0]), &c);
                fail_msg("U+%04X matches U+%04X caselessly but folds differently", (unsigned)c, (unsigned)x);
            }
            checked++;
            start = ov[1];
        }
        pcre2_code_free(re);
    }
    pcre2_match_data_free(md);
    assert_true(checked > 300); /* each letter met its other case, and more */
}

/* The lines of a file, and the same lines upper-cased and with look-alike
 * letters PCRE2 folds together (Kelvin sign, long s, rounded Cyrillic). */
static size_t lines_of(const char *path, char ***out, size_t n)
{
    size_t len;
    char *text = th_slurp(path, &len);
    assert_non_null(text);
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        size_t l = strlen(line);
        char *up = malloc(4 * l + 1), *odd = malloc(4 * l + 1);
        size_t u = 0, o = 0;
        for (utf8proc_ssize_t i = 0, k; i < (utf8proc_ssize_t)l; i += k) {
            utf8proc_int32_t c;
            k = utf8proc_iterate((const utf8proc_uint8_t *)line + i, (utf8proc_ssize_t)l - i, &c);
            assert_true(k > 0);
            u += (size_t)utf8proc_encode_char(utf8proc_toupper(c), (utf8proc_uint8_t *)up + u);
            int alike = c == 'k' ? 0x212A : c == 's' ? 0x17F : c == 0x432 ? 0x1C80 : c == 0x43E ? 0x1C82 : c == 0x442 ? 0x1C84 : c;
            o += (size_t)utf8proc_encode_char(alike, (utf8proc_uint8_t *)odd + o);
        }
        up[u] = odd[o] = '\0';
        *out = realloc(*out, (n + 3) * sizeof **out);
        (*out)[n++] = strdup(line);
        (*out)[n++] = up;
        (*out)[n++] = odd;
    }
    free(text);
    return n;
}

/* Every shipped rule: a line it matches holds one of its needles. */
/* lit_fold() folds sixteen bytes at a time where they allow it; the result
 * must be what folding one character at a time gives, wherever the blocks
 * fall: random texts of ASCII, Cyrillic of every row (U+0400..U+045F fold in
 * place, U+0460.. and three-byte characters do not). */
static void test_fold_blocks(void **s)
{
    (void)s;
    static const char *const pieces[] = {
        "a",      "Z",      "Hello ", " ",       "QUICK",  "\xd0\x80", /* U+0400 */
        "\xd0\x8f", "\xd0\x90", "\xd0\x9f", "\xd0\xa0", "\xd0\xaf", "\xd0\xb0", "\xd0\xbf", "\xd1\x80",
        "\xd1\x8f", "\xd1\x90", "\xd1\x9f", "\xd1\xa0" /* U+0460 */, "\xd1\xbf", "\xd2\x90" /* U+0490 */,
        "\xc5\xbf" /* long s */, "\xce\xa3" /* Sigma */, "\xe2\x80\x9e", "\xe2\x84\xaa" /* Kelvin */,
        "\xe1\xb2\x80" /* U+1C80 */, "\xf0\x9f\x98\x80", "7", "@", "[", "`", "{",
    };
    uint64_t seed = 7;
    char text[512], want[1100], got[1100];
    for (int round = 0; round < 20000; round++) {
        size_t len = th_random_text(&seed, pieces, sizeof pieces / sizeof *pieces, 60, text, sizeof text);
        size_t n = 0;
        for (size_t i = 0; i < len;) { /* one character at a time: never a block */
            size_t c = 1;
            while (i + c < len && ((unsigned char)text[i + c] & 0xC0) == 0x80)
                c++;
            n += lit_fold(text + i, c, want + n);
            i += c;
        }
        size_t m = lit_fold(text, len, got);
        if (m != n || memcmp(got, want, n))
            fail_msg("round %d: \"%s\" folds to \"%.*s\", one at a time \"%.*s\"", round, text, (int)m, got, (int)n,
                     want);
    }
}

/* lit_classify16 says for sixteen positions at once what
 * lit_after_nonletter says for one, wherever the blocks fall. */
static void test_classify_blocks(void **s)
{
    (void)s;
    static const char *const pieces[] = {"a", "z", "m", "0", "9", "_", " ", ",", "\xd0\xbe", "\xd1\x8f",
                                         "\xd1\xa1", "\xd2\x91", "\xc2\xab", "\xe2\x80\x9e", "\xf0\x9f\x98\x80"};
    uint64_t seed = 3;
    char buf[2 + 300 + 16];
    for (int round = 0; round < 20000; round++) {
        char *f = buf + 2;
        buf[0] = buf[1] = ' ';
        size_t n = th_random_text(&seed, pieces, sizeof pieces / sizeof *pieces, 60, f, 300);
        memset(f + n, 0, 16);
        for (size_t base = 0; base < n; base += 16) {
            unsigned starts, after;
            lit_classify16(f + base, &starts, &after);
            for (size_t k = 0; k < 16 && base + k < n; k++) {
                int start = ((unsigned char)f[base + k] & 0xC0) != 0x80;
                int want = start && lit_after_nonletter(f, base + k);
                if ((int)(starts >> k & 1) != start || (int)(after >> k & 1) != want)
                    fail_msg("round %d, byte %zu of \"%s\": start %u/%d, after a non-letter %u/%d", round, base + k, f,
                             starts >> k & 1, start, after >> k & 1, want);
            }
        }
    }
}

static void test_shipped_rules(void **s)
{
    (void)s;
    static const char *const texts[] = {"seeds/000_0b60b27dc0eeb1a7.txt", "seeds/001_ac20a3dd2d3db9dd.txt",
                                        "seeds/002_ad3104c1d9ae87a0.txt", "seeds/003_c10a978ab4b8dde3.txt",
                                        "seeds/004_29d7b70323b138a1.txt", "tests/data/pages/bg_trees.txt",
                                        "tests/data/pages/en_harbour.txt", "tests/data/pages/ru_museum.txt",
                                        "tests/data/pages/uk_library.txt"};
    static const char *const rules[] = {"common", "bg", "uk", "ru", "en", "de", "es", "fr", "it", "pl"};
    char **lines = NULL;
    size_t nlines = 0;
    char path[1024];
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        snprintf(path, sizeof path, "%s/../%s", TEST_SOURCE_DIR, texts[i]);
        nlines = lines_of(path, &lines, nlines);
    }
    pcre2_match_data *md = pcre2_match_data_create(1, NULL);
    size_t filtered = 0, matched = 0;
    for (size_t r = 0; r < sizeof rules / sizeof *rules; r++) {
        snprintf(path, sizeof path, "%s/../config/boilerplate/%s.yaml", TEST_SOURCE_DIR, rules[r]);
        char *yaml = th_slurp(path, NULL);
        assert_non_null(yaml);
        for (char *p = strstr(yaml, "pattern: '"); p; p = strstr(p, "pattern: '")) {
            p += 10;
            char *e = strstr(p, "'\n");
            assert_non_null(e);
            *e = '\0';
            size_t n;
            int nonletter;
            char **needles = lit_needles(p, 4, &n, &nonletter);
            int err;
            PCRE2_SIZE off;
            pcre2_code *re = pcre2_compile((PCRE2_SPTR)p, PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS,
                                           &err, &off, NULL);
            assert_non_null(re);
            filtered += n > 0;
            /* Needles that may follow a letter make the scan look at every
             * byte of every line the rule is a candidate for: one such rule
             * cost a fifth more instructions in the whole step.  Put \s or
             * (?<!\w) before the words (see common.yaml). */
            if (n && !nonletter)
                fail_msg("rule %s: its needles (\"%s\"...) may follow a letter", p, needles[0]);
            for (size_t i = 0; n && i < nlines; i++) {
                if (pcre2_match(re, (PCRE2_SPTR)lines[i], strlen(lines[i]), 0, 0, md, NULL) < 0)
                    continue;
                matched++;
                char *f = malloc(2 * strlen(lines[i]) + 4);
                size_t fl = lit_fold(lines[i], strlen(lines[i]), f);
                int found = 0; /* where the scan looks: after a non-letter, for such needles */
                for (size_t k = 0; k < n && !found; k++)
                    for (const char *at = f; !found && (at = memmem(at, fl - (size_t)(at - f), needles[k],
                                                                    strlen(needles[k]))); at++)
                        found = !nonletter || lit_after_nonletter(f, (size_t)(at - f));
                free(f);
                if (!found)
                    fail_msg("rule %s matches [%s] but none of its needles is in it%s", p, lines[i],
                             nonletter ? " after a non-letter" : "");
            }
            pcre2_code_free(re);
            lit_free(needles, n);
            p = e + 1;
        }
        free(yaml);
    }
    pcre2_match_data_free(md);
    for (size_t i = 0; i < nlines; i++)
        free(lines[i]);
    free(lines);
    assert_true(filtered >= 30); /* most rules have needles... */
    assert_true(matched >= 60);  /* ...and the lines exercise them */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_needles),
        cmocka_unit_test(test_nonletter_before),
        cmocka_unit_test(test_fold_is_sound),
        cmocka_unit_test(test_fold_blocks),
        cmocka_unit_test(test_classify_blocks),
        cmocka_unit_test(test_shipped_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
