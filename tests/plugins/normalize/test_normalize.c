/* normalize: each transformation on a small text, and the options that turn them off. */
#include <stdint.h>
#include <string.h>

#include "harness.h"

static void expect(const char *opts, const char *in, const char *want)
{
    th_plugin *p = th_open(CV_STEP, "normalize", opts, NULL);
    assert_non_null(p->inst);
    cv_doc *d = th_doc("x", in);
    assert_int_equal(th_process(p, d), CV_OK);
    if (strcmp(d->text, want))
        fail_msg("normalize(%s) on [%s]: got [%s], want [%s]", opts, in, d->text, want);
    cv_doc_free(d);
    th_close(p);
}

static void test_nfc(void **s)
{
    (void)s;
    /* e + combining acute -> é; й decomposed -> й */
    expect("", "Cafe\xCC\x81 \xD0\xB8\xCC\x86", "Caf\xC3\xA9 \xD0\xB9");
}

static void test_nfkc(void **s)
{
    (void)s;
    expect("form: NFKC", "\xEF\xAC\x81le \xEF\xBC\xA1", "file A"); /* ﬁ ligature, full-width A */
    expect("", "\xEF\xAC\x81le", "\xEF\xAC\x81le");                 /* NFC keeps the ligature */
}

static void test_controls_and_invisible(void **s)
{
    (void)s;
    expect("", "a\x01" "b\x7f" "c\xE2\x80\x8B" "d\xC2\xAD" "e\xEF\xBB\xBF" "f", "abcdef");
    expect("", "zw\xE2\x80\x8Dj", "zw\xE2\x80\x8Dj"); /* ZWJ stays: scripts need it */
    expect("remove_invisible: false", "a\xE2\x80\x8B" "b", "a\xE2\x80\x8B" "b");
    expect("", "tab\there", "tab here");
}

static void test_lines_and_spaces(void **s)
{
    (void)s;
    expect("", "  one \r\ntwo\rthree\xC2\x85" "four", "one\ntwo\nthree\nfour");
    expect("", "a\xC2\xA0\xC2\xA0 b\xE2\x80\x83" "c", "a b c"); /* NBSP, em space */
    expect("", "\n\n\npara one\n\n\n\n\npara two\n\n", "para one\n\npara two");
    expect("max_blank_lines: 0", "a\n\n\nb", "a\nb");
    expect("", "x\xE2\x80\xA8y", "x\ny"); /* LINE SEPARATOR */
    expect("collapse_spaces: false\ntrim_lines: false", " a  b ", " a  b ");
    /* A space after a letter is copied in bulk: what follows it still counts. */
    expect("", "a  b \tc \xC2\xA0" "d \ne  \n f", "a b c d\ne\nf");
    expect("collapse_spaces: false", "a \tb  c ", "a  b  c");
}

static void test_unify_punctuation(void **s)
{
    (void)s;
    expect("unify_punctuation: true", "\xE2\x80\x9EQuote\xE2\x80\x9C \xE2\x80\x94 dash \xC2\xABx\xC2\xBB \xE2\x80\x99s",
           "\"Quote\" - dash \"x\" 's");
    expect("", "\xE2\x80\x9EQuote\xE2\x80\x9C", "\xE2\x80\x9EQuote\xE2\x80\x9C");
}

static void test_bad_form(void **s)
{
    (void)s;
    const char *why = th_refusal(CV_STEP, "normalize", "form: NFD", NULL);
    assert_non_null(why);
    assert_non_null(strstr(why, "option 'form' must be one of NFC|NFKC"));
    assert_null(th_refusal(CV_STEP, "normalize", "form: NFKC", NULL));
}

static void test_idempotent(void **s)
{
    (void)s;
    /* Normalising twice changes nothing more: a property worth keeping. */
    const char *in = " A\xC2\xA0 b\r\n\n\n\xE2\x80\x8B c\xCC\x81\t d ";
    th_plugin *p = th_open(CV_STEP, "normalize", "", NULL);
    cv_doc *d = th_doc("x", in);
    th_process(p, d);
    char *once = cv_xstrdup(d->text);
    th_process(p, d);
    assert_string_equal(d->text, once);
    free(once);
    cv_doc_free(d);
    th_close(p);
}

/* The default options by their definition, for texts of the pieces below:
 * tabs and no-break spaces are spaces, controls and zero-width spaces go,
 * spaces collapse, lines are trimmed, at most one empty line in a row, none
 * at either end. */
static void reference(const char *in, char *out)
{
    char mapped[4096], *m = mapped;
    for (const char *p = in; *p;) {
        if (*p == '\t' || !strncmp(p, "\xC2\xA0", 2))
            *m++ = ' ', p += *p == '\t' ? 1 : 2;
        else if (*p == '\x01' || *p == '\x7F')
            p++;
        else if (!strncmp(p, "\xE2\x80\x8B", 3))
            p += 3;
        else
            *m++ = *p++;
    }
    *m = '\0';
    size_t o = 0;
    int blanks = 1;
    for (char *line = mapped, *next; line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        size_t start = o;
        for (char *c = line; *c; c++)
            if (*c != ' ' || (o > start && out[o - 1] != ' '))
                out[o++] = *c;
        while (o > start && out[o - 1] == ' ')
            o--;
        if (o == start && ++blanks > 1)
            continue;
        if (o > start)
            blanks = 0;
        out[o++] = '\n';
    }
    while (o && out[o - 1] == '\n')
        o--;
    out[o] = '\0';
}

