/* The archive reader on tar, tar.gz, zip and a folder, all made here. */
#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"

typedef struct member {
    const char *name;
    mode_t type;
    const char *data; /* or link target */
} member;

static const member members[] = {
    {"docs/", AE_IFDIR, NULL},
    {"docs/a.txt", AE_IFREG, "Първи документ.\n"},
    {"docs/b.txt", AE_IFREG, "Second \"quoted\" doc\n"},
    {"docs/bad.txt", AE_IFREG, "caf\xe9 latin-1\n"},
    {"docs/skip.html", AE_IFREG, "<p>not included</p>"},
    {"docs/link.txt", AE_IFLNK, "a.txt"},
    {"docs/empty.txt", AE_IFREG, ""},
};
#define NMEMBERS (sizeof members / sizeof members[0])

static void make_archive(const char *path, const char *format, const char *filter)
{
    struct archive *a = archive_write_new();
    assert_int_equal(archive_write_set_format_by_name(a, format), ARCHIVE_OK);
    if (filter)
        assert_int_equal(archive_write_add_filter_by_name(a, filter), ARCHIVE_OK);
    assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
    for (size_t i = 0; i < NMEMBERS; i++) {
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, members[i].name);
        archive_entry_set_filetype(e, members[i].type);
        archive_entry_set_perm(e, 0644);
        if (members[i].type == AE_IFLNK)
            archive_entry_set_symlink(e, members[i].data);
        if (members[i].type == AE_IFREG)
            archive_entry_set_size(e, (la_int64_t)strlen(members[i].data));
        assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
        if (members[i].type == AE_IFREG)
            archive_write_data(a, members[i].data, strlen(members[i].data));
        archive_entry_free(e);
    }
    archive_write_close(a);
    archive_write_free(a);
}

/* Read everything; check ids, texts, drops and the skip counters. */
static void check_reader(const char *path, const char *extra_opts, int repaired)
{
    char yaml[1024];
    snprintf(yaml, sizeof yaml, "path: %s\ninclude: ['*.txt']\n%s", path, extra_opts);
    th_plugin *p = th_open(CV_READER, "archive", yaml, NULL);
    assert_non_null(p->inst);
    const char *want_ids[] = {"docs/a.txt", "docs/b.txt", "docs/bad.txt", "docs/empty.txt"};
    size_t got = 0;
    for (;;) {
        cv_doc *d = cv_doc_new();
        cv_status st = th_next(p, d);
        if (st == CV_END) {
            cv_doc_free(d);
            break;
        }
        assert_true(got < 4);
        assert_string_equal(cv_doc_id(d), want_ids[got]);
        assert_string_equal(cv_meta_get_string(d, "source"), strrchr(path, '/') + 1);
        if (got == 0)
            assert_string_equal(d->text, "Първи документ.\n");
        if (got == 1)
            assert_string_equal(d->text, "Second \"quoted\" doc\n");
        /* The reader leaves the UTF-8 check to the core (th_next makes it). */
        assert_int_equal(st, CV_OK);
        if (got == 2 && repaired)
            assert_string_equal(d->text, "caf\xEF\xBF\xBD latin-1\n");
        if (got == 2 && !repaired)
            assert_string_equal(d->drop_reason, "archive:invalid_utf8");
        else
            assert_null(d->drop_reason);
        if (got == 3)
            assert_int_equal(d->len, 0);
        got++;
        cv_doc_free(d);
    }
    assert_int_equal(got, 4);
    assert_int_equal(th_counter(p, "skipped:not_included"), 1);
    assert_int_equal(th_counter(p, "skipped:symlink"), 1);
    assert_int_equal(th_counter(p, "repaired:invalid_utf8_bytes"), repaired ? 1 : 0);
    th_close(p);
}

static void run_format(const char *file, const char *format, const char *filter)
{
    char *dir = th_tmpdir();
    char *path = cv_xasprintf("%s/%s", dir, file);
    make_archive(path, format, filter);
    check_reader(path, "", 1);
    check_reader(path, "invalid_utf8: drop\n", 0);
    free(path);
    th_rmrf(dir);
    free(dir);
}

