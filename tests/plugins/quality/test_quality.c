/* quality: each filter drops with its reason; a good text passes. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "harness.h"

static const char good[] =
    "The committee met on Tuesday to discuss the new budget for the regional hospitals.\n"
    "Members agreed that the funding for emergency care should rise by ten percent next year.\n"
    "The chair said the decision reflected the growing number of patients in the winter months.\n"
    "A final vote on the full budget is expected before the end of the month.";

/* Gopher's top n-gram fractions count a unique n-gram too (as datatrove
 * does), so texts of a dozen words exceed them: off for the short texts here. */
#define SHORT \
    "min_words: 3\nmax_top_2_gram_char_frac: -1\nmax_top_3_gram_char_frac: -1\nmax_top_4_gram_char_frac: -1\n" \
    "max_short_line_ratio: -1\n"

static void expect_drop(const char *opts, const char *text, const char *reason)
{
    th_plugin *p = th_open(CV_STEP, "quality", opts, NULL);
    assert_non_null(p->inst);
    cv_doc *d = th_doc("x", text);
    cv_status st = th_process(p, d);
    if (!reason) {
        if (st != CV_OK)
            fail_msg("dropped as %s", d->drop_reason);
    } else {
        assert_int_equal(st, CV_DROP);
        assert_string_equal(d->drop_reason, reason);
    }
    cv_doc_free(d);
    th_close(p);
}

static void test_good_passes(void **s)
{
    (void)s;
    expect_drop("min_words: 20", good, NULL);
}

static void test_reasons(void **s)
{
    (void)s;
    expect_drop("min_words: 100", good, "quality:min_words");
    expect_drop("min_words: 5\nmax_words: 10", good, "quality:max_words");
    expect_drop("min_words: 3", "a b c d e f g h i j.", "quality:min_mean_word_length");
    expect_drop("min_words: 3", "Supercalifragilisticexpialidocious antidisestablishmentarianism pneumonoultramicroscopic.",
                "quality:max_mean_word_length");
    expect_drop("min_words: 3", "This is #one #two #three #four and more words here.", "quality:max_symbol_word_ratio");
    expect_drop("min_words: 3", "Numbers 123 456 789 1011 1213 1415 are here.", "quality:min_alpha_word_fraction");
    expect_drop("min_words: 3\nmin_alpha_word_fraction: 0", "Totals: (12/34) [56-78] {90%} $$$ ok words here.",
                "quality:max_non_letter_fraction");
    expect_drop("min_words: 3\nmin_terminal_line_fraction: 0.5",
                "Menu item one\nMenu item two\nMenu item three\nOne full sentence here.",
                "quality:min_terminal_line_fraction");
    expect_drop("min_words: 3", "Same line again.\nSame line again.\nSame line again.\nAnother line here.",
                "quality:max_duplicate_line_fraction");
}

/* Gopher bounds hashes and ellipses per word each alone: 2 hashtags and
 * 1 ellipsis in 24 words (0.08 and 0.04) pass, though together they are 0.125. */
static void test_symbols_each_alone(void **s)
{
    (void)s;
    const char *text = "We planted the herbs by the kitchen window last spring... #garden they grew well.\n"
                       "The basil came first and then the thyme #herbs followed.";
    expect_drop(SHORT, text, NULL);
    expect_drop(SHORT, "We planted herbs... by the window... last spring... they grew... well today... #garden",
                "quality:max_symbol_word_ratio");
}

/* An article of headings, list items and a table keeps: the terminal-line
 * rule (ours) is off unless asked for. */
static void test_terminal_lines_off(void **s)
{
    (void)s;
    expect_drop("min_words: 3", "How to plant a tree\nWhat you need\nA spade\nA young tree\n"
                "Dig a hole twice as wide as the roots and set the tree in it.\n"
                "Fill the hole with the earth you took out and press it down.\nHow to water it\n"
                "Water it every other day for the first month, then once a week.\nAfter a year\n"
                "By then the roots have spread and the tree looks after itself.",
                NULL);
}

