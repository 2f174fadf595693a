/* dedup: exact and near duplicates, first wins, the duplicate is named,
 * and the result does not depend on anything but the input order. */
#include <stdio.h>
#include <string.h>

#include "harness.h"

static const char story[] =
    "The regional council approved a plan on Monday to rebuild the old river bridge, which has been closed to "
    "traffic since the spring floods damaged two of its supports. Engineers said the work would take about "
    "eighteen months and cost roughly forty million. Residents of the eastern districts have had to drive an "
    "extra twenty kilometres to reach the city centre while the bridge was closed.";

static cv_status feed(th_plugin *p, const char *id, const char *text, cv_doc **out)
{
    cv_doc *d = th_doc(id, text);
    cv_status st = th_process(p, d);
    if (out)
        *out = d;
    else
        cv_doc_free(d);
    return st;
}

static void test_exact(void **s)
{
    (void)s;
    th_plugin *p = th_open(CV_STEP, "dedup", "near: false", NULL);
    assert_int_equal(feed(p, "a", story, NULL), CV_OK);
    char *shouted = cv_xstrdup(story);
    for (char *c = shouted; *c; c++)
        if (*c >= 'a' && *c <= 'z')
            *c = (char)(*c - 32);
    cv_doc *d;
    assert_int_equal(feed(p, "b", shouted, &d), CV_DROP); /* case and spacing do not hide a copy */
    assert_string_equal(d->drop_reason, "dedup:exact_duplicate");
    assert_string_equal(d->drop_detail, "a");
    cv_doc_free(d);
    assert_int_equal(feed(p, "c", "Something else entirely, of a different kind.", NULL), CV_OK);
    free(shouted);
    th_close(p);
}

static void test_near_containment(void **s)
{
    (void)s;
    th_plugin *p = th_open(CV_STEP, "dedup", "", NULL);
    char longer[4096];
    snprintf(longer, sizeof longer,
             "%s The council also discussed the budget for schools and agreed to meet again next week to vote on "
             "a new plan for public transport in the northern suburbs, where bus routes were cut last year. Local "
             "shop owners welcomed the decision and said trade had fallen by a third since the bridge closed.",
             story);
    assert_int_equal(feed(p, "long", longer, NULL), CV_OK);
    cv_doc *d;
    assert_int_equal(feed(p, "short", story, &d), CV_DROP);
    assert_string_equal(d->drop_reason, "dedup:near_duplicate");
    assert_non_null(strstr(d->drop_detail, "long (similarity"));
    cv_doc_free(d);
    th_close(p);

    /* With Jaccard the same pair is not similar enough. */
    p = th_open(CV_STEP, "dedup", "measure: jaccard\nthreshold: 0.8", NULL);
    assert_int_equal(feed(p, "long", longer, NULL), CV_OK);
    assert_int_equal(feed(p, "short", story, NULL), CV_OK);
    th_close(p);
}

static void test_near_edit(void **s)
{
    (void)s;
    th_plugin *p = th_open(CV_STEP, "dedup", "measure: jaccard\nthreshold: 0.7\nbands: 20\nrows: 5", NULL);
    assert_int_equal(feed(p, "orig", story, NULL), CV_OK);
    char edited[2048];
    snprintf(edited, sizeof edited, "%s", story);
    memcpy(strstr(edited, "Monday"), "Friday", 6); /* one word changed */
    cv_doc *d;
    assert_int_equal(feed(p, "edit", edited, &d), CV_DROP);
    assert_string_equal(d->drop_reason, "dedup:near_duplicate");
    cv_doc_free(d);
    assert_int_equal(feed(p, "other", "A completely different report about a football match in which the home "
                                       "side won three to nil after a long and rainy afternoon at the stadium.",
                          NULL),
                     CV_OK);
    th_close(p);
}

static void test_short_docs(void **s)
{
    (void)s;
    /* Fewer words than the n-gram: the whole text is one shingle. */
    th_plugin *p = th_open(CV_STEP, "dedup", "", NULL);
    assert_int_equal(feed(p, "a", "Two words", NULL), CV_OK);
    assert_int_equal(feed(p, "b", "Other words", NULL), CV_OK);
    assert_int_equal(feed(p, "c", "", NULL), CV_OK);
    cv_doc *d;
    assert_int_equal(feed(p, "d", "", &d), CV_DROP);
    assert_string_equal(d->drop_reason, "dedup:exact_duplicate");
    cv_doc_free(d);
    th_close(p);
}

static void test_bad_options(void **s)
{
    (void)s;
    th_plugin *p = th_open(CV_STEP, "dedup", "measure: cosine", NULL);
    assert_null(p->inst);
    assert_non_null(strstr(p->error, "measure must be jaccard or containment"));
    th_close(p);
    p = th_open(CV_STEP, "dedup", "threshold: 1.5", NULL);
    assert_null(p->inst);
    th_close(p);
}

static void test_serial_flag(void **s)
{
    (void)s;
    th_plugin *p = th_open(CV_STEP, "dedup", "", NULL);
    assert_true(p->desc->flags & CV_FLAG_SERIAL); /* state across documents needs input order */
    th_close(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact),       cmocka_unit_test(test_near_containment),
        cmocka_unit_test(test_near_edit),   cmocka_unit_test(test_short_docs),
        cmocka_unit_test(test_bad_options), cmocka_unit_test(test_serial_flag),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
