/* The document's metadata dump, written by the core for strings and
 * integers, must be what json_dumps(JSON_COMPACT) writes, byte for byte:
 * random objects of every kind of value, keys and strings full of what JSON
 * escapes, compared with jansson's own output. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "harness.h"

static const char *const pieces[] = {
    "a", "Z", " ", "\"", "\\", "/", "\n", "\r", "\t", "\b", "\f", "\x01", "\x1f", "\x7f", "\xd0\x9e", "\xe2\x80\x9e",
    "\xf0\x9f\x98\x80", "{", "}", ":", ",", "%s", "\\u00e9",
};

static void random_string(uint64_t *seed, char *out, size_t cap)
{
    th_random_text(seed, pieces, sizeof pieces / sizeof *pieces, 12, out, cap);
}

static void test_dump_as_jansson(void **state)
{
    (void)state;
    uint64_t seed = 11;
    char key[256], val[256];
    for (int round = 0; round < 3000; round++) {
        cv_doc *d = cv_doc_new();
        size_t members = seed % 6;
        for (size_t m = 0; m < members; m++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            random_string(&seed, key, sizeof key);
            switch ((seed >> 33) % 7) {
            case 0:
            case 1:
                random_string(&seed, val, sizeof val);
                cv_meta_set_string(d, key, val);
                break;
            case 2:
                cv_meta_set_int(d, key, (int64_t)(seed >> 1) * ((seed & 1) ? -1 : 1));
                break;
            case 3:
                cv_meta_set_int(d, key, (seed & 2) ? INT64_MIN : INT64_MAX);
                break;
            case 4:
                cv_meta_set_float(d, key, (double)(seed >> 40) / 7.0);
                break;
            case 5:
                cv_meta_set_bool(d, key, (int)(seed & 1));
                break;
            default:
                cv_meta_set_json(d, key, "[{\"start\":1,\"label\":\"PER\\n\"},null,2.5]");
                break;
            }
        }
        char *want = json_dumps(d->meta, JSON_COMPACT | JSON_ENCODE_ANY);
        char *got = cv_meta_dump(d, NULL);
        if (strcmp(got, want))
            fail_msg("round %d:\n got %s\nwant %s", round, got, want);
        free(got);
        free(want);
        const char *k;
        json_t *v;
        json_object_foreach(d->meta, k, v) { /* one member: jansson's dump, as before */
            want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
            got = cv_meta_dump(d, k);
            assert_string_equal(got, want);
            free(got);
            free(want);
        }
        cv_doc_free(d);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dump_as_jansson),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