static void test_unfinished_tail(void **s)
{
    (void)s;
    th_plugin *p = th_open(CV_STEP, "quality", SHORT "drop_unfinished_tail: true", NULL);
    cv_doc *d = th_doc("x", "First sentence is complete. Second \xC2\xABquoted\xC2\xBB one too.\n\nThen it was cut in the mid");
    assert_int_equal(th_process(p, d), CV_OK);
    assert_string_equal(d->text, "First sentence is complete. Second \xC2\xABquoted\xC2\xBB one too.");
    assert_int_equal(th_counter(p, "trimmed:unfinished_tail"), 1);
    cv_doc_free(d);
    /* A finished text is left alone. */
    d = th_doc("y", "It ends well.");
    th_process(p, d);
    assert_string_equal(d->text, "It ends well.");
    cv_doc_free(d);
    th_close(p);
}

/* A step before said the page went on past the text (boilerplate's
 * end_removed): its last paragraph was followed by chrome, not truncated. */
static void test_unfinished_before_chrome(void **s)
{
    (void)s;
    th_plugin *p = th_open(CV_STEP, "quality", SHORT "drop_unfinished_tail: true", NULL);
    cv_doc *d = th_doc("x", "First sentence is complete.\n\nThe last paragraph ends without a stop, the agency recalls");
    cv_meta_set_bool(d, "end_removed", 1);
    assert_int_equal(th_process(p, d), CV_OK);
    assert_string_equal(d->text, "First sentence is complete.\n\nThe last paragraph ends without a stop, the agency recalls");
    assert_int_equal(th_counter(p, "kept:unfinished_tail_before_chrome"), 1);
    assert_int_equal(th_counter(p, "trimmed:unfinished_tail"), 0);
    cv_doc_free(d);
    d = th_doc("y", "First sentence is complete.\n\nThe last paragraph ends without a stop, the agency recalls");
    cv_meta_set_bool(d, "end_removed", 0);
    assert_int_equal(th_process(p, d), CV_OK);
    assert_string_equal(d->text, "First sentence is complete.");
    cv_doc_free(d);
    th_close(p);
}

static void test_detail_has_value(void **s)
{
    (void)s;
    th_plugin *p = th_open(CV_STEP, "quality", "min_words: 10", NULL);
    cv_doc *d = th_doc("x", "Only four words here.");
    assert_int_equal(th_process(p, d), CV_DROP);
    assert_string_equal(d->drop_detail, "4");
    cv_doc_free(d);
    th_close(p);
}

/* ---- every filter at and around its threshold ---------------------------- */

/* The value annotate: true writes for `signal` on `text` (with stop words and C4 rules). */
static double annotated(const char *text, const char *signal, const char *extra)
{
    char yaml[1024];
    snprintf(yaml, sizeof yaml, "annotate: true\n%s", extra);
    th_plugin *p = th_open(CV_STEP, "quality", yaml, NULL);
    if (!p->inst)
        fail_msg("create: %s", p->error);
    cv_doc *d = th_doc("x", text);
    assert_int_equal(th_process(p, d), CV_OK);
    assert_null(d->drop_reason); /* annotate drops nothing */
    json_t *q = json_object_get(d->meta, "quality");
    json_t *v = json_object_get(q, signal);
    if (!json_is_number(v))
        fail_msg("metadata.quality.%s is missing", signal);
    double x = json_number_value(v);
    cv_doc_free(d);
    th_close(p);
    return x;
}

/* Options with every filter off but `key` at `thr`. */
static void only(char *yaml, size_t cap, const char *key, double thr, int integer, const char *extra)
{
    th_plugin *p = th_open(CV_STEP, "quality", "", NULL);
    size_t n = (size_t)snprintf(yaml, cap, "%s", extra);
    for (const cv_option *o = p->desc->options; o->key; o++)
        if ((!strncmp(o->key, "min_", 4) || !strncmp(o->key, "max_", 4)) && strcmp(o->key, key))
            n += (size_t)snprintf(yaml + n, cap - n, "%s: -1\n", o->key);
    if (integer)
        snprintf(yaml + n, cap - n, "%s: %.0f\n", key, thr);
    else
        snprintf(yaml + n, cap - n, "%s: %.17g\n", key, thr);
    th_close(p);
}

static const char *run_only(const char *text, const char *key, double thr, int integer, const char *extra)
{
    static char reason[128];
    char yaml[4096];
    only(yaml, sizeof yaml, key, thr, integer, extra);
    th_plugin *p = th_open(CV_STEP, "quality", yaml, NULL);
    if (!p->inst)
        fail_msg("create: %s", p->error);
    cv_doc *d = th_doc("x", text);
    th_process(p, d);
    snprintf(reason, sizeof reason, "%s", d->drop_reason ? d->drop_reason : "kept");
    cv_doc_free(d);
    th_close(p);
    return reason;
}

