/* quality: each filter drops with its reason; a good text passes. */
#include <stdio.h>
#include <string.h>

#include "harness.h"

static const char good[] =
    "The committee met on Tuesday to discuss the new budget for the regional hospitals.\n"
    "Members agreed that the funding for emergency care should rise by ten percent next year.\n"
    "The chair said the decision reflected the growing number of patients in the winter months.\n"
    "A final vote on the full budget is expected before the end of the month.";

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
    expect_drop("min_words: 3", "Menu item one\nMenu item two\nMenu item three\nOne full sentence here.",
                "quality:min_terminal_line_fraction");
    expect_drop("min_words: 3", "Same line again.\nSame line again.\nSame line again.\nAnother line here.",
                "quality:max_duplicate_line_fraction");
}

static void test_unfinished_tail(void **s)
{
    (void)s;
    th_plugin *p = th_open(CV_STEP, "quality", "min_words: 3\ndrop_unfinished_tail: true", NULL);
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
    th_plugin *p = th_open(CV_STEP, "quality", "min_words: 3\ndrop_unfinished_tail: true", NULL);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_passes),
        cmocka_unit_test(test_reasons),
        cmocka_unit_test(test_unfinished_tail),
        cmocka_unit_test(test_unfinished_before_chrome),
        cmocka_unit_test(test_detail_has_value),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
