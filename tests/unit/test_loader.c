/* Loader: the checks made at dlopen time, each with a message naming the file. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "fixtures/fixture_opts.h"
#include "host.h"
#include "registry.h"

static void expect_load_error(const char *file, const char *needle)
{
    cv_registry *r = cv_registry_new();
    cv_err err = {0};
    assert_int_equal(cv_registry_load_file(r, file, &err), -1);
    if (!strstr(err.msg, needle))
        fail_msg("'%s' does not contain '%s'", err.msg, needle);
    assert_non_null(strstr(err.msg, file));
    assert_int_equal(cv_registry_count(r), 0);
    cv_registry_free(r);
}

static void test_good(void **state)
{
    (void)state;
    cv_registry *r = cv_registry_new();
    cv_err err = {0};
    assert_int_equal(cv_registry_load_file(r, FIXTURE_GOOD, &err), 0);
    const cv_entry *e = cv_registry_find(r, CV_STEP, "fixture");
    assert_non_null(e);
    assert_string_equal(e->file, FIXTURE_GOOD);
    assert_null(cv_registry_find(r, CV_WRITER, "fixture")); /* names are per kind */
    cv_registry_free(r);
}

static void test_wrong_major(void **state)
{
    (void)state;
    expect_load_error(FIXTURE_BAD_MAJOR, "plugin built for ABI 99.0");
}

static void test_newer_minor(void **state)
{
    (void)state;
    expect_load_error(FIXTURE_NEWER_MINOR, "newer than this convert's");
}

/* A plugin built against ABI 1.0 loads, and the core sees nothing past its
 * descriptor; one shorter than 1.0's is refused. */
static void test_older_minor(void **state)
{
    (void)state;
    cv_registry *r = cv_registry_new();
    cv_err err = {0};
    assert_int_equal(cv_registry_load_file(r, FIXTURE_ABI_1_0, &err), 0);
    const cv_entry *e = cv_registry_find(r, CV_STEP, "old");
    assert_non_null(e);
    assert_non_null(e->desc->process);
    assert_null(e->desc->prepare);
    assert_null(e->desc->optmap[0].key); /* its map lies past its descriptor: the core made an empty one */
    assert_int_equal(cv_registry_load_file(r, FIXTURE_GOOD, &err), 0);
    assert_non_null(cv_registry_find(r, CV_STEP, "fixture")->desc->prepare);
    cv_registry_free(r);
    expect_load_error(FIXTURE_TOO_SHORT, "descriptor is");
}

static void test_no_entry(void **state)
{
    (void)state;
    expect_load_error(FIXTURE_NO_ENTRY, "not a convert plugin (no 'convert_plugin' symbol)");
}

static void test_not_a_library(void **state)
{
    (void)state;
    cv_registry *r = cv_registry_new();
    cv_err err = {0};
    assert_int_equal(cv_registry_load_file(r, TEST_SOURCE_DIR "/unit/test_loader.c", &err), -1);
    assert_non_null(strstr(err.msg, "cannot load plugin"));
    cv_registry_free(r);
}

static void test_duplicate_name(void **state)
{
    (void)state;
    cv_registry *r = cv_registry_new();
    cv_err err = {0};
    assert_int_equal(cv_registry_load_file(r, FIXTURE_GOOD, &err), 0);
    assert_int_equal(cv_registry_load_file(r, FIXTURE_DUP, &err), -1);
    assert_non_null(strstr(err.msg, "two step plugins named 'fixture'"));
    assert_non_null(strstr(err.msg, FIXTURE_GOOD));
    assert_non_null(strstr(err.msg, FIXTURE_DUP));
    cv_registry_free(r);
}

static void test_builtin_dir(void **state)
{
    (void)state;
    cv_registry *r = cv_registry_new();
    cv_err err = {0};
    cv_registry_add_dir(r, CONVERT_PLUGIN_BUILD_DIR);
    cv_registry_add_dir(r, CONVERT_PLUGIN_BUILD_DIR "/."); /* same folder twice: searched once */
    assert_int_equal(cv_registry_dir_count(r), 1);
    assert_int_equal(cv_registry_load(r, &err), 0);
    assert_non_null(cv_registry_find(r, CV_READER, "archive"));
    assert_non_null(cv_registry_find(r, CV_READER, "jsonl"));
    assert_non_null(cv_registry_find(r, CV_WRITER, "jsonl"));
    cv_registry_free(r);
}

static void add_dir_of(cv_registry *r, const char *file)
{
    char *dir = strdup(file);
    *strrchr(dir, '/') = '\0';
    cv_registry_add_dir(r, dir);
    free(dir);
}

/* A run loads the files named after its plugins, and every file when one
 * is not found that way (the fixture step lives in good.so). */