#define STOPS "stop_words: " TEST_SOURCE_DIR "/../config/quality/stopwords.yaml\n"

static const char repetitive[] =
    "The river rose in the night and the village woke to water in the streets.\n\n"
    "- The river rose in the night and the village woke to water in the streets.\n"
    "- Volunteers carried sandbags to the old bridge, the mayor said...\n"
    "The river rose in the night and the village woke to water in the streets.\n\n"
    "Short line\nShort line\n"
    "Volunteers carried sandbags to the old bridge, the mayor said, and the school stayed closed for two days.\n\n"
    "The river rose in the night and the village woke to water in the streets.";

static void test_thresholds(void **s)
{
    (void)s;
    static const struct {
        const char *key, *signal;
        int max, integer;
    } cases[] = {
        {"min_words", "words", 0, 1},
        {"max_words", "words", 1, 1},
        {"min_mean_word_length", "mean_word_length", 0, 0},
        {"max_mean_word_length", "mean_word_length", 1, 0},
        {"max_symbol_word_ratio", "symbol_word_ratio", 1, 0},
        {"min_alpha_word_fraction", "alpha_word_fraction", 0, 0},
        {"max_non_letter_fraction", "non_letter_fraction", 1, 0},
        {"min_terminal_line_fraction", "terminal_line_fraction", 0, 0},
        {"max_duplicate_line_fraction", "duplicate_line_fraction", 1, 0},
        {"max_bullet_line_fraction", "bullet_line_fraction", 1, 0},
        {"max_ellipsis_line_fraction", "ellipsis_line_fraction", 1, 0},
        {"min_line_punct_ratio", "line_punct_ratio", 0, 0},
        {"max_short_line_ratio", "short_line_ratio", 1, 0},
        {"max_char_dup_ratio", "char_dup_ratio", 1, 0},
        {"max_dup_line_frac", "dup_line_frac", 1, 0},
        {"max_dup_para_frac", "dup_para_frac", 1, 0},
        {"max_dup_line_char_frac", "dup_line_char_frac", 1, 0},
        {"max_dup_para_char_frac", "dup_para_char_frac", 1, 0},
        {"max_top_2_gram_char_frac", "top_2_gram_char_frac", 1, 0},
        {"max_top_3_gram_char_frac", "top_3_gram_char_frac", 1, 0},
        {"max_top_4_gram_char_frac", "top_4_gram_char_frac", 1, 0},
        {"max_dup_5_gram_char_frac", "dup_5_gram_char_frac", 1, 0},
        {"max_dup_6_gram_char_frac", "dup_6_gram_char_frac", 1, 0},
        {"max_dup_7_gram_char_frac", "dup_7_gram_char_frac", 1, 0},
        {"max_dup_8_gram_char_frac", "dup_8_gram_char_frac", 1, 0},
        {"max_dup_9_gram_char_frac", "dup_9_gram_char_frac", 1, 0},
        {"max_dup_10_gram_char_frac", "dup_10_gram_char_frac", 1, 0},
        {"max_list_ratio", "list_ratio", 1, 0},
        {"min_stop_words", "stop_words", 0, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double v = annotated(repetitive, cases[i].signal, STOPS);
        if (cases[i].max && !cases[i].integer && v <= 0)
            fail_msg("%s: the test text should give a positive value", cases[i].signal);
        char want[128];
        snprintf(want, sizeof want, "quality:%s", cases[i].key);
        /* at the threshold: kept (the comparisons are strict) */
        const char *got = run_only(repetitive, cases[i].key, v, cases[i].integer, STOPS);
        if (strcmp(got, "kept"))
            fail_msg("%s at %.17g: %s", cases[i].key, v, got);
        /* just past it: dropped with its own reason */
        double step = cases[i].integer ? 1 : v * 1e-9 + 1e-12;
        double past = cases[i].max ? v - step : v + step;
        got = run_only(repetitive, cases[i].key, past, cases[i].integer, STOPS);
        if (strcmp(got, want))
            fail_msg("%s at %.17g (value %.17g): %s", cases[i].key, past, v, got);
        /* -1: off */
        got = run_only(repetitive, cases[i].key, -1, cases[i].integer, STOPS);
        if (strcmp(got, "kept"))
            fail_msg("%s: -1 should turn it off: %s", cases[i].key, got);
    }
}

/* Gopher's published thresholds are the defaults. */
static void test_published_defaults(void **s)
{
    (void)s;
    static const char *const want[][2] = {
        {"max_dup_line_frac", "0.3"},         {"max_dup_para_frac", "0.3"},         {"max_dup_line_char_frac", "0.2"},
        {"max_dup_para_char_frac", "0.2"},    {"max_top_2_gram_char_frac", "0.2"},  {"max_top_3_gram_char_frac", "0.18"},
        {"max_top_4_gram_char_frac", "0.16"}, {"max_dup_5_gram_char_frac", "0.15"}, {"max_dup_6_gram_char_frac", "0.14"},
        {"max_dup_7_gram_char_frac", "0.13"}, {"max_dup_8_gram_char_frac", "0.12"}, {"max_dup_9_gram_char_frac", "0.11"},
        {"max_dup_10_gram_char_frac", "0.10"}, {"max_bullet_line_fraction", "0.9"}, {"max_ellipsis_line_fraction", "0.3"},
        {"min_stop_words", "2"},              {"min_line_punct_ratio", "0.12"},     {"max_short_line_ratio", "0.67"},
        {"max_char_dup_ratio", "0.01"},       {"max_list_ratio", "0.3"},            {"short_line_chars", "30"},
    };
    th_plugin *p = th_open(CV_STEP, "quality", "", NULL);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const cv_option *o = p->desc->options;
        while (o->key && strcmp(o->key, want[i][0]))
            o++;
        if (!o->key || strcmp(o->default_value, want[i][1]))
            fail_msg("%s: default %s, published %s", want[i][0], o->key ? o->default_value : "(none)", want[i][1]);
    }
    th_close(p);
}

