/* split: deterministic, proportional, seed-dependent. */
#include <stdio.h>
#include <string.h>

#include "harness.h"

static const char *split_of(th_plugin *p, const char *id)
{
    static char buf[32];
    cv_doc *d = th_doc(id, "");
    assert_int_equal(th_process(p, d), CV_OK);
    snprintf(buf, sizeof buf, "%s", cv_meta_get_string(d, "split"));
    cv_doc_free(d);
    return buf;
}

static void test_ratios_and_determinism(void **s)
{
    (void)s;
    th_plugin *a = th_open(CV_STEP, "split", "", NULL), *b = th_open(CV_STEP, "split", "", NULL);
    int counts[3] = {0};
    char id[32];
    for (int i = 0; i < 10000; i++) {
        snprintf(id, sizeof id, "doc-%d", i);
        char first[32];
        snprintf(first, sizeof first, "%s", split_of(a, id));
        assert_string_equal(first, split_of(b, id)); /* another instance agrees */
        counts[!strcmp(first, "train") ? 0 : !strcmp(first, "validation") ? 1 : 2]++;
    }
    /* 80/10/10 within a few standard deviations */
    assert_true(counts[0] > 7800 && counts[0] < 8200);
    assert_true(counts[1] > 880 && counts[1] < 1120);
    assert_true(counts[2] > 880 && counts[2] < 1120);
    th_close(a);
    th_close(b);
}

static void test_seed_and_all_train(void **s)
{
    (void)s;
    th_plugin *a = th_open(CV_STEP, "split", "", NULL), *b = th_open(CV_STEP, "split", "seed: 7", NULL);
    int differ = 0;
    char id[32];
    for (int i = 0; i < 200; i++) {
        snprintf(id, sizeof id, "doc-%d", i);
        char x[32];
        snprintf(x, sizeof x, "%s", split_of(a, id));
        differ += strcmp(x, split_of(b, id)) != 0;
    }
    assert_true(differ > 10);
    th_close(a);
    th_close(b);
    th_plugin *t = th_open(CV_STEP, "split", "train: 1\nvalidation: 0\ntest: 0", NULL);
    for (int i = 0; i < 100; i++) {
        snprintf(id, sizeof id, "%d", i);
        assert_string_equal(split_of(t, id), "train");
    }
    th_close(t);
    t = th_open(CV_STEP, "split", "train: 0\nvalidation: 0\ntest: 0", NULL);
    assert_null(t->inst);
    th_close(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ratios_and_determinism),
        cmocka_unit_test(test_seed_and_all_train),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