static void test_load_named(void **state)
{
    (void)state;
    cv_registry *r = cv_registry_new();
    cv_err err = {0};
    add_dir_of(r, FIXTURE_BAD_MAJOR); /* not loaded unless everything is */
    cv_registry_add_dir(r, CONVERT_PLUGIN_BUILD_DIR);
    const cv_kind kinds[] = {CV_READER, CV_STEP, CV_WRITER};
    const char *names[] = {"jsonl", "dedup", "jsonl"};
    assert_int_equal(cv_registry_load_named(r, kinds, names, 3, &err), 0);
    assert_int_equal(cv_registry_count(r), 3); /* jsonl's reader and writer, dedup */
    assert_non_null(cv_registry_find(r, CV_STEP, "dedup"));
    assert_null(cv_registry_find(r, CV_READER, "archive"));
    const cv_kind step[] = {CV_STEP};
    const char *fixture[] = {"fixture"};
    assert_int_equal(cv_registry_load_named(r, step, fixture, 1, &err), -1);
    assert_non_null(strstr(err.msg, "plugin built for ABI 99.0"));
    cv_registry_free(r);

    r = cv_registry_new();
    add_dir_of(r, FIXTURE_GOOD);
    cv_registry_add_dir(r, CONVERT_PLUGIN_BUILD_DIR);
    assert_int_equal(cv_registry_load_named(r, step, fixture, 1, &err), 0);
    assert_non_null(cv_registry_find(r, CV_STEP, "fixture"));
    assert_non_null(cv_registry_find(r, CV_READER, "archive")); /* everything, each file once */
    assert_int_equal(cv_registry_load_named(r, kinds, names, 3, &err), 0);
    cv_registry_free(r);
}

/* ABI 1.5: a plugin's option map is checked at load, read from a config by
 * the core, and lands in the plugin's struct through host->opt_load. */
static void test_optmap(void **state)
{
    (void)state;
    expect_load_error(FIXTURE_BOTH_TABLES, "declares both options and an optmap");
    expect_load_error(FIXTURE_BAD_MAP, "option 'n' has choices but is not a string");

    cv_registry *r = cv_registry_new();
    cv_err err = {0};
    assert_int_equal(cv_registry_load_file(r, FIXTURE_GOOD, &err), 0);
    const cv_entry *e = cv_registry_find(r, CV_STEP, "fixture");
    assert_string_equal(e->desc->options[1].key, "n"); /* the core's cv_option view, for old readers */
    const char *yaml = "plugin: fixture\nmode: annotate\nn: 7\n";
    cv_node *n = cv_yaml_parse(yaml, strlen(yaml), "f.yaml", &err);
    cv_opts *o = cv_opts_parse(e->desc->optmap, n, "fixture", "f.yaml", "/", &err);
    assert_non_null(o);
    cv_ctx ctx = {.entry = e, .opts = o};
    fixture_opts conf;
    assert_int_equal(cv_host_table()->opt_load(&ctx, &conf), 0);
    assert_string_equal(conf.mode, "annotate");
    assert_int_equal(conf.n, 7);
    assert_int_equal(conf.keep.n, 2);
    assert_string_equal(conf.keep.items[1], "b");
    cv_opts_free(o);
    cv_node_free(n);

    yaml = "plugin: fixture\nn: 10\n";
    n = cv_yaml_parse(yaml, strlen(yaml), "f.yaml", &err);
    assert_null(cv_opts_parse(e->desc->optmap, n, "fixture", "f.yaml", "/", &err));
    assert_non_null(strstr(err.msg, "option 'n' must be from 1 to 9"));
    assert_int_equal(err.line, 2);
    cv_node_free(n);

    /* A pre-1.5 plugin has no offsets to fill. */
    assert_int_equal(cv_registry_load_file(r, FIXTURE_ABI_1_0, &err), 0);
    cv_ctx old = {.entry = cv_registry_find(r, CV_STEP, "old")};
    assert_int_equal(cv_host_table()->opt_load(&old, &conf), -1);
    cv_registry_free(r);
}

/* A plugin folder that exists but holds no plugin is not an error. */
static void test_empty_dir(void **state)
{
    (void)state;
    char dir[] = "/tmp/convert-empty-XXXXXX";
    assert_non_null(mkdtemp(dir));
    cv_registry *r = cv_registry_new();
    cv_err err = {0};
    cv_registry_add_dir(r, dir);
    assert_int_equal(cv_registry_load(r, &err), 0);
    assert_int_equal(cv_registry_count(r), 0);
    cv_registry_free(r);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good),          cmocka_unit_test(test_wrong_major),
        cmocka_unit_test(test_newer_minor),   cmocka_unit_test(test_no_entry),
        cmocka_unit_test(test_not_a_library), cmocka_unit_test(test_duplicate_name),
        cmocka_unit_test(test_builtin_dir),   cmocka_unit_test(test_older_minor),
        cmocka_unit_test(test_empty_dir),     cmocka_unit_test(test_optmap),
        cmocka_unit_test(test_load_named),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