/* Stop words: the document's language's list, else the best one. */
static void test_stop_words(void **s)
{
    (void)s;
    static const char ru[] = "Он сказал, что это было не так, и ушёл.";
    assert_true(annotated(ru, "stop_words", STOPS) >= 4);
    th_plugin *p = th_open(CV_STEP, "quality", STOPS "annotate: true", NULL);
    cv_doc *d = th_doc("x", ru);
    cv_meta_set_string(d, "lang", "en"); /* told English: no English stop word in it */
    th_process(p, d);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(d->meta, "quality"), "stop_words")), 0);
    cv_doc_free(d);
    d = th_doc("y", ru);
    cv_meta_set_string(d, "lang", "xx"); /* a language without a list: not judged */
    th_process(p, d);
    assert_true(json_is_null(json_object_get(json_object_get(d->meta, "quality"), "stop_words")));
    cv_doc_free(d);
    /* Language unknown, in a script no list is in (Korean): not judged, not
     * measured against the best of lists it cannot match. */
    d = th_doc("z", "\xEC\x98\xA4\xEB\x8A\x98\xEC\x9D\x80 \xEB\x82\xA0\xEC\x94\xA8\xEA\xB0\x80 "
                    "\xEC\xA2\x8B\xEC\x8A\xB5\xEB\x8B\x88\xEB\x8B\xA4. Seoul 2024");
    th_process(p, d);
    assert_true(json_is_null(json_object_get(json_object_get(d->meta, "quality"), "stop_words")));
    cv_doc_free(d);
    th_close(p);
    /* ...while a text in a listed script without one stop word still is. */
    assert_true(annotated("Zebra quartz jumps vividly over lazy boxing wizards daily.", "stop_words", STOPS) == 0);
}

/* Words and sentence ends in scripts written without spaces: a Han or
 * kana character is a word, a line ending with the ideographic full stop
 * ends a sentence, and a text mostly of Thai (no word spaces, no sentence
 * marks) is not measured by the rules that count them.  Before, a Chinese
 * article was one "word" per line and no line ended a sentence. */
