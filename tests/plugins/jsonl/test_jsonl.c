/* JSONL writer escaping and the reader reading it back. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "harness.h"
#include "util.h"

static const char *const texts[] = {
    "plain \"quoted\" and back\\slash",
    "control: \x01\x02\t\n\r\x1f end",
    "non-BMP: \xF0\x9F\x98\x80 \xF0\x90\x8D\x88 and Кирилица",
    "slash / and unicode line sep \xE2\x80\xA8 ok",
    "",
};
#define NTEXTS (sizeof texts / sizeof texts[0])

static void test_escaping_roundtrip(void **state)
{
    (void)state;
    char *dir = th_tmpdir();
    th_plugin *w = th_open(CV_WRITER, "jsonl", "", dir);
    assert_non_null(w->inst);
    for (size_t i = 0; i < NTEXTS; i++) {
        char id[16];
        snprintf(id, sizeof id, "doc-%zu", i);
        cv_doc *d = th_doc(id, texts[i]);
        cv_meta_set_string(d, "source", "unit");
        cv_meta_set_int(d, "n", (int64_t)i);
        assert_int_equal(w->desc->write(w->inst, d), CV_OK);
        cv_doc_free(d);
    }
    assert_int_equal(th_commit(w), 0);
    th_close(w);

    char *path = cv_xasprintf("%s/train.jsonl", dir);
    size_t len;
    char *raw = th_slurp(path, &len);
    assert_non_null(raw);
    /* UTF-8 is written as is, not as \u escapes; control characters are escaped. */
    assert_non_null(strstr(raw, "Кирилица"));
    assert_non_null(strstr(raw, "\xF0\x9F\x98\x80"));
    assert_non_null(strstr(raw, "\\u0001"));
    assert_non_null(strstr(raw, "\\\"quoted\\\""));
    assert_null(strchr(raw, '\x01'));
    /* Exactly one line per document, in order, with the documented shape. */
    char *save = NULL, *line = strtok_r(raw, "\n", &save);
    for (size_t i = 0; i < NTEXTS; i++, line = strtok_r(NULL, "\n", &save)) {
        assert_non_null(line);
        json_t *o = json_loads(line, 0, NULL);
        assert_non_null(o);
        assert_string_equal(json_string_value(json_object_get(o, "text")), texts[i]);
        assert_string_equal(json_string_value(json_object_get(o, "source")), "unit");
        assert_int_equal(json_integer_value(json_object_get(json_object_get(o, "metadata"), "n")), (json_int_t)i);
        assert_null(json_object_get(json_object_get(o, "metadata"), "source"));
        const char *first = json_object_iter_key(json_object_iter(o));
        assert_string_equal(first, "id");
        json_decref(o);
    }
    assert_null(line);
    free(raw);

    /* The reader gives back the same documents. */
    char yaml[512];
    snprintf(yaml, sizeof yaml, "path: %s\n", path);
    th_plugin *r = th_open(CV_READER, "jsonl", yaml, NULL);
    assert_non_null(r->inst);
    for (size_t i = 0; i < NTEXTS; i++) {
        cv_doc *d = cv_doc_new();
        assert_int_equal(th_next(r, d), CV_OK);
        char id[16];
        snprintf(id, sizeof id, "doc-%zu", i);
        assert_string_equal(cv_doc_id(d), id);
        assert_int_equal(d->len, strlen(texts[i]));
        assert_memory_equal(d->text, texts[i], d->len);
        cv_doc_free(d);
    }
    cv_doc *d = cv_doc_new();
    assert_int_equal(th_next(r, d), CV_END);
    cv_doc_free(d);
    th_close(r);
    free(path);
    th_rmrf(dir);
    free(dir);
}

/* Set every member of a JSON object as metadata, in order. */
static void set_members(cv_doc *d, const json_t *obj)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v) {
        char *js = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        cv_meta_set_json(d, key, js);
        free(js);
    }
}

/* source leaves metadata wherever it sits among the keys, and nothing else
 * does, whatever the other values hold (nested objects, lists, strings that
 * look like a source member). */
