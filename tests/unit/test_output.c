/* Output sets and completion markers: nothing appears under its final name
 * before the commit, everything after it (compressed when the name says
 * so), nothing at all after an abort; names that leave the folder are
 * refused.  A marker vouches for sizes always and checksums where asked, so
 * a file changed in place or cut short is found, and a run that marks its
 * set withdraws the marker it replaces before writing anything.  A commit
 * whose files cannot all be made whole (the disk full at the last flush, a
 * writeback that failed while the run wrote) fails and leaves nothing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <zlib.h>

#include "output.h"

static char *tmpdir(void)
{
    char *t = strdup("/tmp/convert-test-output-XXXXXX");
    assert_non_null(mkdtemp(t));
    return t;
}

static char *path_in(const char *dir, const char *name)
{
    char *p = malloc(strlen(dir) + strlen(name) + 2);
    sprintf(p, "%s/%s", dir, name);
    return p;
}

static int exists(const char *dir, const char *name)
{
    char *p = path_in(dir, name);
    struct stat st;
    int rc = stat(p, &st) == 0;
    free(p);
    return rc;
}

static size_t entries(const char *dir)
{
    DIR *d = opendir(dir);
    size_t n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    if (d)
        closedir(d);
    return n;
}

static void rmtree(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void write_text(cv_outset *s, const char *name, const char *text)
{
    cv_err e;
    cv_out *o = cv_outset_open(s, name, &e);
    assert_non_null(o);
    assert_int_equal(cv_out_write(o, text, strlen(text)), 0);
}

static void test_commit_and_abort(void **state)
{
    (void)state;
    char *dir = tmpdir(), *sub = path_in(dir, "out");
    cv_err e;
    cv_outset *s = cv_outset_new(sub, &e);
    assert_non_null(s);
    write_text(s, "a.jsonl", "{\"id\":1}\n");
    write_text(s, "deep/b.jsonl.gz", "compressed\n");
    assert_false(exists(sub, "a.jsonl")); /* not before the commit */
    assert_false(exists(sub, "deep/b.jsonl.gz"));
    assert_int_equal(cv_outset_commit(s, &e), 0);
    cv_outset_free(s);
    assert_true(exists(sub, "a.jsonl"));
    char *gz = path_in(sub, "deep/b.jsonl.gz"), buf[64] = {0};
    gzFile g = gzopen(gz, "rb");
    assert_non_null(g);
    assert_int_equal(gzread(g, buf, sizeof buf - 1), 11);
    gzclose(g);
    assert_string_equal(buf, "compressed\n");
    free(gz);

    /* An abort leaves the folder as it was: no new file, no temp file. */
    size_t before = entries(sub);
    s = cv_outset_new(sub, &e);
    write_text(s, "c.jsonl", "x\n");
    cv_outset_abort(s);
    cv_outset_free(s);
    assert_false(exists(sub, "c.jsonl"));
    assert_int_equal(entries(sub), before);
    /* So does a set freed without a commit. */
    s = cv_outset_new(sub, &e);
    write_text(s, "d.jsonl", "x\n");
    cv_outset_free(s);
    assert_int_equal(entries(sub), before);

    /* Names that leave the folder are refused. */
    s = cv_outset_new(sub, &e);
    assert_null(cv_outset_open(s, "../escape.jsonl", &e));
    assert_null(cv_outset_open(s, "/etc/escape.jsonl", &e));
    cv_outset_free(s);
    assert_false(exists(dir, "escape.jsonl"));
    rmtree(dir);
    free(sub);
    free(dir);
}

/* n MiB of 'x' into o. */
static void write_mib(cv_out *o, int n)
{
    static char chunk[1 << 16];
    memset(chunk, 'x', sizeof chunk);
    for (int i = 0; i < n * 16; i++)
        assert_int_equal(cv_out_write(o, chunk, sizeof chunk), 0);
}

/* An output that grows is made durable while it is written, a few MB at a
 * time: the commit's fsync then flushes only the rest (a virtual disk took
 * ~15 ms for 20 MB at the commit, however long ago they were written). */
static void test_durable_while_written(void **state)
{
    (void)state;
    char *dir = tmpdir();
    cv_err e;
    cv_outset *s = cv_outset_new(dir, &e);
    cv_out *o = cv_outset_open(s, "big.jsonl", &e);
    assert_non_null(o);
    write_mib(o, 9);
    size_t durable = 0;
    for (int ms = 0; ms < 5000 && durable < ((size_t)8 << 20); ms += 10) {
        usleep(10000);
        durable = cv_outset_durable(s);
    }
    assert_true(durable >= ((size_t)8 << 20)); /* all but the last MB, which is short of the next step */
    assert_int_equal(cv_outset_commit(s, &e), 0);
    assert_true(exists(dir, "big.jsonl"));
    cv_outset_free(s);
    rmtree(dir);
    free(dir);
}

/* The writeback thread's fdatasync, failing on demand: this definition is
 * the one output.c links to in this program. */
static atomic_int fail_datasync, datasyncs;
int fdatasync(int fd)
{
    atomic_fetch_add(&datasyncs, 1);
    if (atomic_load(&fail_datasync)) {
        errno = EIO;
        return -1;
    }
    return (int)syscall(SYS_fdatasync, fd);
}

/* Linux reports a failed writeback once per open file, so the commit's own
 * fsync() may succeed after it: the failure the thread saw must fail the
 * commit all the same. */
