/* csv: RFC 4180 quoting, header, metadata columns, per-split files. */
#include <string.h>

#include "harness.h"

static void test_quoting(void **s)
{
    (void)s;
    char *dir = th_tmpdir();
    th_plugin *w = th_open(CV_WRITER, "csv", "columns: [id, text, lang, info.n, tags, missing]", dir);
    assert_non_null(w->inst);
    cv_doc *d = th_doc("a,1", "He said \"hi\",\nthen left.\r\nBye");
    cv_meta_set_string(d, "lang", "en");
    cv_meta_set_json(d, "info", "{\"n\": 3}");
    cv_meta_set_json(d, "tags", "[\"x\",\"y\"]");
    assert_int_equal(w->desc->write(w->inst, d), CV_OK);
    cv_doc_free(d);
    d = th_doc("b", "plain");
    cv_meta_set_string(d, "split", "test");
    assert_int_equal(w->desc->write(w->inst, d), CV_OK);
    cv_doc_free(d);
    assert_int_equal(th_commit(w), 0);
    th_close(w);
    char *got = th_output(dir, "train.csv", NULL);
    assert_string_equal(got, "id,text,lang,info.n,tags,missing\r\n"
                             "\"a,1\",\"He said \"\"hi\"\",\nthen left.\r\nBye\",en,3,\"[\"\"x\"\",\"\"y\"\"]\",\r\n");
    free(got);
    got = th_output(dir, "test.csv", NULL);
    assert_string_equal(got, "id,text,lang,info.n,tags,missing\r\nb,plain,,,,\r\n");
    free(got);
    th_rmrf(dir);
    free(dir);
}

static void test_bad_delimiter(void **s)
{
    (void)s;
    const char *why = th_refusal(CV_WRITER, "csv", "delimiter: '\"'", "/tmp");
    assert_non_null(why);
    assert_non_null(strstr(why, "delimiter must be one ASCII character"));
    assert_non_null(th_refusal(CV_WRITER, "csv", "columns: []", "/tmp"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quoting),
        cmocka_unit_test(test_bad_delimiter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