/* Texts of letters, spaces and the characters that end a plain run, against
 * the reference: the run copying may skip ahead eight bytes at a time. */
static void test_against_reference(void **s)
{
    (void)s;
    static const char *const pieces[] = {"a", "Z", "7", ".", "~", " ", " ", "  ", "\t", "\n", "\n\n", "\xD0\xB4",
                                         "\xD1\x8F", "\xD0\x96", "\xC2\xA0", "\x01", "\x7F",
                                         "\xE2\x80\x8B", "word", "\xD1\x81\xD0\xBB\xD0\xBE\xD0\xB2\xD0\xBE"};
    th_plugin *p = th_open(CV_STEP, "normalize", "", NULL);
    uint64_t seed = 42;
    for (int round = 0; round < 20000; round++) {
        char in[2048], want[4096];
        th_random_text(&seed, pieces, sizeof pieces / sizeof *pieces, 59, in, sizeof in);
        reference(in, want);
        cv_doc *d = th_doc("x", in);
        assert_int_equal(th_process(p, d), CV_OK);
        if (strcmp(d->text, want))
            fail_msg("round %d: on [%s]: got [%s], want [%s]", round, in, d->text, want);
        cv_doc_free(d);
    }
    th_close(p);
}

/* Look-alike letters: Latin and Greek inside Cyrillic words, Cyrillic inside
 * Latin ones; words of one script, words whose minority has no look-alike,
 * and ties are left alone. */
static void test_lookalikes(void **s)
{
    (void)s;
    /* "Пpивет" with Latin p, "Pοссии" with Latin P and Greek omicron, "кoмпания" with Latin o,
     * "Hеllo" with Cyrillic е, "Wіkipedia" with Ukrainian і */
    static const char in[] = "\xD0\x9F" "p" "\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82 " /* Пpивет */
                             "P" "\xCE\xBF" "\xD1\x81\xD1\x81\xD0\xB8\xD0\xB8 " /* Pοссии */
                             "\xD0\xBA" "o" "\xD0\xBC\xD0\xBF\xD0\xB0\xD0\xBD\xD0\xB8\xD1\x8F " /* кoмпания */
                             "H" "\xD0\xB5" "llo W" "\xD1\x96" "kipedia " /* Hеllo Wіkipedia */
                             "iPhone Z" "\xD0\xB8\xD0\xBC" "a " /* iPhone, Zимa: Z has no Cyrillic look-alike */
                             "C" "\xD0\xB0 " /* Cа: a tie */
                             "\xCE\x91\xCE\xB8\xCE\xAE\xCE\xBD\xCE\xB1"; /* Αθήνα: Greek */
    static const char want[] = "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82 "
                               "\xD0\xA0\xD0\xBE\xD1\x81\xD1\x81\xD0\xB8\xD0\xB8 "
                               "\xD0\xBA\xD0\xBE\xD0\xBC\xD0\xBF\xD0\xB0\xD0\xBD\xD0\xB8\xD1\x8F "
                               "Hello Wikipedia "
                               "iPhone Z" "\xD0\xB8\xD0\xBC" "a "
                               "C" "\xD0\xB0 "
                               "\xCE\x91\xCE\xB8\xCE\xAE\xCE\xBD\xCE\xB1";
    th_plugin *p = th_open(CV_STEP, "normalize", "repair_lookalikes: true", NULL);
    if (!p->inst)
        fail_msg("create: %s", p->error);
    cv_doc *d = th_doc("x", in);
    assert_int_equal(th_process(p, d), CV_OK);
    if (strcmp(d->text, want))
        fail_msg("got [%s]", d->text);
    char *n = cv_meta_dump(d, "lookalikes_repaired");
    assert_string_equal(n, "6");
    free(n);
    assert_int_equal(th_counter(p, "repaired:lookalike_letters"), 6);
    cv_doc_free(d);
    /* nothing to repair: no metadata */
    d = th_doc("y", "\xD0\x9A\xD0\xB8\xD1\x97\xD0\xB2 and Kyiv");
    assert_int_equal(th_process(p, d), CV_OK);
    assert_null(cv_meta_dump(d, "lookalikes_repaired"));
    cv_doc_free(d);
    th_close(p);
    expect("", in, in); /* off by default */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nfc),           cmocka_unit_test(test_nfkc),
        cmocka_unit_test(test_controls_and_invisible), cmocka_unit_test(test_lines_and_spaces),
        cmocka_unit_test(test_unify_punctuation), cmocka_unit_test(test_bad_form),
        cmocka_unit_test(test_idempotent), cmocka_unit_test(test_against_reference),
        cmocka_unit_test(test_lookalikes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