static void test_commit_after_a_failed_writeback(void **state)
{
    (void)state;
    char *dir = tmpdir();
    cv_err e;
    cv_outset *s = cv_outset_new(dir, &e);
    cv_out *o = cv_outset_open(s, "big.jsonl", &e);
    assert_non_null(o);
    write_text(s, "small.jsonl", "x\n");
    atomic_store(&fail_datasync, 1);
    atomic_store(&datasyncs, 0);
    write_mib(o, 5); /* past the thread's first step */
    for (int ms = 0; ms < 5000 && !atomic_load(&datasyncs); ms += 10)
        usleep(10000);
    assert_true(atomic_load(&datasyncs) > 0);
    assert_int_equal(cv_outset_commit(s, &e), -1);
    atomic_store(&fail_datasync, 0);
    assert_non_null(strstr(e.msg, "big.jsonl"));
    assert_non_null(strstr(e.msg, strerror(EIO)));
    cv_outset_free(s);
    assert_int_equal(entries(dir), 0); /* neither file, no temp file */
    rmtree(dir);
    free(dir);
}

/* The last flush fails (here: past the file size limit, as a full disk
 * would): no file takes its final name, no temp file stays. */
static void test_commit_on_a_full_disk(void **state)
{
    (void)state;
    char *dir = tmpdir();
    cv_err e;
    cv_outset *s = cv_outset_new(dir, &e);
    write_text(s, "a.jsonl", "{\"id\":1}\n");
    cv_out *o = cv_outset_open(s, "b.jsonl", &e);
    static char chunk[100000]; /* under the stream's buffer: nothing written yet */
    memset(chunk, 'y', sizeof chunk);
    assert_int_equal(cv_out_write(o, chunk, sizeof chunk), 0);
    struct rlimit was, small = {4096, 0};
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &was), 0);
    small.rlim_max = was.rlim_max;
    void (*old)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    int rc = cv_outset_commit(s, &e);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &was), 0);
    signal(SIGXFSZ, old);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(e.msg, "b.jsonl"));
    cv_outset_free(s);
    assert_int_equal(entries(dir), 0);
    rmtree(dir);
    free(dir);
}

/* Overwrite byte `at` of dir/name with `c` (size unchanged), or cut the file to `at` bytes. */
static void damage(const char *dir, const char *name, long at, int c, int cut)
{
    char *p = path_in(dir, name);
    if (cut) {
        assert_int_equal(truncate(p, at), 0);
    } else {
        FILE *f = fopen(p, "r+b");
        assert_non_null(f);
        fseek(f, at, SEEK_SET);
        fputc(c, f);
        fclose(f);
    }
    free(p);
}

static void marked_set(const char *dir)
{
    cv_err e;
    cv_outset *s = cv_outset_new(dir, &e);
    assert_non_null(s);
    cv_outset_mark(s);
    write_text(s, "ids.bin", "0123456789");
    write_text(s, "bands-0.bin", "abcdefghij");
    assert_int_equal(cv_outset_commit(s, &e), 0);
    cv_outset_free(s);
}

static void test_markers(void **state)
{
    (void)state;
    char *dir = tmpdir();
    cv_err e;
    assert_int_equal(cv_marker_check(dir, NULL, &e), -1); /* nothing there yet */
    assert_non_null(strstr(e.msg, "missing"));
    marked_set(dir);
    assert_true(exists(dir, CV_MARKER));
    assert_int_equal(cv_marker_check(dir, NULL, &e), 0);
    assert_int_equal(cv_marker_check(dir, "*.bin", &e), 0);

    /* Changed in place: only a checksum finds it, and only where asked. */
    damage(dir, "bands-0.bin", 3, 'X', 0);
    assert_int_equal(cv_marker_check(dir, "ids.bin", &e), 0);
    assert_int_equal(cv_marker_check(dir, "bands-*.bin", &e), -1);
    assert_non_null(strstr(e.msg, "bands-0.bin"));
    assert_int_equal(cv_marker_check(dir, NULL, &e), -1);

    /* Cut short: the size finds it whatever is asked. */
    marked_set(dir);
    damage(dir, "ids.bin", 4, 0, 1);
    assert_int_equal(cv_marker_check(dir, "nothing-matches", &e), -1);
    assert_non_null(strstr(e.msg, "ids.bin"));

    /* A new marked run withdraws the old marker first: killed before its
     * commit, it leaves no marker vouching for files it half replaced. */
    marked_set(dir);
    assert_int_equal(cv_marker_check(dir, NULL, &e), 0);
    cv_outset *s = cv_outset_new(dir, &e);
    cv_outset_mark(s);
    assert_false(exists(dir, CV_MARKER));
    write_text(s, "ids.bin", "new");
    cv_outset_free(s); /* no commit */
    assert_int_equal(cv_marker_check(dir, NULL, &e), -1);

    /* A set that is not marked writes no marker. */
    char *plain = path_in(dir, "plain");
    s = cv_outset_new(plain, &e);
    write_text(s, "a.txt", "a");
    assert_int_equal(cv_outset_commit(s, &e), 0);
    cv_outset_free(s);
    assert_false(exists(plain, CV_MARKER));
    free(plain);
    rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_commit_and_abort),
        cmocka_unit_test(test_markers),
        cmocka_unit_test(test_durable_while_written),
        cmocka_unit_test(test_commit_after_a_failed_writeback),
        cmocka_unit_test(test_commit_on_a_full_disk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