static void test_source_moves_out_of_metadata(void **state)
{
    (void)state;
    static const struct {
        const char *before, *after; /* metadata set before and after source */
    } cases[] = {
        {"{}", "{}"},
        {"{}", "{\"n\":1}"},
        {"{\"n\":1}", "{}"},
        {"{\"a\":{\"source\":\"inner\",\"l\":[1,{\"x\":\"}]\"}]}}", "{\"b\":\"\\\"source\\\":\\\"fake\\\",\"}"},
        {"{\"e\":[],\"f\":{}}", "{\"g\":null,\"h\":true,\"i\":-2.5e3}"},
        {"{\"b\":\"\\\"x\\\",\\\"source\\\":1\"}", "{}"}, /* escaped quotes before source */
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        json_t *before = json_loads(cases[c].before, 0, NULL), *after = json_loads(cases[c].after, 0, NULL);
        assert_non_null(before);
        assert_non_null(after);
        char *dir = th_tmpdir();
        th_plugin *w = th_open(CV_WRITER, "jsonl", "", dir);
        cv_doc *d = th_doc("x", "text");
        set_members(d, before);
        cv_meta_set_string(d, "source", "the-source");
        set_members(d, after);
        assert_int_equal(w->desc->write(w->inst, d), CV_OK);
        assert_int_equal(th_commit(w), 0);
        th_close(w);
        char *raw = th_output(dir, "train.jsonl", NULL);
        json_t *o = json_loads(raw, 0, NULL);
        if (!o)
            fail_msg("case %zu: not JSON: %s", c, raw);
        assert_string_equal(json_string_value(json_object_get(o, "source")), "the-source");
        json_object_update(before, after); /* what metadata should hold */
        if (!json_equal(json_object_get(o, "metadata"), before))
            fail_msg("case %zu: got %s, want metadata %s + %s", c, raw, cases[c].before, cases[c].after);
        json_decref(o);
        json_decref(before);
        json_decref(after);
        free(raw);
        cv_doc_free(d);
        th_rmrf(dir);
        free(dir);
    }
}

/* Random texts of the bytes that need escaping and the ones that do not, at
 * every length and alignment, come back as they went in. */
static void test_escaping_random(void **state)
{
    (void)state;
    static const char *const pieces[] = {"a", "Zz", "\"", "\\", "\n", "\t", "\x01", "\x1f", " ", "\x7f",
                                         "\xD0\x96", "\xE2\x80\x94", "\xF0\x9F\x98\x80", "0123456789abcdef"};
    enum { N = 3000 };
    static char texts_r[N][256];
    char *dir = th_tmpdir();
    th_plugin *w = th_open(CV_WRITER, "jsonl", "", dir);
    uint64_t seed = 7;
    for (size_t i = 0; i < N; i++) {
        th_random_text(&seed, pieces, sizeof pieces / sizeof *pieces, 39, texts_r[i], sizeof texts_r[i]);
        cv_doc *d = th_doc("r", texts_r[i]);
        assert_int_equal(w->desc->write(w->inst, d), CV_OK);
        cv_doc_free(d);
    }
    assert_int_equal(th_commit(w), 0);
    th_close(w);
    char *raw = th_output(dir, "train.jsonl", NULL);
    char *save = NULL, *line = strtok_r(raw, "\n", &save);
    for (size_t i = 0; i < N; i++, line = strtok_r(NULL, "\n", &save)) {
        assert_non_null(line);
        json_t *o = json_loads(line, JSON_ALLOW_NUL, NULL);
        assert_non_null(o);
        if (strcmp(json_string_value(json_object_get(o, "text")), texts_r[i]))
            fail_msg("text %zu changed on the way", i);
        json_decref(o);
    }
    free(raw);
    th_rmrf(dir);
    free(dir);
}

/* Write body to dir/name (gzip'd if name ends in .gz) and open the reader
 * on it, with the options in more after its path. */