static const char zh[] = /* a city's new roads and metro lines, 2 lines, 96 characters */
    "\xE4\xBB\x8A\xE5\xA4\xA9\xE4\xB8\x8A\xE5\x8D\x88\xEF\xBC\x8C\xE5\xB8\x82\xE6\x94\xBF\xE5\xBA\x9C"
    "\xE5\x8F\xAC\xE5\xBC\x80\xE6\x96\xB0\xE9\x97\xBB\xE5\x8F\x91\xE5\xB8\x83\xE4\xBC\x9A\xEF\xBC\x8C"
    "\xE4\xBB\x8B\xE7\xBB\x8D\xE4\xBA\x86\xE4\xBB\x8A\xE5\xB9\xB4\xE5\x9F\x8E\xE5\xB8\x82\xE4\xBA\xA4"
    "\xE9\x80\x9A\xE5\xBB\xBA\xE8\xAE\xBE\xE7\x9A\x84\xE8\xBF\x9B\xE5\xB1\x95\xE6\x83\x85\xE5\x86\xB5"
    "\xE3\x80\x82\xE6\x8D\xAE\xE4\xBB\x8B\xE7\xBB\x8D\xEF\xBC\x8C\xE5\x85\xA8\xE5\xB8\x82\xE6\x96\xB0"
    "\xE5\xBB\xBA\xE9\x81\x93\xE8\xB7\xAF\xE4\xB8\x80\xE7\x99\xBE\xE4\xBA\x8C\xE5\x8D\x81\xE5\x85\xAC"
    "\xE9\x87\x8C\xEF\xBC\x8C\xE5\x9C\xB0\xE9\x93\x81\xE7\xBA\xBF\xE8\xB7\xAF\xE5\xBB\xB6\xE9\x95\xBF"
    "\xE4\xBA\x86\xE4\xB8\x89\xE5\x8D\x81\xE5\x85\xAC\xE9\x87\x8C\xEF\xBC\x8C\xE5\x85\xAC\xE4\xBA\xA4"
    "\xE8\xBD\xA6\xE7\xAB\x99\xE5\xA2\x9E\xE5\x8A\xA0\xE4\xBA\x86\xE4\xB8\xA4\xE7\x99\xBE\xE4\xB8\xAA"
    "\xE3\x80\x82"
    "\n"
    "\xE8\xAE\xB0\xE8\x80\x85\xE4\xBA\x86\xE8\xA7\xA3\xE5\x88\xB0\xEF\xBC\x8C\xE6\x98\x8E\xE5\xB9\xB4"
    "\xE8\xBF\x98\xE5\xB0\x86\xE5\xBC\x80\xE5\xB7\xA5\xE5\xBB\xBA\xE8\xAE\xBE\xE4\xB8\x89\xE6\x9D\xA1"
    "\xE6\x96\xB0\xE7\x9A\x84\xE5\x9C\xB0\xE9\x93\x81\xE7\xBA\xBF\xE8\xB7\xAF\xE3\x80\x82";

static void test_unspaced_scripts(void **s)
{
    (void)s;
    assert_true(annotated(zh, "words", "") >= 80);
    assert_true(annotated(zh, "line_punct_ratio", "") == 1);
    assert_true(annotated(zh, "list_ratio", "") < 0.05); /* a newline per line of 48 words, not per 1 */
    /* Han characters in a text of another script are words, but not
     * one-letter ones of its mean word length */
    assert_true(annotated("Commuters learn the word \xE7\x97\xB4\xE6\xBC\xA2 early, along with "
                          "\xE9\x9B\xBB\xE8\xBB\x8A and \xE9\xA7\x85, on their crowded morning trains.",
                          "mean_word_length", "") > 4.5);
    /* every rule at its default keeps it: Gopher's n-gram fractions, whose
     * whitespace words are clauses here (one 3-gram was the whole text),
     * do not vote; before, it was dropped by max_top_2_gram_char_frac */
    expect_drop("", zh, NULL);
    th_plugin *p = th_open(CV_STEP, "quality", "annotate: true", NULL);
    const char *unmeasured[] = {"mean_word_length", "top_2_gram_char_frac", "dup_5_gram_char_frac", NULL};
    cv_doc *d = th_doc("x", zh);
    th_process(p, d);
    for (const char **k = unmeasured; *k; k++)
        assert_true(json_is_null(json_object_get(json_object_get(d->meta, "quality"), *k)));
    cv_doc_free(d);
    d = th_doc("y", /* Thai: the government's plan for public transport in the capital */
               "\xE0\xB8\xA7\xE0\xB8\xB1\xE0\xB8\x99\xE0\xB8\x99\xE0\xB8\xB5\xE0\xB9\x89\xE0\xB8\xA3\xE0\xB8\xB1"
               "\xE0\xB8\x90\xE0\xB8\x9A\xE0\xB8\xB2\xE0\xB8\xA5\xE0\xB8\x9B\xE0\xB8\xA3\xE0\xB8\xB0\xE0\xB8\x81"
               "\xE0\xB8\xB2\xE0\xB8\xA8\xE0\xB9\x81\xE0\xB8\x9C\xE0\xB8\x99\xE0\xB8\x81\xE0\xB8\xB2\xE0\xB8\xA3"
               "\xE0\xB8\x9E\xE0\xB8\xB1\xE0\xB8\x92\xE0\xB8\x99\xE0\xB8\xB2\xE0\xB8\xA3\xE0\xB8\xB0\xE0\xB8\x9A"
               "\xE0\xB8\x9A\xE0\xB8\x82\xE0\xB8\x99\xE0\xB8\xAA\xE0\xB9\x88\xE0\xB8\x87\xE0\xB8\xAA\xE0\xB8\xB2"
               "\xE0\xB8\x98\xE0\xB8\xB2\xE0\xB8\xA3\xE0\xB8\x93\xE0\xB8\xB0\xE0\xB9\x83\xE0\xB8\x99\xE0\xB9\x80"
               "\xE0\xB8\xA1\xE0\xB8\xB7\xE0\xB8\xAD\xE0\xB8\x87\xE0\xB8\xAB\xE0\xB8\xA5\xE0\xB8\xA7\xE0\xB8\x87");
    th_process(p, d);
    const char *thai_unmeasured[] = {"words", "mean_word_length", "line_punct_ratio", NULL};
    for (const char **k = thai_unmeasured; *k; k++)
        assert_true(json_is_null(json_object_get(json_object_get(d->meta, "quality"), *k)));
    cv_doc_free(d);
    th_close(p);
    expect_drop("", "Too short a text.", "quality:min_words"); /* a spaced script still is */
}