static void test_tar(void **s) { (void)s; run_format("t.tar", "pax", NULL); }
static void test_tar_gz(void **s) { (void)s; run_format("t.tar.gz", "pax", "gzip"); }
static void test_tar_zst(void **s) { (void)s; run_format("t.tar.zst", "pax", "zstd"); }
static void test_zip(void **s) { (void)s; run_format("t.zip", "zip", NULL); }

static void test_directory_entry_counted(void **s)
{
    (void)s;
    char *dir = th_tmpdir();
    char *path = cv_xasprintf("%s/t.tar", dir);
    make_archive(path, "pax", NULL);
    char yaml[512];
    snprintf(yaml, sizeof yaml, "path: %s\n", path);
    th_plugin *p = th_open(CV_READER, "archive", yaml, NULL);
    cv_doc *d;
    while ((d = cv_doc_new()), th_next(p, d) != CV_END)
        cv_doc_free(d);
    cv_doc_free(d);
    assert_int_equal(th_counter(p, "skipped:directory"), 1);
    th_close(p);
    free(path);
    th_rmrf(dir);
    free(dir);
}

static void test_max_doc_bytes(void **s)
{
    (void)s;
    char *dir = th_tmpdir();
    char *path = cv_xasprintf("%s/t.tar.gz", dir);
    make_archive(path, "pax", "gzip");
    char yaml[512];
    snprintf(yaml, sizeof yaml, "path: %s\ninclude: ['*/b.txt']\nmax_doc_bytes: 5\n", path);
    th_plugin *p = th_open(CV_READER, "archive", yaml, NULL);
    cv_doc *d = cv_doc_new();
    assert_int_equal(th_next(p, d), CV_DROP);
    assert_string_equal(d->drop_reason, "archive:max_doc_bytes");
    cv_doc_free(d);
    th_close(p);
    free(path);
    th_rmrf(dir);
    free(dir);
}

static void test_folder(void **s)
{
    (void)s;
    char *dir = th_tmpdir();
    char *sub = cv_xasprintf("%s/x", dir);
    mkdir(sub, 0755);
    char *f = cv_xasprintf("%s/x/one.txt", dir);
    FILE *fp = fopen(f, "w");
    fputs("one", fp);
    fclose(fp);
    char yaml[512];
    snprintf(yaml, sizeof yaml, "path: %s\n", dir);
    th_plugin *p = th_open(CV_READER, "archive", yaml, NULL);
    assert_non_null(p->inst);
    cv_doc *d = cv_doc_new();
    assert_int_equal(th_next(p, d), CV_OK);
    assert_string_equal(cv_doc_id(d), "x/one.txt");
    assert_string_equal(d->text, "one");
    cv_doc_free(d);
    d = cv_doc_new();
    assert_int_equal(th_next(p, d), CV_END);
    cv_doc_free(d);
    th_close(p);
    free(f);
    free(sub);
    th_rmrf(dir);
    free(dir);
}

static void test_missing_and_corrupt(void **s)
{
    (void)s;
    th_plugin *p = th_open(CV_READER, "archive", "path: /nonexistent/x.tar\n", NULL);
    assert_null(p->inst);
    assert_non_null(strstr(p->error, "cannot open '/nonexistent/x.tar'"));
    th_close(p);

    char *dir = th_tmpdir();
    char *path = cv_xasprintf("%s/t.tar.gz", dir);
    make_archive(path, "pax", "gzip");
    truncate(path, 60); /* cut inside the gzip stream */
    char yaml[512];
    snprintf(yaml, sizeof yaml, "path: %s\n", path);
    p = th_open(CV_READER, "archive", yaml, NULL);
    cv_status st = CV_OK;
    if (p->inst) {
        for (int i = 0; i < 20 && st != CV_ERROR && st != CV_END; i++) {
            cv_doc *d = cv_doc_new();
            st = th_next(p, d);
            cv_doc_free(d);
        }
        assert_int_equal(st, CV_ERROR);
        assert_non_null(strstr(p->ctx.err, path));
    }
    th_close(p);
    free(path);
    th_rmrf(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tar),         cmocka_unit_test(test_tar_gz),
        cmocka_unit_test(test_tar_zst),     cmocka_unit_test(test_zip),
        cmocka_unit_test(test_directory_entry_counted),
        cmocka_unit_test(test_max_doc_bytes), cmocka_unit_test(test_folder),
        cmocka_unit_test(test_missing_and_corrupt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
