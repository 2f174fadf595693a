/* test_redact.c -- testing a plugin with cmocka: run convert with the plugin
 * on a small input and assert on what it wrote.  The test drives the real
 * core through the real ABI, so it also catches loading and option errors.
 *
 *   CONVERT=/usr/bin/convert PLUGIN_DIR=build ./build/test_redact
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *run_redact(const char *input_jsonl)
{
    char dir[] = "/tmp/redact-test-XXXXXX", cmd[4096], path[512];
    if (!mkdtemp(dir))
        fail_msg("mkdtemp");
    snprintf(path, sizeof path, "%s/in.jsonl", dir);
    FILE *f = fopen(path, "w");
    fputs(input_jsonl, f);
    fclose(f);
    snprintf(path, sizeof path, "%s/c.yaml", dir);
    f = fopen(path, "w");
    fprintf(f, "reader: {plugin: jsonl, path: in.jsonl}\nsteps: [redact]\nwriters: [{plugin: jsonl, path: out.jsonl}]\n");
    fclose(f);
    const char *convert = getenv("CONVERT") ? getenv("CONVERT") : "convert";
    const char *plugins = getenv("PLUGIN_DIR") ? getenv("PLUGIN_DIR") : ".";
    snprintf(cmd, sizeof cmd, "%s -q --plugin-path %s -c %s/c.yaml -o %s", convert, plugins, dir, dir);
    assert_int_equal(system(cmd), 0);
    snprintf(path, sizeof path, "%s/out.jsonl", dir);
    f = fopen(path, "r");
    assert_non_null(f);
    static char line[8192];
    assert_non_null(fgets(line, sizeof line, f));
    fclose(f);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return line;
}

static void test_masks_email_and_iban(void **state)
{
    (void)state;
    char *out = run_redact("{\"id\":\"1\",\"text\":\"Mail a.b@example.org, IBAN DE89370400440532013000.\"}\n");
    assert_non_null(strstr(out, "\"text\":\"Mail [EMAIL], IBAN [IBAN].\""));
}

static void test_leaves_dates_alone(void **state)
{
    (void)state;
    char *out = run_redact("{\"id\":\"2\",\"text\":\"Met on 04.04.2025 at 17:07.\"}\n");
    assert_non_null(strstr(out, "\"text\":\"Met on 04.04.2025 at 17:07.\""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_masks_email_and_iban),
        cmocka_unit_test(test_leaves_dates_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