/* fineweb_line_min_words: FineWeb's line rules judge the lines C4's filter
 * leaves them in FineWeb's pipeline.  A recipe's headings, amounts and
 * labels are short lines without a full stop: every line, they fail
 * max_short_line_ratio; the lines of three words or more (a Han character
 * a word) pass, and the text is not edited. */
static const char recipe[] = "Lemon cake\n\nIngredients\n\n200 g flour\n3 eggs\n2 lemons\n\nMethod\n\n"
                             "Beat the eggs with the sugar until pale, then fold in the flour and the zest of the "
                             "lemons.\n\nBake it for forty minutes, until a skewer comes out clean.\n\nServes\n\n8";

static void test_fineweb_after_c4(void **s)
{
    (void)s;
    /* too short for min_words, and of more lines than max_list_ratio allows: those off */
#define RECIPE_OPTS "min_words: -1\nmax_list_ratio: -1\n"
    expect_drop(RECIPE_OPTS, recipe, "quality:max_short_line_ratio");
    expect_drop(RECIPE_OPTS "fineweb_line_min_words: 3\n", recipe, NULL);
    assert_true(annotated(recipe, "short_line_ratio", "fineweb_line_min_words: 3\n") < 0.34); /* 1 of 3 */
    assert_true(annotated(recipe, "line_punct_ratio", "fineweb_line_min_words: 3\n") > 0.66); /* 2 of 3 */
    /* and max_list_ratio counts the line breaks of the text FineWeb sees,
     * those 3 lines joined: 2 in about 40 words, not the 13 (blank lines
     * between paragraphs among them) that dropped it before */
    assert_true(annotated(recipe, "list_ratio", "fineweb_line_min_words: 3\n") < 0.1);
    expect_drop("min_words: -1\nfineweb_line_min_words: 3\n", recipe, NULL);
    /* a line of Chinese has no spaces: its characters are its words */
    assert_true(annotated(zh, "line_punct_ratio", "fineweb_line_min_words: 3\n") == 1);
    /* no line of three words: FineWeb's line rules do not vote */
    th_plugin *p = th_open(CV_STEP, "quality", "annotate: true\nfineweb_line_min_words: 3\n", NULL);
    cv_doc *d = th_doc("x", "Menu\n\nHome\n\nNews today\n\nContact");
    th_process(p, d);
    json_t *q = json_object_get(d->meta, "quality");
    assert_true(json_is_null(json_object_get(q, "short_line_ratio")));
    assert_true(json_is_null(json_object_get(q, "line_punct_ratio")));
    cv_doc_free(d);
    th_close(p);
}