static th_plugin *reader_on(const char *dir, const char *name, const char *body, const char *more, char **path)
{
    *path = cv_xasprintf("%s/%s", dir, name);
    size_t n = strlen(name);
    if (n > 3 && !strcmp(name + n - 3, ".gz")) {
        gzFile g = gzopen(*path, "wb");
        assert_non_null(g);
        assert_true(gzputs(g, body) >= 0);
        gzclose(g);
    } else {
        th_write(dir, name, body);
    }
    char yaml[512];
    snprintf(yaml, sizeof yaml, "path: %s\n%s", *path, more ? more : "");
    return th_open(CV_READER, "jsonl", yaml, NULL);
}

static void test_reader_bad_lines(void **state)
{
    (void)state;
    char *dir = th_tmpdir(), *path;
    const char *body = "{\"id\": \"a\", \"text\": \"ok\", \"url\": \"http://x\"}\n"
                       "not json\n"
                       "\n"
                       "{\"id\": \"c\"}\n"
                       "{\"doc\": \"d\", \"body\": \"custom fields\"}";
    th_plugin *r = reader_on(dir, "in.jsonl", body, NULL, &path);
    cv_doc *d = cv_doc_new();
    assert_int_equal(th_next(r, d), CV_OK);
    assert_string_equal(cv_meta_get_string(d, "url"), "http://x");
    cv_doc_free(d);
    d = cv_doc_new();
    assert_int_equal(th_next(r, d), CV_OK); /* found in the read turn, dropped by prepare() */
    assert_string_equal(d->drop_reason, "jsonl:invalid_json");
    cv_doc_free(d);
    d = cv_doc_new();
    assert_int_equal(th_next(r, d), CV_OK); /* the blank line is skipped, "c" has no text */
    assert_string_equal(d->drop_reason, "jsonl:no_text");
    assert_string_equal(cv_doc_id(d), "c");
    cv_doc_free(d);
    th_close(r);

    char yaml[512];
    snprintf(yaml, sizeof yaml, "path: %s\nid_field: doc\ntext_field: body\n", path);
    r = th_open(CV_READER, "jsonl", yaml, NULL);
    int seen = 0;
    for (;;) {
        d = cv_doc_new();
        cv_status st = th_next(r, d);
        if (st == CV_END) {
            cv_doc_free(d);
            break;
        }
        if (st == CV_OK && !strcmp(cv_doc_id(d), "d")) {
            assert_string_equal(d->text, "custom fields");
            seen = 1;
        }
        cv_doc_free(d);
    }
    assert_true(seen);
    th_close(r);
    free(path);
    th_rmrf(dir);
    free(dir);
}

/* A UTF-8 byte order mark before the first object (Windows tools write
 * one) is no part of it, plain or compressed; one on a later line is. */
static void test_reader_byte_order_mark(void **state)
{
    (void)state;
    char *dir = th_tmpdir();
    const char *body = "\xEF\xBB\xBF{\"id\": \"a\", \"text\": \"first\"}\n"
                       "\xEF\xBB\xBF{\"id\": \"b\", \"text\": \"second\"}\n";
    for (int gz = 0; gz < 2; gz++) {
        char *path;
        th_plugin *r = reader_on(dir, gz ? "in.jsonl.gz" : "in.jsonl", body, NULL, &path);
        cv_doc *d = cv_doc_new();
        assert_int_equal(th_next(r, d), CV_OK);
        assert_null(d->drop_reason);
        assert_string_equal(cv_doc_id(d), "a");
        assert_string_equal(d->text, "first");
        cv_doc_free(d);
        d = cv_doc_new();
        assert_int_equal(th_next(r, d), CV_OK);
        assert_string_equal(d->drop_reason, "jsonl:invalid_json");
        cv_doc_free(d);
        th_close(r);
        free(path);
    }
    /* One line, a mark and no newline: read in place into the document, then moved over the mark. */
    const char *one = "\xEF\xBB\xBF{\"id\": \"c\", \"text\": \"\xD0\xA2 third\"}";
    char *path;
    th_plugin *r = reader_on(dir, "one.jsonl", one, NULL, &path);
    cv_doc *d = cv_doc_new();
    assert_int_equal(th_next(r, d), CV_OK);
    assert_null(d->drop_reason);
    assert_string_equal(d->text, "\xD0\xA2 third");
    cv_doc_free(d);
    th_close(r);
    free(path);
    th_rmrf(dir);
    free(dir);
}

