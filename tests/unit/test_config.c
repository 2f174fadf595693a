/* Config errors: every kind, each with the line and column it names. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "options.h"

static char path[64];

/* Write `yaml` to a temp file and load it; returns the config or NULL with err. */
static cv_config *load(const char *yaml, cv_err *err)
{
    snprintf(path, sizeof path, "/tmp/cv-config-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, yaml, strlen(yaml)), (ssize_t)strlen(yaml));
    close(fd);
    cv_config *c = cv_config_load(path, err);
    unlink(path);
    return c;
}

static void expect_error(const char *yaml, int line, int col, const char *needle)
{
    cv_err err = {0};
    cv_config *c = load(yaml, &err);
    if (c)
        fail_msg("config loaded, expected an error containing '%s'", needle);
    if (!strstr(err.msg, needle))
        fail_msg("error '%s' does not contain '%s'", err.msg, needle);
    assert_string_equal(err.file, path);
    assert_int_equal(err.line, line);
    if (col)
        assert_int_equal(err.col, col);
}

static const char good[] = "reader:\n  plugin: archive\n  path: x.tar\nsteps:\n  - plugin: normalize\n  - dedup\n"
                           "writers:\n  - plugin: jsonl\nthreads: 2\non_error: abort\noutput: out\n";

static void test_good(void **state)
{
    (void)state;
    cv_err err = {0};
    cv_config *c = load(good, &err);
    assert_non_null(c);
    assert_string_equal(c->reader.plugin, "archive");
    assert_int_equal(c->nsteps, 2);
    assert_string_equal(c->steps[0].plugin, "normalize");
    assert_string_equal(c->steps[1].plugin, "dedup"); /* the bare-name shorthand */
    assert_int_equal(c->nwriters, 1);
    assert_int_equal(c->threads, 2);
    assert_true(c->on_error_abort);
    assert_string_equal(c->output, "/tmp/out"); /* relative to the config's folder */
    cv_config_free(c);
}

static void test_syntax_error(void **state)
{
    (void)state;
    expect_error("reader:\n  plugin: archive\n  path: [unclosed\nwriters: []\n", 4, 0, "YAML syntax error");
}

static void test_unknown_top_key(void **state)
{
    (void)state;
    expect_error("reader: archive\nwriter:\n  - jsonl\n", 2, 1, "unknown top-level key 'writer'");
}

static void test_missing_reader(void **state)
{
    (void)state;
    expect_error("writers:\n  - jsonl\n", 1, 1, "no 'reader:'");
}

static void test_stage_without_plugin(void **state)
{
    (void)state;
    expect_error("reader: archive\nsteps:\n  - rules: x\nwriters: [jsonl]\n", 3, 5, "no 'plugin: NAME'");
}

static void test_duplicate_key(void **state)
{
    (void)state;
    expect_error("reader: archive\nwriters: [jsonl]\nreader: jsonl\n", 3, 1, "duplicate key 'reader'");
}

static void test_alias_rejected(void **state)
{
    (void)state;
    expect_error("reader: &r archive\nwriters: [*r]\n", 1, 9, "anchors and aliases");
}

static void test_alias_bomb(void **state)
{
    (void)state;
    /* The "billion laughs": refused at the first anchor, long before it expands. */
    expect_error("a: &a [\"lol\",\"lol\",\"lol\"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n",
                 1, 4, "anchors and aliases");
}

static void test_deep_nesting(void **state)
{
    (void)state;
    char yaml[4096] = "reader: ";
    for (int i = 0; i < 200; i++)
        strcat(yaml, "[");
    expect_error(yaml, 1, 0, "nesting deeper than 64");
}

static void test_bad_threads(void **state)
{
    (void)state;
    expect_error("reader: archive\nwriters: [jsonl]\nthreads: lots\n", 3, 10, "'threads' must be");
}

static void test_empty_writers(void **state)
{
    (void)state;
    expect_error("reader: archive\nwriters: []\n", 2, 10, "'writers' is empty");
}

static void test_missing_file(void **state)
{
    (void)state;
    cv_err err = {0};
    assert_null(cv_config_load("/nonexistent/config.yaml", &err));
    assert_non_null(strstr(err.msg, "cannot open config '/nonexistent/config.yaml'"));
}

/* ---- option checking against a declared table ---- */

/* The options struct of a made-up plugin and its map: where each value lands. */
typedef struct qopts {
    const char *rules, *mode;
    int64_t min_words, cap;
    double ratio;
    int strict;
    cv_strlist langs;
} qopts;

static const cv_optmap table[] = {
    {.key = "rules", .type = CV_OPT_PATH, .required = 1, .help = "rules file", .offset = offsetof(qopts, rules)},
    {.key = "min_words", .type = CV_OPT_INT, .default_value = "50", .help = "minimum",
     .offset = offsetof(qopts, min_words), .min = 1, .max = 10000},
    {.key = "ratio", .type = CV_OPT_FLOAT, .default_value = "0.5", .help = "ratio", .offset = offsetof(qopts, ratio),
     .min = 0, .max = 1},
    {.key = "strict", .type = CV_OPT_BOOL, .default_value = "false", .help = "strict", .offset = offsetof(qopts, strict)},
    {.key = "langs", .type = CV_OPT_LIST, .default_value = "[bg, uk]", .help = "languages",
     .offset = offsetof(qopts, langs)},
    {.key = "cap", .type = CV_OPT_SIZE, .default_value = "64M", .help = "cap", .offset = offsetof(qopts, cap)},
    {.key = "mode", .type = CV_OPT_STRING, .help = "how", .offset = offsetof(qopts, mode), .choices = "drop|annotate"},
    {0},
};

static cv_opts *opts_from(const char *yaml, cv_err *err)
{
    cv_node *n = cv_yaml_parse(yaml, strlen(yaml), "c.yaml", err);
    assert_non_null(n);
    cv_opts *o = cv_opts_parse(table, n, "quality", "c.yaml", "/etc/cv", err);
    cv_node_free(n);
    return o;
}

static void test_options_typed(void **state)
{
    (void)state;
    cv_err err = {0};
    cv_opts *o = opts_from("plugin: quality\nrules: r.yaml\nmin_words: 7\nstrict: yes\nlangs: ru\ncap: 2K\n", &err);
    assert_non_null(o);
    assert_string_equal(cv_opts_find(o, "rules")->str, "/etc/cv/r.yaml");
    assert_int_equal(cv_opts_find(o, "min_words")->i, 7);
    assert_true(cv_opts_find(o, "min_words")->set);
    assert_true(cv_opts_find(o, "ratio")->f == 0.5);
    assert_false(cv_opts_find(o, "ratio")->set);
    assert_int_equal(cv_opts_find(o, "strict")->b, 1);
    assert_int_equal(cv_opts_find(o, "langs")->nlist, 1);
    assert_string_equal(cv_opts_find(o, "langs")->list[0], "ru");
    assert_int_equal(cv_opts_find(o, "cap")->i, 2048);
    cv_opts_free(o);
}

static void expect_opt_error(const char *yaml, int line, int col, const char *needle)
{
    cv_err err = {0};
    cv_opts *o = opts_from(yaml, &err);
    assert_null(o);
    if (!strstr(err.msg, needle))
        fail_msg("error '%s' does not contain '%s'", err.msg, needle);
    assert_string_equal(err.file, "c.yaml");
    assert_int_equal(err.line, line);
    assert_int_equal(err.col, col);
}

static void test_option_unknown_key(void **state)
{
    (void)state;
    expect_opt_error("plugin: quality\nrules: r\nmin_word: 3\n", 3, 1, "plugin 'quality' has no option 'min_word'");
}

static void test_option_wrong_type(void **state)
{
    (void)state;
    expect_opt_error("plugin: quality\nrules: r\nmin_words: many\n", 3, 12, "option 'min_words' must be a whole number");
    expect_opt_error("plugin: quality\nrules: r\nratio: [1]\n", 3, 8, "option 'ratio' must be a single value");
    expect_opt_error("plugin: quality\nrules: r\nstrict: maybe\n", 3, 9, "option 'strict' must be true or false");
    expect_opt_error("plugin: quality\nrules: r\ncap: 12Q\n", 3, 6, "option 'cap' must be a size");
    expect_opt_error("plugin: quality\nrules: r\nlangs: {a: b}\n", 3, 8, "option 'langs' must be a list");
}

static void test_option_missing_required(void **state)
{
    (void)state;
    expect_opt_error("plugin: quality\nmin_words: 3\n", 1, 1, "required option 'rules' is missing");
}

static void test_option_constraints(void **state)
{
    (void)state;
    expect_opt_error("plugin: quality\nrules: r\nmode: delete\n", 3, 7, "option 'mode' must be one of drop|annotate");
    expect_opt_error("plugin: quality\nrules: r\nmin_words: 0\n", 3, 12, "option 'min_words' must be from 1 to 10000");
    expect_opt_error("plugin: quality\nrules: r\nratio: 1.5\n", 3, 8, "option 'ratio' must be from 0 to 1");
    cv_err err;
    cv_opts *o = opts_from("plugin: quality\nrules: r\nmode: annotate\nmin_words: 10000\nratio: 0\n", &err);
    assert_non_null(o);
    cv_opts_free(o);
    /* A near miss of a choice is no choice. */
    expect_opt_error("plugin: quality\nrules: r\nmode: drops\n", 3, 7, "one of drop|annotate");
    expect_opt_error("plugin: quality\nrules: r\nmode: dro\n", 3, 7, "one of drop|annotate");
}

static void test_option_load(void **state)
{
    (void)state;
    cv_err err;
    cv_opts *o = opts_from("plugin: quality\nrules: r.txt\nratio: 0.25\nstrict: yes\nlangs: [ru]\n", &err);
    assert_non_null(o);
    qopts q;
    memset(&q, 0xAB, sizeof q); /* every field must be written */
    cv_opts_load(o, &q);
    assert_string_equal(q.rules, "/etc/cv/r.txt");
    assert_null(q.mode); /* unset, no default */
    assert_int_equal(q.min_words, 50);
    assert_int_equal(q.cap, 64 << 20);
    assert_true(q.ratio == 0.25);
    assert_int_equal(q.strict, 1);
    assert_int_equal(q.langs.n, 1);
    assert_string_equal(q.langs.items[0], "ru");
    cv_opts_free(o);
}

static void test_option_table_checked(void **state)
{
    (void)state;
    cv_err err;
    static const cv_optmap choices_on_int[] = {{.key = "k", .type = CV_OPT_INT, .choices = "1|2"}, {0}};
    assert_int_equal(cv_opts_check_table(choices_on_int, "p", &err), -1);
    assert_non_null(strstr(err.msg, "has choices but is not a string"));
    static const cv_optmap bad_range[] = {{.key = "k", .type = CV_OPT_INT, .min = 5, .max = 1}, {0}};
    assert_int_equal(cv_opts_check_table(bad_range, "p", &err), -1);
    static const cv_optmap range_on_bool[] = {{.key = "k", .type = CV_OPT_BOOL, .min = 0, .max = 1}, {0}};
    assert_int_equal(cv_opts_check_table(range_on_bool, "p", &err), -1);
    static const cv_optmap default_outside[] = {
        {.key = "k", .type = CV_OPT_STRING, .default_value = "c", .choices = "a|b"}, {0}};
    assert_int_equal(cv_opts_check_table(default_outside, "p", &err), -1);
    assert_non_null(strstr(err.msg, "is not one of a|b"));
    assert_int_equal(cv_opts_check_table(table, "p", &err), 0);
    /* The pre-1.5 table becomes a map with the same declarations and back. */
    static const cv_option old[] = {{"n", CV_OPT_INT, "3", 0, "n"}, {NULL, 0, NULL, 0, NULL}};
    cv_optmap *m = cv_optmap_from_options(old);
    assert_string_equal(m[0].key, "n");
    assert_string_equal(m[0].default_value, "3");
    assert_null(m[1].key);
    cv_option *back = cv_options_from_optmap(m);
    assert_int_equal(back[0].type, CV_OPT_INT);
    assert_null(back[1].key);
    free(back);
    free(m);
}

static void test_parse_size(void **state)
{
    (void)state;
    assert_int_equal(cv_parse_size("4096"), 4096);
    assert_int_equal(cv_parse_size("64K"), 65536);
    assert_int_equal(cv_parse_size("16MiB"), 16 << 20);
    assert_int_equal(cv_parse_size("1.5G"), 1610612736LL);
    assert_int_equal(cv_parse_size("-1"), -1);
    assert_int_equal(cv_parse_size("abc"), -1);
    assert_int_equal(cv_parse_size("1X"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good),
        cmocka_unit_test(test_syntax_error),
        cmocka_unit_test(test_unknown_top_key),
        cmocka_unit_test(test_missing_reader),
        cmocka_unit_test(test_stage_without_plugin),
        cmocka_unit_test(test_duplicate_key),
        cmocka_unit_test(test_alias_rejected),
        cmocka_unit_test(test_alias_bomb),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_bad_threads),
        cmocka_unit_test(test_empty_writers),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_options_typed),
        cmocka_unit_test(test_option_unknown_key),
        cmocka_unit_test(test_option_wrong_type),
        cmocka_unit_test(test_option_missing_required),
        cmocka_unit_test(test_option_constraints),
        cmocka_unit_test(test_option_load),
        cmocka_unit_test(test_option_table_checked),
        cmocka_unit_test(test_parse_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
