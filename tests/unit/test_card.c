/* The dataset card, from a report as a run makes it: YAML front matter the
 * Hub reads (name quoted, licence, languages without "und", tasks, size
 * category, one config per writer with Parquet the default and splits in
 * train/validation/test order), then the counts as the report has them.
 * tests/tools/check_card.py checks real runs' cards against the Hub's
 * format; this checks the mapping from report to card, case by case. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "card.h"
#include "report.h"

static cv_report *sample(const char *card_json, const char *writers_json)
{
    cv_report *r = cv_report_new();
    for (int i = 0; i < 3; i++)
        cv_report_read(r, 100, 90);
    cv_report_written(r, 90, "validation", "bg");
    cv_report_written(r, 80, NULL, "uk");
    cv_report_written(r, 70, "train", "und");
    cv_report_dropped(r, "dedup:near_duplicate");
    cv_report_output(r, "validation.jsonl", "jsonl", 1, "validation");
    cv_report_output(r, "train.jsonl", "jsonl", 1, "train");
    cv_report_output(r, "train.parquet", "parquet", 2, "train");
    cv_report_output(r, "work.bin", "dedup", 0, NULL); /* a step's file: no config */
    json_error_t je;
    json_t *pipe = json_pack("{s:s, s:s, s:{s:s}, s:[], s:o}", "config", "/data/cfg/news-set.yaml", "input",
                             "seeds.tar.gz", "reader", "plugin", "archive", "steps", "writers",
                             json_loads(writers_json, 0, &je));
    if (card_json)
        json_object_set_new(pipe, "card", json_loads(card_json, 0, &je));
    cv_report_set_pipeline(r, pipe);
    cv_report_finish(r, 1.0, "ok");
    return r;
}

static char *card_of(cv_report *r)
{
    json_t *j = cv_report_object(r);
    char *md = cv_card_markdown(j);
    json_decref(j);
    cv_report_free(r);
    assert_non_null(md);
    return md;
}

static void has(const char *md, const char *want)
{
    if (!strstr(md, want))
        fail_msg("card lacks '%s':\n%s", want, md);
}

static void lacks(const char *md, const char *what)
{
    if (strstr(md, what))
        fail_msg("card has '%s':\n%s", what, md);
}

static void test_front_matter(void **state)
{
    (void)state;
    char *md = card_of(sample("{\"pretty_name\": \"Seed \\\"news\\\": bg\", \"license\": \"cc-by-4.0\"}",
                              "[{\"plugin\": \"jsonl\"}, {\"plugin\": \"parquet\"}]"));
    assert_int_equal(strncmp(md, "---\npretty_name: \"Seed \\\"news\\\": bg\"\n", 37), 0);
    has(md, "\nlicense: cc-by-4.0\n");
    has(md, "language:\n- \"bg\"\n- \"uk\"\n");
    lacks(md, "- \"und\"");
    has(md, "task_categories:\n- text-generation\n");
    lacks(md, "token-classification");
    has(md, "size_categories:\n- n<1K\n");
    /* one config per writer; Parquet the default; train before validation */
    has(md, "- config_name: jsonl\n  data_files:\n  - split: train\n    path:\n    - \"train.jsonl\"\n"
            "  - split: validation\n    path:\n    - \"validation.jsonl\"\n");
    has(md, "- config_name: parquet\n  default: true\n");
    lacks(md, "work.bin\"");
    const char *end = strstr(md + 4, "\n---\n\n");
    assert_non_null(end);
    has(end, "# Seed \"news\": bg\n");
    has(end, "Of 3 documents read, 3 were written and 1 dropped");
    free(md);
}

static void test_defaults(void **state)
{
    (void)state;
    /* No card: options: the config's name, no licence, and a CoNLL writer
     * makes it a token-classification set too. */
    char *md = card_of(sample(NULL, "[{\"plugin\": \"jsonl\"}, {\"plugin\": \"conll\"}]"));
    has(md, "---\npretty_name: \"news-set\"\n");
    lacks(md, "license:");
    has(md, "task_categories:\n- text-generation\n- token-classification\n");
    /* the same report, the same card */
    char *again = card_of(sample(NULL, "[{\"plugin\": \"jsonl\"}, {\"plugin\": \"conll\"}]"));
    assert_string_equal(md, again);
    free(again);
    free(md);
    /* task_categories as set replace the defaults */
    md = card_of(sample("{\"task_categories\": [\"text-classification\"]}", "[{\"plugin\": \"jsonl\"}]"));
    has(md, "task_categories:\n- text-classification\nsize_categories");
    free(md);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_front_matter),
        cmocka_unit_test(test_defaults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