/* A file is read as it was when the reader opened it: lines appended
 * meanwhile (a writer's half-written last one among them) are not read.
 * And a byte order mark does not count towards max_doc_bytes. */
static void test_reader_size_at_open(void **state)
{
    (void)state;
    char *dir = th_tmpdir(), *path;
    const char *body = "\xEF\xBB\xBF{\"text\": \"abcd\"}\n{\"text\": \"abcd\"}\n";
    /* Each object is 16 bytes. */
    th_plugin *r = reader_on(dir, "in.jsonl", body, "max_doc_bytes: 16\n", &path);
    FILE *f = fopen(path, "a");
    fputs("{\"text\": \"appended\"}\n{\"text\": \"half", f);
    fclose(f);
    for (int i = 0; i < 2; i++) {
        cv_doc *d = cv_doc_new();
        assert_int_equal(th_next(r, d), CV_OK);
        assert_null(d->drop_reason);
        assert_string_equal(d->text, "abcd");
        cv_doc_free(d);
    }
    cv_doc *d = cv_doc_new();
    assert_int_equal(th_next(r, d), CV_END);
    cv_doc_free(d);
    th_close(r);
    free(path);
    th_rmrf(dir);
    free(dir);
}

/* Lines of every length about the reader's 64 KiB reads, plain and gzip'd:
 * each is found whole, the next one after it intact, and one longer than
 * max_doc_bytes is dropped as such wherever the reads cut it (one too long
 * before a read's end came back as its part after it). */
static void test_reader_lines_across_reads(void **state)
{
    (void)state;
    char *dir = th_tmpdir();
    enum { LINES = 60 };
    size_t lens[LINES], line_bytes[LINES];
    uint64_t seed = 3;
    cv_buf all = {0};
    for (size_t i = 0; i < LINES; i++) {
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        /* Mostly short, some a few bytes either side of 64 KiB and its multiples. */
        lens[i] = i % 3 ? (seed >> 33) % 3000 : ((seed >> 33) % 3 + 1) * 65536 - 40 + (seed >> 40) % 80;
        char head[64];
        int n = snprintf(head, sizeof head, "{\"id\": \"%zu\", \"text\": \"", i);
        line_bytes[i] = (size_t)n + lens[i] + 2 + (i % 7 ? 0 : 1); /* up to the newline: "} and a CR */
        buf_adds(&all, head);
        for (size_t k = 0; k < lens[i]; k++)
            buf_addc(&all, (char)('a' + k % 26));
        buf_adds(&all, i % 7 ? "\"}\n" : "\"}\r\n\n");
    }
    static const size_t maxes[] = {70000, 2000, 500};
    for (int run = 0; run < 6; run++) {
        int gz = run % 2;
        size_t max = maxes[run / 2];
        char name[32], more[64], *path;
        snprintf(name, sizeof name, "in%d.jsonl%s", run, gz ? ".gz" : "");
        snprintf(more, sizeof more, "max_doc_bytes: %zu\n", max);
        th_plugin *r = reader_on(dir, name, all.p, more, &path);
        for (size_t i = 0; i < LINES; i++) {
            cv_doc *d = cv_doc_new();
            cv_status st = th_next(r, d);
            if (line_bytes[i] > max) {
                assert_int_equal(st, CV_DROP);
                assert_string_equal(d->drop_reason, "jsonl:max_doc_bytes");
            } else {
                assert_int_equal(st, CV_OK);
                assert_null(d->drop_reason);
                char want[32];
                snprintf(want, sizeof want, "%zu", i);
                assert_string_equal(cv_doc_id(d), want);
                assert_int_equal(d->len, lens[i]);
            }
            cv_doc_free(d);
        }
        cv_doc *d = cv_doc_new();
        assert_int_equal(th_next(r, d), CV_END);
        cv_doc_free(d);
        th_close(r);
        free(path);
    }
    buf_free(&all);
    th_rmrf(dir);
    free(dir);
}

