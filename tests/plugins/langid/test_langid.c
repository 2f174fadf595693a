/* langid: accuracy on labelled texts written for this test (tests/data/langid),
 * the keep-list, and "und" for what cannot be told. */
#include <stdio.h>
#include <string.h>

#include "harness.h"

static void test_accuracy(void **s)
{
    (void)s;
    th_plugin *p = th_open(CV_STEP, "langid", "", NULL);
    assert_non_null(p->inst);
    FILE *f = fopen(TEST_SOURCE_DIR "/data/langid/labelled.tsv", "r");
    assert_non_null(f);
    char line[8192];
    int total = 0, right = 0, cyr_total = 0, cyr_right = 0;
    while (fgets(line, sizeof line, f)) {
        char *tab = strchr(line, '\t');
        if (!tab)
            continue;
        *tab = '\0';
        char *text = tab + 1;
        text[strcspn(text, "\n")] = '\0';
        cv_doc *d = th_doc("x", text);
        assert_int_equal(th_process(p, d), CV_OK);
        const char *got = cv_meta_get_string(d, "lang");
        int ok = got && !strcmp(got, line);
        if (!ok)
            printf("wrong: want %s got %s: %.60s\n", line, got ? got : "(none)", text);
        total++;
        right += ok;
        if (strcmp(line, "en")) {
            cyr_total++;
            cyr_right += ok;
        }
        cv_doc_free(d);
    }
    fclose(f);
    printf("langid: %d/%d right overall, %d/%d on bg/uk/ru\n", right, total, cyr_right, cyr_total);
    assert_true(cyr_total >= 45);
    assert_true(cyr_right * 100 >= cyr_total * 95); /* the bar: 95% on Cyrillic texts of 200+ chars */
    assert_true(right * 100 >= total * 95);
    th_close(p);
}

static void test_keep_and_und(void **s)
{
    (void)s;
    th_plugin *p = th_open(CV_STEP, "langid", "keep: [bg, uk]", NULL);
    cv_doc *d = th_doc("x", "Министерството на земеделието обяви, че тази година реколтата от пшеница е с около десет "
                            "процента по-голяма от миналогодишната, а фермерите са доволни.");
    assert_int_equal(th_process(p, d), CV_OK);
    assert_string_equal(cv_meta_get_string(d, "lang"), "bg");
    cv_doc_free(d);
    d = th_doc("y", "The city council voted on Tuesday to extend the tram line to the airport, a project that has "
                    "been discussed for more than a decade by everyone in town.");
    d->stage = "langid";
    assert_int_equal(th_process(p, d), CV_DROP);
    assert_string_equal(d->drop_reason, "langid:en");
    cv_doc_free(d);
    d = th_doc("z", "12 34");
    assert_int_equal(th_process(p, d), CV_DROP);
    assert_string_equal(d->drop_reason, "langid:und");
    cv_doc_free(d);
    th_close(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accuracy),
        cmocka_unit_test(test_keep_and_und),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
