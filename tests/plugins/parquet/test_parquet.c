/* parquet: the Thrift compact encoder byte for byte, its reader on the same
 * bytes and on every truncation of them, the file's framing, option and type
 * errors.  Whole files are read back by DuckDB in
 * tests/e2e/test_parquet.sh. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "thrift.h"

static void test_thrift_bytes(void **s)
{
    (void)s;
    cv_buf b = {0};
    tc t;
    tc_init(&t, &b);
    tc_begin(&t);
    tc_i32(&t, 1, -1);          /* delta 1, type 5: 0x15; zigzag(-1) = 1 */
    tc_str(&t, 3, "ab");        /* delta 2, type 8: 0x28; length 2 */
    tc_i64(&t, 20, 300);        /* delta 17 > 15: type byte 0x06, then zigzag(20) = 40; zigzag(300) = 600 = 0xD8 0x04 */
    tc_list(&t, 21, TC_I32, 2); /* delta 1, type 9: 0x19; 2 elements of type 5: 0x25 */
    tc_elem_i32(&t, 0);
    tc_elem_i32(&t, 3);         /* zigzag(3) = 6 */
    tc_struct(&t, 22);          /* delta 1, type 12: 0x1C */
    tc_bool(&t, 1, 1);          /* inside: delta 1, true: 0x11 */
    tc_end(&t);
    tc_list(&t, 23, TC_BINARY, 15); /* 15 elements: long form 0xF8, then 15 */
    tc_end(&t);
    static const unsigned char want[] = {0x15, 0x01, 0x28, 0x02, 'a', 'b', 0x06, 40, 0xD8, 0x04, 0x19, 0x25, 0x00,
                                         0x06, 0x1C, 0x11, 0x00, 0x19, 0xF8, 0x0F, 0x00};
    assert_int_equal(b.len, sizeof want);
    assert_memory_equal(b.p, want, sizeof want);
    buf_free(&b);
}

/* The bytes test_thrift_bytes expects, read back field by field. */
static const unsigned char sample[] = {0x15, 0x01, 0x28, 0x02, 'a', 'b', 0x06, 40, 0xD8, 0x04, 0x19, 0x25, 0x00,
                                       0x06, 0x1C, 0x11, 0x00, 0x19, 0xF8, 0x0F, 0x00};

static void test_thrift_read(void **s)
{
    (void)s;
    tr t;
    tr_init(&t, sample, sizeof sample);
    int16_t last = 0, id;
    int type, et;
    size_t len;
    assert_true(tr_field(&t, &last, &id, &type) && id == 1 && type == TC_I32);
    assert_int_equal(tr_int(&t), -1);
    assert_true(tr_field(&t, &last, &id, &type) && id == 3 && type == TC_BINARY);
    assert_memory_equal(tr_bin(&t, &len), "ab", 2);
    assert_int_equal(len, 2);
    assert_true(tr_field(&t, &last, &id, &type) && id == 20 && type == TC_I64);
    assert_int_equal(tr_int(&t), 300);
    assert_true(tr_field(&t, &last, &id, &type) && id == 21 && type == TC_LIST);
    assert_int_equal(tr_list(&t, &et), 2);
    assert_int_equal(et, TC_I32);
    assert_int_equal(tr_int(&t), 0);
    assert_int_equal(tr_int(&t), 3);
    assert_true(tr_field(&t, &last, &id, &type) && id == 22 && type == TC_STRUCT);
    tr_skip(&t, type);
    /* 15 binary elements promised, none there: a list that lies about its size */
    assert_true(tr_field(&t, &last, &id, &type) && id == 23 && type == TC_LIST);
    assert_int_equal(tr_list(&t, &et), 0);
    assert_true(t.err);

    /* Every truncation: skipping the struct ends in an error, never past the end. */
    for (size_t n = 0; n < sizeof sample; n++) {
        unsigned char *cut = malloc(n + 1); /* exact size: ASan sees any read past it */
        memcpy(cut, sample, n);
        tr_init(&t, cut, n);
        tr_skip(&t, TC_STRUCT);
        assert_true(t.err);
        assert_true(t.p <= t.end);
        free(cut);
    }
    /* Structs nested past the limit are an error, not a deep recursion. */
    unsigned char deep[200];
    memset(deep, 0x1C, sizeof deep); /* field 1, a struct, again and again */
    tr_init(&t, deep, sizeof deep);
    tr_skip(&t, TC_STRUCT);
    assert_true(t.err);
}