/* The read turn only finds the line (next() keeps it whole in the
 * document); prepare(), which the workers run, parses it: the text decoded
 * in place, whatever members come before and after it. */
static void test_reader_parses_in_prepare(void **state)
{
    (void)state;
    char *dir = th_tmpdir();
    char *path = cv_xasprintf("%s/in.jsonl", dir);
    const char *line = "{\"before\": {\"k\": [1, \"\\u00e9\"]}, \"text\": \"a\\nb \\\"q\\\" \\u0416\\ud83d\\ude00\", "
                       "\"id\": \"x\", \"after\": \"\\t\"}";
    FILE *f = fopen(path, "w");
    fprintf(f, "%s\n", line);
    fclose(f);
    char yaml[512];
    snprintf(yaml, sizeof yaml, "path: %s\n", path);
    th_plugin *r = th_open(CV_READER, "jsonl", yaml, NULL);
    cv_doc *d = cv_doc_new();
    assert_int_equal(cv_reader_next(&r->ctx, r->inst, d), CV_OK);
    assert_int_equal(d->len, strlen(line)); /* (NUL-terminated only once settled) */
    assert_memory_equal(d->text, line, d->len);
    char *lineid = cv_xasprintf("%s:1", path);
    assert_string_equal(cv_doc_id(d), lineid);
    cv_reader_settle(&r->ctx, r->inst, d);
    assert_null(d->drop_reason);
    assert_string_equal(d->text, "a\nb \"q\" \xD0\x96\xF0\x9F\x98\x80");
    assert_int_equal(d->len, strlen(d->text));
    assert_string_equal(cv_doc_id(d), "x");
    assert_string_equal(cv_meta_get_string(d, "after"), "\t");
    assert_string_equal(json_string_value(json_array_get(json_object_get(json_object_get(d->meta, "before"), "k"), 1)),
                        "\xC3\xA9");
    cv_doc_free(d);
    th_close(r);
    free(lineid);
    free(path);
    th_rmrf(dir);
    free(dir);
}

/* The reader scans lines itself (scan.c): on random objects, and on the
 * same objects with bytes flipped, it must agree with jansson: the same
 * text and metadata where jansson reads an object with a string text, a
 * drop where jansson finds no JSON (invalid UTF-8 in the text: the core's
 * check drops it, as jsonl:invalid_utf8). */
