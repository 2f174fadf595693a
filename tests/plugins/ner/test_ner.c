/* ner: longest match, inflected forms, custom labels, spans and metadata. */
#include <string.h>

#include "harness.h"

static const char *const steps_yaml[] = {
    "abbreviations: " TEST_SOURCE_DIR "/../config/segment/abbreviations.yaml\n",
    "gazetteer: " TEST_SOURCE_DIR "/plugins/ner/gazetteer.yaml\n",
};

/* Segment then tag; returns the doc. */
static cv_doc *tag(const char *text)
{
    th_plugin *seg = th_open(CV_STEP, "segment", steps_yaml[0], NULL);
    th_plugin *ner = th_open(CV_STEP, "ner", steps_yaml[1], NULL);
    assert_non_null(ner->inst);
    cv_doc *d = th_doc("x", text);
    assert_int_equal(th_process(seg, d), CV_OK);
    assert_int_equal(th_process(ner, d), CV_OK);
    th_close(seg);
    th_close(ner);
    return d;
}

static void expect_entities(const char *text, const char *want)
{
    cv_doc *d = tag(text);
    char got[1024] = "";
    for (size_t i = 0; i < cv_span_count(d); i++) {
        cv_span s;
        cv_span_get(d, i, &s);
        if (strcmp(s.type, "entity"))
            continue;
        if (got[0])
            strcat(got, "; ");
        strncat(got, d->text + s.start, s.end - s.start);
        strcat(got, "/");
        strcat(got, s.label);
    }
    if (strcmp(got, want))
        fail_msg("got [%s], want [%s]", got, want);
    cv_doc_free(d);
}

static void test_longest_match(void **s)
{
    (void)s;
    expect_entities("Ким Чен Ун и Ким се срещнаха.", "Ким Чен Ун/PER; Ким/PER");
    expect_entities("Ким Чен дойде.", "Ким/PER"); /* a partial long entry falls back to the shorter */
}

static void test_inflection(void **s)
{
    (void)s;
    expect_entities("Кім зустрівся з Путіним у Росії, а потім з Путина.", "Путіним/PER; Росії/LOC; Путина/PER");
    expect_entities("делегація Північної Кореї", ""); /* no entry: nothing */
    expect_entities("посли Северної Кореї", "Северної Кореї/LOC"); /* every word of an entry inflects */
}

static void test_custom_label_and_metadata(void **s)
{
    (void)s;
    cv_doc *d = tag("Титаник потъна. Путин говори. Путин мълча.");
    char *m = cv_meta_dump(d, "entities");
    assert_string_equal(m, "[{\"text\":\"Титаник\",\"label\":\"SHIP\"},{\"text\":\"Путин\",\"label\":\"PER\"}]");
    free(m);
    cv_doc_free(d);
}

static void test_without_tokens(void **s)
{
    (void)s;
    th_plugin *ner = th_open(CV_STEP, "ner", steps_yaml[1], NULL);
    cv_doc *d = th_doc("x", "Путин");
    assert_int_equal(th_process(ner, d), CV_OK);
    assert_int_equal(cv_span_count(d), 0);
    assert_int_equal(th_counter(ner, "documents_without_tokens"), 1);
    cv_doc_free(d);
    th_close(ner);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_longest_match),
        cmocka_unit_test(test_inflection),
        cmocka_unit_test(test_custom_label_and_metadata),
        cmocka_unit_test(test_without_tokens),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