/* A vowel sign or a virama is part of its letter, not a non-letter: a
 * Hindi sentence is a third marks (0.37 non-letters before). */
static void test_combining_marks(void **s)
{
    (void)s;
    static const char hindi[] = /* the government announced a new public transport plan for the capital */
        "\xE0\xA4\xB8\xE0\xA4\xB0\xE0\xA4\x95\xE0\xA4\xBE\xE0\xA4\xB0\x20\xE0\xA4\xA8\xE0\xA5\x87\x20"
        "\xE0\xA4\xAE\xE0\xA4\x82\xE0\xA4\x97\xE0\xA4\xB2\xE0\xA4\xB5\xE0\xA4\xBE\xE0\xA4\xB0\x20\xE0"
        "\xA4\x95\xE0\xA5\x8B\x20\xE0\xA4\xB0\xE0\xA4\xBE\xE0\xA4\x9C\xE0\xA4\xA7\xE0\xA4\xBE\xE0\xA4"
        "\xA8\xE0\xA5\x80\x20\xE0\xA4\xAE\xE0\xA5\x87\xE0\xA4\x82\x20\xE0\xA4\xB8\xE0\xA4\xBE\xE0\xA4"
        "\xB0\xE0\xA5\x8D\xE0\xA4\xB5\xE0\xA4\x9C\xE0\xA4\xA8\xE0\xA4\xBF\xE0\xA4\x95\x20\xE0\xA4\xAA"
        "\xE0\xA4\xB0\xE0\xA4\xBF\xE0\xA4\xB5\xE0\xA4\xB9\xE0\xA4\xA8\x20\xE0\xA4\x95\xE0\xA5\x80\x20"
        "\xE0\xA4\xA8\xE0\xA4\x88\x20\xE0\xA4\xAF\xE0\xA5\x8B\xE0\xA4\x9C\xE0\xA4\xA8\xE0\xA4\xBE\x20"
        "\xE0\xA4\x95\xE0\xA5\x80\x20\xE0\xA4\x98\xE0\xA5\x8B\xE0\xA4\xB7\xE0\xA4\xA3\xE0\xA4\xBE\x20"
        "\xE0\xA4\x95\xE0\xA5\x80\xE0\xA5\xA4";
    assert_true(annotated(hindi, "non_letter_fraction", "") < 0.05);
}

/* C4: lines with its phrases go (counted), documents with lorem ipsum or a brace are dropped. */
static void test_c4(void **s)
{
    (void)s;
    const char *c4 = SHORT "c4_rules: " TEST_SOURCE_DIR "/../config/quality/c4.yaml\n"
                     "min_terminal_line_fraction: -1\nmin_line_punct_ratio: -1\n";
    th_plugin *p = th_open(CV_STEP, "quality", c4, NULL);
    if (!p->inst)
        fail_msg("create: %s", p->error);
    cv_doc *d = th_doc("x", "The council approved the plan on Monday evening.\nPlease enable JavaScript to view this page.\n"
                            "This site uses cookies to improve your experience.\nThe work starts in May next year.");
    assert_int_equal(th_process(p, d), CV_OK);
    assert_string_equal(d->text, "The council approved the plan on Monday evening.\nThe work starts in May next year.");
    assert_int_equal(th_counter(p, "removed:c4_javascript"), 1);
    assert_int_equal(th_counter(p, "removed:c4_policy"), 1);
    cv_doc_free(d);
    d = th_doc("y", "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.");
    assert_int_equal(th_process(p, d), CV_DROP);
    assert_string_equal(d->drop_reason, "quality:lorem_ipsum");
    cv_doc_free(d);
    /* C4 looks for it only on lines of 3 words or more, the lines it keeps:
     * a template's two-word placeholder heading does not drop the page */
    d = th_doc("v", "Lorem ipsum\nThe council approved the plan on Monday evening.\nThe work starts in May next year.");
    assert_int_equal(th_process(p, d), CV_OK);
    cv_doc_free(d);
    th_close(p);
    char yaml[1024];
    snprintf(yaml, sizeof yaml, "%sdrop_curly_bracket: true\n", c4);
    expect_drop(yaml, "The function returns {a value} when it is called by the main loop here.",
                "quality:curly_bracket");
    snprintf(yaml, sizeof yaml, "%sc4_min_words_per_line: 3\n", c4);
    p = th_open(CV_STEP, "quality", yaml, NULL);
    d = th_doc("z", "A headline\nThe first full line of the story has enough words.\nMore to come");
    assert_int_equal(th_process(p, d), CV_OK);
    assert_string_equal(d->text, "The first full line of the story has enough words.\nMore to come");
    assert_int_equal(th_counter(p, "removed:c4_too_few_words"), 1);
    cv_doc_free(d);
    /* removed first, between kept runs (blank lines kept) and last: the kept lines as they were,
     * the trailing line breaks cut */
    d = th_doc("w", "Short one\nThe first full line of the story has enough words.\n\nThe second line of it "
                    "has enough too.\nOnly two\n\nThe third line of the story ends it here.\n\nCut off\n");
    assert_int_equal(th_process(p, d), CV_OK);
    assert_string_equal(d->text, "The first full line of the story has enough words.\n\nThe second line of it has "
                                 "enough too.\n\nThe third line of the story ends it here.");
    assert_int_equal(th_counter(p, "removed:c4_too_few_words"), 4);
    cv_doc_free(d);
    th_close(p);
}

