/* The document's storage: the metadata dump, written by the core for
 * strings and integers, must be what json_dumps(JSON_COMPACT) writes, byte
 * for byte (random objects of every kind of value, keys and strings full of
 * what JSON escapes, compared with jansson's own output); a reader's text
 * room keeps the UTF-8 promise once checked; a reader's prepare() runs at
 * settling from ABI 1.6 on, never before; a step's scratch, once the step is
 * done with it, is out of sight and freed with the document, not before. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "harness.h"
#include "host.h"
#include "registry.h"

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

/* A text as a reader fills it, checked as a worker would check it. */
static cv_doc *room_doc(const char *text, size_t len, unsigned flags)
{
    const cv_host *h = cv_host_table();
    cv_doc *d = cv_doc_new();
    d->stage = "reader";
    d->reading = 1;
    char *p = h->doc_text_room(d, len + 100, flags); /* more than needed, */
    memset(p, 'x', len + 100);                       /* garbage past the end, */
    memcpy(h->doc_text_room(d, len, flags), text, len); /* then the real length */
    d->reading = 0;
    return d;
}

static void test_text_room(void **state)
{
    (void)state;
    const cv_host *h = cv_host_table();
    cv_doc *d = cv_doc_new();
    assert_null(h->doc_text_room(d, 10, 0)); /* only inside a reader's next() */
    assert_int_equal(d->len, 0);
    d->reading = 1;
    cv_span sp = {0, 0, "token", NULL, 0};
    assert_int_equal(cv_span_add(d, &sp), 0);
    memcpy(h->doc_text_room(d, 5, 0), "hello", 5);
    assert_int_equal(cv_span_count(d), 0); /* spans no longer hold */
    char *p = h->doc_text_room(d, 300000, 0); /* growing keeps what was written */
    assert_memory_equal(p, "hello", 5);
    for (size_t i = 5; i < 300000; i++)
        p[i] = (char)('a' + i % 26);
    p = h->doc_text_room(d, 300001, 0);
    assert_int_equal(p[299999], (char)('a' + 299999 % 26));
    p[300000] = '!';
    d->reading = 0;
    assert_int_equal(cv_doc_check_text(d), 0);
    assert_null(d->drop_reason);
    assert_int_equal(d->len, 300001);
    assert_memory_equal(d->text, "hellof", 6);
    assert_int_equal(d->text[300000], '!');

    cv_doc_free(d);
    d = room_doc("caf\xC3\xA9", 5, 0);
    assert_int_equal(cv_doc_check_text(d), 0);
    assert_null(d->drop_reason);
    assert_string_equal(d->text, "caf\xC3\xA9");
    for (size_t i = 5; i < 5 + 32; i++) /* the padding the scanners rely on */
        assert_int_equal(d->text[i], 0);
    assert_int_equal(cv_doc_check_text(d), 0); /* once */

    cv_doc_free(d);
    d = room_doc("caf\xE9 \xFF", 6, 0);
    assert_int_equal(cv_doc_check_text(d), 0);
    assert_string_equal(d->drop_reason, "reader:invalid_utf8");

    cv_doc_free(d);
    d = room_doc("caf\xE9 \xFF", 6, CV_TEXT_REPAIR);
    assert_int_equal(cv_doc_check_text(d), 2);
    assert_null(d->drop_reason);
    assert_string_equal(d->text, "caf\xEF\xBF\xBD \xEF\xBF\xBD");
    assert_int_equal(d->len, 10);
    for (size_t i = 10; i < 10 + 32; i++)
        assert_int_equal(d->text[i], 0);

    cv_doc_free(d);
    d = room_doc("\xFF", 1, 0); /* replaced by a checked text: nothing left to check */
    assert_int_equal(cv_doc_set_text(d, "ok", 2), 0);
    assert_int_equal(cv_doc_check_text(d), 0);
    assert_null(d->drop_reason);
    cv_doc_free(d);
}

/* A reader's prepare(): the text it leaves, which settling then checks. */
static void reader_prepare(const void *inst, cv_doc *d)
{
    (void)inst;
    strcpy(cv_doc_text_room(d, 6, 0), "parsed");
}

static void test_reader_prepare_by_abi(void **state)
{
    (void)state;
    for (uint32_t minor = 5; minor <= 6; minor++) {
        cv_plugin desc = {CONVERT_ABI_MAJOR, minor, sizeof(cv_plugin), .name = "r", .kind = CV_READER,
                          .prepare = reader_prepare};
        cv_entry entry = {.desc = &desc};
        cv_ctx ctx = {.entry = &entry};
        cv_doc *d = cv_doc_new();
        d->reading = 1;
        strcpy(cv_doc_text_room(d, 3, 0), "raw");
        d->reading = 0;
        cv_reader_settle(&ctx, NULL, d);
        /* 1.5 readers' prepare was ignored (only steps had one): it stays so */
        assert_string_equal(d->text, minor >= 6 ? "parsed" : "raw");
        assert_false(d->unchecked);
        assert_null(d->drop_reason);
        cv_doc_free(d);
    }
}

static int scratch_freed;
static void free_scratch(void *p)
{
    scratch_freed++;
    free(p);
}

static void test_retired_scratch(void **state)
{
    (void)state;
    cv_doc *d = cv_doc_new();
    cv_doc_set_scratch(d, malloc(8), free_scratch);
    scratch_freed = 0;
    cv_doc_retire_scratch(d);
    assert_null(cv_doc_scratch(d));
    assert_int_equal(scratch_freed, 0); /* not on this thread, maybe: with the document */
    /* A second step's scratch retired: the first one goes then. */
    cv_doc_set_scratch(d, malloc(8), free_scratch);
    cv_doc_retire_scratch(d);
    assert_int_equal(scratch_freed, 1);
    cv_doc_retire_scratch(d); /* a step without one (after every step): the retired one stays */
    assert_int_equal(scratch_freed, 1);
    cv_doc_free(d);
    assert_int_equal(scratch_freed, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dump_as_jansson),
        cmocka_unit_test(test_text_room),
        cmocka_unit_test(test_reader_prepare_by_abi),
        cmocka_unit_test(test_retired_scratch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