static void test_reader_agrees_with_jansson(void **state)
{
    (void)state;
    static const char *const pieces[] = {"a", "Zz", "\"", "\\", "\n", "\t", "\x01", " ", "\xD0\x96",
                                         "\xE2\x80\x94", "\xF0\x9F\x98\x80", "0123", "\\u", "{", "]"};
    enum { N = 4000 };
    char *dir = th_tmpdir();
    char *path = cv_xasprintf("%s/in.jsonl", dir);
    FILE *f = fopen(path, "w");
    uint64_t seed = 11;
    char **lines = calloc(N, sizeof *lines);
    for (size_t i = 0; i < N; i++) {
        char text[256], key[64];
        th_random_text(&seed, pieces, sizeof pieces / sizeof *pieces, 30, text, sizeof text);
        th_random_text(&seed, pieces, sizeof pieces / sizeof *pieces, 3, key, sizeof key);
        json_t *o = json_pack("{s:s, s:s, s:I, s:{s:[i, s, n, b]}, s:f}", "id", key, "text", text, "n",
                              (json_int_t)i, "metadata", "m", 1, key, "x", 1.5, key[0] ? key : "k", 0.25);
        char *line = json_dumps(o, JSON_COMPACT | (i % 2 ? JSON_ENSURE_ASCII : 0));
        json_decref(o);
        if (i % 3 == 2) { /* a flipped byte: sometimes still JSON, mostly not */
            size_t len = strlen(line);
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            line[(seed >> 33) % len] ^= (char)(1u << ((seed >> 20) % 7));
            if (memchr(line, '\n', len) || memchr(line, '\0', len))
                line[0] = 'x';
        }
        lines[i] = line;
        fprintf(f, "%s\n", line);
    }
    fclose(f);
    char yaml[512];
    snprintf(yaml, sizeof yaml, "path: %s\n", path);
    th_plugin *r = th_open(CV_READER, "jsonl", yaml, NULL);
    for (size_t i = 0; i < N; i++) {
        size_t len = strlen(lines[i]);
        if (strspn(lines[i], " \t\r") == len)
            continue; /* blank: no document */
        cv_doc *d = cv_doc_new();
        cv_status st = th_next(r, d);
        if (st == CV_OK && d->drop_reason)
            st = CV_DROP; /* invalid UTF-8 in the text: dropped by the core's check */
        json_t *o = json_loadb(lines[i], len, JSON_ALLOW_NUL, NULL);
        json_t *text = json_object_get(o, "text");
        if (o && json_is_object(o) && json_is_string(text)) {
            if (st != CV_OK)
                fail_msg("line %zu: jansson reads it, the reader drops it (%s): %s", i, d->drop_reason, lines[i]);
            if (d->len != json_string_length(text) || memcmp(d->text, json_string_value(text), d->len))
                fail_msg("line %zu: the text differs", i);
            json_t *m = json_object_get(d->meta, "m"), *want = json_object_get(json_object_get(o, "metadata"), "m");
            if (want && !json_equal(m, want))
                fail_msg("line %zu: metadata.m differs", i);
        } else if (!o) {
            if (st == CV_OK)
                fail_msg("line %zu: not JSON to jansson, read by the reader: %s", i, lines[i]);
        }
        json_decref(o);
        cv_doc_free(d);
        free(lines[i]);
    }
    free(lines);
    th_close(r);
    free(path);
    th_rmrf(dir);
    free(dir);
}

static void test_compressed_output(void **state)
{
    (void)state;
    char *dir = th_tmpdir();
    th_plugin *w = th_open(CV_WRITER, "jsonl", "path: data-{split}.jsonl.gz\n", dir);
    cv_doc *d = th_doc("x", "gzip me");
    cv_meta_set_string(d, "split", "validation");
    assert_int_equal(w->desc->write(w->inst, d), CV_OK);
    cv_doc_free(d);
    assert_int_equal(th_commit(w), 0);
    th_close(w);
    char *path = cv_xasprintf("%s/data-validation.jsonl.gz", dir);
    char yaml[512];
    snprintf(yaml, sizeof yaml, "path: %s\n", path);
    th_plugin *r = th_open(CV_READER, "jsonl", yaml, NULL);
    d = cv_doc_new();
    assert_int_equal(th_next(r, d), CV_OK);
    assert_string_equal(d->text, "gzip me");
    cv_doc_free(d);
    th_close(r);
    free(path);
    th_rmrf(dir);
    free(dir);
}

static void test_uncommitted_leaves_nothing(void **state)
{
    (void)state;
    char *dir = th_tmpdir();
    th_plugin *w = th_open(CV_WRITER, "jsonl", "", dir);
    cv_doc *d = th_doc("x", "never committed");
    assert_int_equal(w->desc->write(w->inst, d), CV_OK);
    cv_doc_free(d);
    th_close(w); /* no commit: the run failed */
    char *cmd = cv_xasprintf("test -z \"$(ls -A '%s')\"", dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    th_rmrf(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escaping_roundtrip),
        cmocka_unit_test(test_escaping_random),
        cmocka_unit_test(test_source_moves_out_of_metadata),
        cmocka_unit_test(test_reader_bad_lines),
        cmocka_unit_test(test_reader_parses_in_prepare),
        cmocka_unit_test(test_reader_byte_order_mark),
        cmocka_unit_test(test_reader_lines_across_reads),
        cmocka_unit_test(test_reader_size_at_open),
        cmocka_unit_test(test_reader_agrees_with_jansson),
        cmocka_unit_test(test_compressed_output),
        cmocka_unit_test(test_uncommitted_leaves_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