/* Linear in words: 100k lines (1.1M words), the second half a copy of the
 * first, through the repetition counts.  Tables sized or probed wrongly
 * (a fixed size, a bad hash) take minutes here; linear ones, about a second.
 * The bound is ctest's timeout, not a clock in the test.  The values follow
 * from the construction: every line of the copy repeats one, and the most
 * common 2-, 3- and 4-grams are the first ones in every line. */
static void test_many_lines(void **s)
{
    (void)s;
    enum { N = 100000, LINE = 64 };
    char *text = malloc((size_t)N * LINE);
    assert_non_null(text);
    size_t len = 0, copy_chars = 0;
    for (int i = 0; i < N; i++) {
        int k = i % (N / 2);
        int n = sprintf(text + len, "%sLine %d tells what the town did on day %d.", i ? "\n" : "", k, k);
        len += (size_t)n;
        copy_chars += i >= N / 2 ? (size_t)n - 1 : 0; /* without the newline */
    }
    th_plugin *p = th_open(CV_STEP, "quality", "annotate: true\n", NULL);
    if (!p->inst)
        fail_msg("create: %s", p->error);
    cv_doc *d = th_doc("book", text);
    assert_int_equal(th_process(p, d), CV_OK);
    json_t *q = json_object_get(d->meta, "quality");
    const struct {
        const char *signal;
        double want;
    } cases[] = {
        {"dup_line_frac", 0.5},
        {"dup_para_frac", 0},
        {"dup_line_char_frac", (double)copy_chars / (double)len},
        {"top_2_gram_char_frac", 10.0 * N / (double)len},  /* "tells what", in every line */
        {"top_3_gram_char_frac", 14.0 * N / (double)len},  /* "tells what the" */
        {"top_4_gram_char_frac", 19.0 * N / (double)len},  /* "tells what the town" */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        json_t *v = json_object_get(q, cases[i].signal);
        if (!json_is_number(v) || fabs(json_number_value(v) - cases[i].want) > 1e-4)
            fail_msg("%s: %g, expected %g", cases[i].signal, json_number_value(v), cases[i].want);
    }
    /* the copy's n-grams repeat the first half's, and short ones repeat inside the first
     * half too; counted without the spaces, the copy alone is about 41% of the text */
    for (int n = 5; n <= 10; n++) {
        char key[32];
        snprintf(key, sizeof key, "dup_%d_gram_char_frac", n);
        double v = json_number_value(json_object_get(q, key));
        if (v < 0.38 || v > 1)
            fail_msg("%s: %g, expected 0.38 to 1", key, v);
    }
    cv_doc_free(d);
    th_close(p);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_passes),
        cmocka_unit_test(test_reasons), cmocka_unit_test(test_symbols_each_alone),
        cmocka_unit_test(test_terminal_lines_off),
        cmocka_unit_test(test_unfinished_tail),
        cmocka_unit_test(test_unfinished_before_chrome),
        cmocka_unit_test(test_detail_has_value),
        cmocka_unit_test(test_thresholds),
        cmocka_unit_test(test_published_defaults),
        cmocka_unit_test(test_stop_words),
        cmocka_unit_test(test_c4),
        cmocka_unit_test(test_unspaced_scripts),
        cmocka_unit_test(test_fineweb_after_c4),
        cmocka_unit_test(test_combining_marks),
        cmocka_unit_test(test_many_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
