/* dedup: exact and near duplicates, first wins, the duplicate is named,
 * and the result does not depend on anything but the input order. */
#include <pthread.h>
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
    /* Refused by the core from the option map, */
    const char *why = th_refusal(CV_STEP, "dedup", "measure: cosine", NULL);
    assert_non_null(why);
    assert_non_null(strstr(why, "option 'measure' must be one of jaccard|containment"));
    assert_non_null(th_refusal(CV_STEP, "dedup", "ngram: 0", NULL));
    assert_non_null(th_refusal(CV_STEP, "dedup", "ngram: 65", NULL));
    assert_non_null(th_refusal(CV_STEP, "dedup", "phase: merge", NULL));
    /* or by dedup, where one option alone cannot say it. */
    assert_non_null(strstr(th_refusal(CV_STEP, "dedup", "threshold: 1.5", NULL), "threshold must be in (0, 1]"));
    assert_non_null(strstr(th_refusal(CV_STEP, "dedup", "threshold: 0", NULL), "threshold must be in (0, 1]"));
    assert_non_null(strstr(th_refusal(CV_STEP, "dedup", "bands: 100\nrows: 41", NULL), "bands * rows"));
    assert_null(th_refusal(CV_STEP, "dedup", "bands: 64\nrows: 64\nngram: 64\nthreshold: 1", NULL));
}

static void test_serial_flag(void **s)
{
    (void)s;
    th_plugin *p = th_open(CV_STEP, "dedup", "", NULL);
    assert_true(p->desc->flags & CV_FLAG_SERIAL); /* state across documents needs input order */
    th_close(p);
}

/* prepare() (ABI 1.1) runs on any worker, several at once, before the serial
 * turn; process() must decide the same with or without it, and with it on
 * only some documents (every fifth is left out here). */
typedef struct prep_job {
    th_plugin *p;
    cv_doc **docs;
    size_t n, from, step;
} prep_job;

static void *prepare_some(void *arg)
{
    prep_job *j = arg;
    for (size_t i = j->from; i < j->n; i += j->step)
        if (i % 5 != 4)
            j->p->desc->prepare(j->p->inst, j->docs[i]);
    return NULL;
}

static void test_prepare_same_result(void **s)
{
    (void)s;
    enum { N = 48, THREADS = 4 };
    static const char *const configs[] = {"", "exact: false", "measure: jaccard"};
    for (size_t c = 0; c < sizeof configs / sizeof *configs; c++) {
        th_plugin *plain = th_open(CV_STEP, "dedup", configs[c], NULL);
        th_plugin *prepared = th_open(CV_STEP, "dedup", configs[c], NULL);
        assert_non_null(prepared->desc->prepare);
        cv_doc *a[N], *b[N];
        for (size_t i = 0; i < N; i++) {
            char text[sizeof story + 64], id[16];
            switch (i % 6) {
            case 0: snprintf(text, sizeof text, "%s", story); break;              /* exact copies */
            case 1: snprintf(text, sizeof text, "Update %zu. %s", i, story); break; /* near copies */
            case 2: snprintf(text, sizeof text, "%.*s", (int)(40 + i * 5), story); break;
            case 3: snprintf(text, sizeof text, "Story number %zu about something else entirely", i); break;
            case 4: snprintf(text, sizeof text, "%s", ""); break;
            default: snprintf(text, sizeof text, "%s Extra %zu.", story + i, i); break;
            }
            snprintf(id, sizeof id, "d%zu", i);
            a[i] = th_doc(id, text);
            b[i] = th_doc(id, text);
        }
        pthread_t t[THREADS];
        prep_job jobs[THREADS];
        for (size_t k = 0; k < THREADS; k++) {
            jobs[k] = (prep_job){prepared, b, N, k, THREADS};
            assert_int_equal(pthread_create(&t[k], NULL, prepare_some, &jobs[k]), 0);
        }
        for (size_t k = 0; k < THREADS; k++)
            pthread_join(t[k], NULL);
        size_t dropped = 0;
        for (size_t i = 0; i < N; i++) {
            assert_true((cv_doc_scratch(b[i]) != NULL) == (i % 5 != 4));
            cv_status sa = th_process(plain, a[i]), sb = th_process(prepared, b[i]);
            assert_int_equal(sa, sb);
            dropped += sa == CV_DROP;
            if (sa == CV_DROP) {
                assert_string_equal(a[i]->drop_reason, b[i]->drop_reason);
                assert_string_equal(a[i]->drop_detail, b[i]->drop_detail);
            }
            cv_doc_free(a[i]);
            cv_doc_free(b[i]);
        }
        assert_true(dropped > N / 3); /* the case is about duplicates: most copies go */
        th_close(plain);
        th_close(prepared);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact),       cmocka_unit_test(test_near_containment),
        cmocka_unit_test(test_near_edit),   cmocka_unit_test(test_short_docs),
        cmocka_unit_test(test_bad_options), cmocka_unit_test(test_serial_flag),
        cmocka_unit_test(test_prepare_same_result),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