static void write_docs(th_plugin *w, int n, const char *split)
{
    for (int i = 0; i < n; i++) {
        char id[16];
        snprintf(id, sizeof id, "%s%d", split, i);
        cv_doc *d = th_doc(id, "Some text, with words.");
        cv_meta_set_string(d, "split", split);
        cv_meta_set_string(d, "lang", "en");
        cv_meta_set_float(d, "lang_score", 0.5 + i);
        assert_int_equal(w->desc->write(w->inst, d), CV_OK);
        cv_doc_free(d);
    }
}

static void test_framing(void **s)
{
    (void)s;
    char *dir = th_tmpdir();
    th_plugin *w = th_open(CV_WRITER, "parquet", "row_group_size: 100", dir);
    assert_non_null(w->inst);
    write_docs(w, 5, "train");
    write_docs(w, 1, "test");
    assert_int_equal(w->desc->finish(w->inst), CV_OK);
    assert_int_equal(th_commit(w), 0);
    th_close(w);
    size_t len;
    char *f = th_output(dir, "train.parquet", &len);
    assert_non_null(f);
    assert_true(len > 12);
    assert_memory_equal(f, "PAR1", 4);
    assert_memory_equal(f + len - 4, "PAR1", 4);
    const unsigned char *u = (const unsigned char *)f + len - 8;
    size_t footer = u[0] | u[1] << 8 | (size_t)u[2] << 16 | (size_t)u[3] << 24;
    assert_true(footer + 12 < len);
    /* FileMetaData starts with version = 1 (field 1, i32). */
    assert_int_equal((unsigned char)f[len - 8 - footer], 0x15);
    assert_int_equal((unsigned char)f[len - 8 - footer + 1], 0x02);
    free(f);
    f = th_output(dir, "test.parquet", &len);
    assert_non_null(f);
    free(f);
    th_rmrf(dir);
    free(dir);
}

static void test_options_refused(void **s)
{
    (void)s;
    static const char *const bad[] = {"spans: chars",      "compression: lz4",   "zstd_level: 0",   "zstd_level: 20",
                                      "row_group_size: 0", "row_group_size: 2G", "columns: [a:float]",
                                      "columns: [text]",   "columns: [a, a]",    "columns: [metadata:string]"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *why = th_refusal(CV_WRITER, "parquet", bad[i], "/tmp");
        assert_non_null(why);
        assert_true(strlen(why) > 0);
    }
    assert_null(th_refusal(CV_WRITER, "parquet", "zstd_level: 19\nrow_group_size: 1G", "/tmp"));
}

static void test_wrong_type(void **s)
{
    (void)s;
    char *dir = th_tmpdir();
    th_plugin *w = th_open(CV_WRITER, "parquet", "columns: [n:int64, b:bool]", dir);
    assert_non_null(w->inst);
    cv_doc *d = th_doc("x", "t");
    cv_meta_set_int(d, "n", 3);
    cv_meta_set_bool(d, "b", 1);
    assert_int_equal(w->desc->write(w->inst, d), CV_OK);
    cv_doc_free(d);
    d = th_doc("y", "t");
    cv_meta_set_float(d, "n", 3.5); /* not an integer */
    assert_int_equal(w->desc->write(w->inst, d), CV_ERROR);
    assert_non_null(strstr(w->ctx.err, "metadata.n is a number, but its column is declared int64"));
    cv_doc_free(d);
    d = th_doc("z", "t");
    cv_meta_set_string(d, "b", "yes");
    assert_int_equal(w->desc->write(w->inst, d), CV_ERROR);
    assert_non_null(strstr(w->ctx.err, "metadata.b is a string"));
    cv_doc_free(d);
    th_close(w);
    th_rmrf(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_thrift_bytes),
        cmocka_unit_test(test_thrift_read),
        cmocka_unit_test(test_framing),
        cmocka_unit_test(test_options_refused),
        cmocka_unit_test(test_wrong_type),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
