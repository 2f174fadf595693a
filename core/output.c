/* output.c -- temp file + rename for every output, with optional gzip or zstd. */
#include "output.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <xxhash.h>
#include <zstd.h>

#include "deadline.h"

enum { OUT_PLAIN, OUT_GZ, OUT_ZST };

struct cv_out {
    int comp;
    FILE *f;
    char *fbuf; /* f's buffer: glibc ignores setvbuf()'s size unless it is given the buffer */
    gzFile gz;
    ZSTD_CCtx *zst;
    unsigned char *zbuf;
    size_t zcap;
    char *tmp, *final;
    int failed;
    int fd;                     /* of f, for the writeback thread */
    cv_outset *set;
    _Atomic size_t written;     /* bytes handed over so far */
    size_t synced;              /* written when writeback last started (the writeback thread's) */
    size_t dropped;             /* plain files: bytes before this are on disk and out of the page cache */
    size_t durable;             /* bytes handed over before the writeback thread's last fdatasync */
    int whole;                  /* all of it on disk (out_sync): closing needs no fsync() */
    _Atomic int sync_errno;     /* the writeback thread's fdatasync() failed (its errno): the commit fails */
};

/* A thread makes every output that grew by WRITEBACK_EVERY durable, so that
 * the fsync() of the commit finds it mostly on disk and the disk's cache
 * flushed, instead of waiting for all of it; the page submission is then off
 * the writers' thread too.  It starts with the first output that large:
 * small runs never have it. */
#define WRITEBACK_EVERY (4u << 20)

#define MAX_OUTPUTS 1024
#define OUT_BUFFER (256u << 10)

struct cv_outset {
    char *dir;
    cv_out *o[MAX_OUTPUTS];
    volatile size_t n;
    pthread_mutex_t lock;
    pthread_t syncer;
    pthread_cond_t wake;
    int syncing, stop; /* the writeback thread runs; it should end */
    int grew;          /* an output grew by WRITEBACK_EVERY since the thread's last round */
    _Atomic int started; /* syncing was decided (set once) */
    int marked;          /* commit writes the completion marker */
};

static void *writeback(void *arg)
{
    cv_outset *s = arg;
    pthread_mutex_lock(&s->lock);
    while (!s->stop) {
        if (!s->grew) {
            struct timespec ts = cv_deadline_ms(250);
            pthread_cond_timedwait(&s->wake, &s->lock, &ts);
        }
        s->grew = 0;
        for (size_t i = 0; i < s->n && !s->stop; i++) {
            cv_out *o = s->o[i];
            size_t w = atomic_load_explicit(&o->written, memory_order_relaxed);
            if (w / WRITEBACK_EVERY == o->synced / WRITEBACK_EVERY)
                continue; /* (the writers wake the thread as an output passes a multiple) */
#ifdef SYNC_FILE_RANGE_WRITE
            /* What writeback started on a round ago is on disk or nearly:
             * wait for it and drop it from the page cache, so that a run
             * does not grow the cache by its whole output (nothing reads it
             * back).  New pages then come from the ones just freed; fresh
             * memory cost a virtual machine a fault on its host per page,
             * up to 15% of a run.  Plain files only: a compressed file's
             * offsets are not `written`.  stdio may still hold OUT_BUFFER. */
            size_t end = o->synced > OUT_BUFFER ? (o->synced - OUT_BUFFER) & ~(size_t)4095 : 0;
            if (o->comp == OUT_PLAIN && end > o->dropped) {
                sync_file_range(o->fd, (off_t)o->dropped, (off_t)(end - o->dropped),
                                SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER);
                posix_fadvise(o->fd, (off_t)o->dropped, (off_t)(end - o->dropped), POSIX_FADV_DONTNEED);
                o->dropped = end;
            }
#endif
            o->synced = w;
            /* On disk and through the disk's cache: the commit's fsync
             * then flushes only what came after.  Starting writeback alone
             * (sync_file_range) left the flush of the device's write cache
             * for the commit: ~15 ms for 20 MB on a virtual disk, however
             * long the data had been written. */
            pthread_mutex_unlock(&s->lock);
            int ok = fdatasync(o->fd) == 0;
            /* Linux reports a failed writeback once per open file: the
             * commit's fsync() on the same file may then succeed. */
            if (!ok)
                atomic_store(&o->sync_errno, errno ? errno : EIO);
            pthread_mutex_lock(&s->lock);
            if (ok)
                o->durable = w;
        }
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

static void writeback_start(cv_outset *s)
{
    pthread_mutex_lock(&s->lock);
    if (!atomic_load(&s->started) && !s->stop) {
        s->grew = 1; /* the output that starts it is due */
        s->syncing = pthread_create(&s->syncer, NULL, writeback, s) == 0; /* without it, only slower */
        atomic_store(&s->started, 1);
    }
    pthread_mutex_unlock(&s->lock);
}

/* An output grew by WRITEBACK_EVERY: the thread need not wait for its round. */
static void writeback_wake(cv_outset *s)
{
    pthread_mutex_lock(&s->lock);
    s->grew = 1; /* (a signal while the thread syncs would be lost) */
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
}

/* The thread ends after what it is doing; 1 if it runs (see writeback_join). */
static int writeback_end(cv_outset *s)
{
    pthread_mutex_lock(&s->lock);
    s->stop = 1; /* also: never start after this */
    int running = s->syncing;
    s->syncing = 0;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
    return running;
}

/* Before files close: the thread must never touch a closed descriptor. */
static void writeback_join(cv_outset *s, int running)
{
    if (running)
        pthread_join(s->syncer, NULL);
}

static void writeback_stop(cv_outset *s) { writeback_join(s, writeback_end(s)); }

int cv_mkdirs(const char *path, cv_err *err)
{
    char *p = cv_xstrdup(path);
    for (char *s = p + 1;; s++) {
        if (*s == '/' || *s == '\0') {
            char c = *s;
            *s = '\0';
            if (mkdir(p, 0777) < 0 && errno != EEXIST) {
                cv_err_set(err, "cannot create folder '%s': %s", p, strerror(errno));
                free(p);
                return -1;
            }
            if (!(*s = c))
                break;
        }
    }
    free(p);
    struct stat st;
    if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
        cv_err_set(err, "'%s' is not a folder", path);
        return -1;
    }
    return 0;
}

cv_outset *cv_outset_new(const char *dir, cv_err *err)
{
    if (cv_mkdirs(dir, err) < 0)
        return NULL;
    cv_outset *s = cv_xcalloc(1, sizeof *s);
    s->dir = cv_xstrdup(dir);
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->wake, NULL);
    return s;
}

const char *cv_outset_dir(const cv_outset *s) { return s->dir; }

size_t cv_outset_durable(cv_outset *s)
{
    size_t n = 0;
    pthread_mutex_lock(&s->lock);
    for (size_t i = 0; i < s->n; i++)
        n += s->o[i]->durable;
    pthread_mutex_unlock(&s->lock);
    return n;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

cv_out *cv_outset_open(cv_outset *s, const char *rel, cv_err *err)
{
    if (!rel || !rel[0] || rel[0] == '/' || !strcmp(rel, "..") || !strncmp(rel, "../", 3) || strstr(rel, "/../") ||
        ends_with(rel, "/..")) {
        cv_err_set(err, "output name '%s' must be a relative path inside the output folder", rel ? rel : "");
        return NULL;
    }
    char *final = cv_xasprintf("%s/%s", s->dir, rel);
    pthread_mutex_lock(&s->lock);
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->o[i]->final, final)) {
            pthread_mutex_unlock(&s->lock);
            cv_err_set(err, "two outputs write '%s'", final);
            free(final);
            return NULL;
        }
    if (s->n == MAX_OUTPUTS) {
        pthread_mutex_unlock(&s->lock);
        cv_err_set(err, "more than %d output files", MAX_OUTPUTS);
        free(final);
        return NULL;
    }
    pthread_mutex_unlock(&s->lock);
    char *slash = strrchr(final, '/');
    *slash = '\0';
    int rc = cv_mkdirs(final, err);
    *slash = '/';
    if (rc < 0) {
        free(final);
        return NULL;
    }
    cv_out *o = cv_xcalloc(1, sizeof *o);
    o->final = final;
    o->tmp = cv_xasprintf("%.*s/.%s.tmp-%ld", (int)(slash - final), final, slash + 1, (long)getpid());
    o->comp = ends_with(rel, ".gz") ? OUT_GZ : ends_with(rel, ".zst") ? OUT_ZST : OUT_PLAIN;
    o->f = fopen(o->tmp, "wb");
    if (!o->f) {
        cv_err_set(err, "cannot create '%s': %s", o->tmp, strerror(errno));
        goto fail;
    }
    o->fd = fileno(o->f);
    o->set = s;
    if (o->comp != OUT_GZ) {
        /* Large writes: at stdio's 4 KiB, write() cost the kernel 3x as much per byte. */
        o->fbuf = cv_xmalloc(OUT_BUFFER);
        setvbuf(o->f, o->fbuf, _IOFBF, OUT_BUFFER);
    }
    if (o->comp == OUT_GZ) {
        o->gz = gzdopen(dup(fileno(o->f)), "wb6");
        if (!o->gz) {
            cv_err_set(err, "cannot start gzip for '%s'", o->tmp);
            goto fail;
        }
        gzbuffer(o->gz, 256 * 1024);
    } else if (o->comp == OUT_ZST) {
        o->zst = ZSTD_createCCtx();
        o->zcap = ZSTD_CStreamOutSize();
        o->zbuf = cv_xmalloc(o->zcap);
        ZSTD_CCtx_setParameter(o->zst, ZSTD_c_compressionLevel, 3);
    }
    pthread_mutex_lock(&s->lock);
    s->o[s->n] = o;
    s->n = s->n + 1;
    pthread_mutex_unlock(&s->lock);
    return o;
fail:
    if (o->f) {
        fclose(o->f);
        unlink(o->tmp);
    }
    free(o->fbuf);
    free(o->tmp);
    free(o->final);
    free(o);
    return NULL;
}

static int zst_push(cv_out *o, const void *data, size_t len, ZSTD_EndDirective mode)
{
    ZSTD_inBuffer in = {data, len, 0};
    for (;;) {
        ZSTD_outBuffer out = {o->zbuf, o->zcap, 0};
        size_t left = ZSTD_compressStream2(o->zst, &out, &in, mode);
        if (ZSTD_isError(left) || fwrite(o->zbuf, 1, out.pos, o->f) != out.pos)
            return -1;
        if (mode == ZSTD_e_end ? left == 0 : in.pos == in.size)
            return 0;
    }
}

int cv_out_write(cv_out *o, const void *data, size_t len)
{
    if (!o || o->failed)
        return -1;
    int ok;
    if (o->comp == OUT_GZ)
        ok = len == 0 || gzwrite(o->gz, data, (unsigned)len) == (int)len;
    else if (o->comp == OUT_ZST)
        ok = zst_push(o, data, len, ZSTD_e_continue) == 0;
    else
        ok = fwrite(data, 1, len, o->f) == len;
    if (!ok)
        o->failed = 1;
    size_t before = atomic_fetch_add_explicit(&o->written, len, memory_order_relaxed);
    if (before / WRITEBACK_EVERY != (before + len) / WRITEBACK_EVERY) {
        if (!atomic_load_explicit(&o->set->started, memory_order_relaxed))
            writeback_start(o->set);
        else
            writeback_wake(o->set);
    }
    return ok ? 0 : -1;
}

/* A plain file's bytes to disk, the file left open: what the commit can do
 * while the writeback thread may still sync it. */
static int out_sync(cv_out *o)
{
    if (o->comp != OUT_PLAIN || !o->f)
        return 0;
    o->whole = !o->failed && fflush(o->f) == 0 && fsync(fileno(o->f)) == 0;
    return o->whole ? 0 : -1;
}

/* The writeback thread's failure, if it had one: errno set, -1. */
static int sync_failed(cv_out *o)
{
    int e = atomic_load(&o->sync_errno);
    if (e)
        errno = e;
    return e ? -1 : 0;
}

static int out_close(cv_out *o)
{
    int ok = !o->failed;
    if (o->comp == OUT_GZ && o->gz)
        ok = gzclose(o->gz) == Z_OK && ok;
    if (o->comp == OUT_ZST && o->zst)
        ok = (ok && zst_push(o, NULL, 0, ZSTD_e_end) == 0);
    if (o->f) {
        ok = fflush(o->f) == 0 && ok;
        ok = (o->whole || fsync(fileno(o->f)) == 0) && ok;
        ok = fclose(o->f) == 0 && ok;
    }
    o->f = NULL;
    o->gz = NULL;
    ZSTD_freeCCtx(o->zst);
    o->zst = NULL;
    return ok ? sync_failed(o) : -1;
}

static void out_free(cv_out *o)
{
    free(o->zbuf);
    free(o->fbuf);
    free(o->tmp);
    free(o->final);
    free(o);
}

static int write_marker(cv_outset *s, char **finals, size_t n, cv_err *err);

/* The commit closes the outputs several at once: each fsync() waits for the
 * disk, and one after another they added up (the peers minhash run's five
 * outputs: ~45 ms of its 0.29 s, with no CPU); at once, the file system
 * commits them together. */
enum { CLOSERS = 8 };

typedef struct closer {
    cv_outset *s;
    int (*fn)(cv_out *o); /* out_sync or out_close */
    _Atomic size_t next;
    int *errs; /* per output: 0, or the errno of its close */
} closer;

static void *close_some(void *arg)
{
    closer *c = arg;
    for (size_t i; (i = atomic_fetch_add(&c->next, 1)) < c->s->n;) {
        errno = 0;
        c->errs[i] = c->fn(c->s->o[i]) < 0 ? (errno ? errno : EIO) : 0;
    }
    return NULL;
}

/* fn on every output, several at once.  -1 with *bad the first output that
 * failed, errno its error. */
static int close_all(cv_outset *s, int (*fn)(cv_out *o), size_t *bad)
{
    closer c = {.s = s, .fn = fn, .errs = cv_xcalloc(s->n + 1, sizeof *c.errs)};
    pthread_t t[CLOSERS - 1];
    size_t nt = 0, slow = 0; /* outputs that wait for the disk: a thread each, up to CLOSERS */
    for (size_t i = 0; i < s->n; i++)
        slow += fn == out_sync ? s->o[i]->comp == OUT_PLAIN && s->o[i]->f : !s->o[i]->whole;
    while (nt < CLOSERS - 1 && nt + 1 < slow && pthread_create(&t[nt], NULL, close_some, &c) == 0)
        nt++; /* without threads, only slower */
    close_some(&c);
    for (size_t i = 0; i < nt; i++)
        pthread_join(t[i], NULL);
    int rc = 0;
    for (size_t i = 0; i < s->n && !rc; i++)
        if (c.errs[i]) {
            *bad = i;
            errno = c.errs[i];
            rc = -1;
        }
    free(c.errs);
    return rc;
}

int cv_outset_commit(cv_outset *s, cv_err *err)
{
    /* The plain files are synced while the writeback thread finishes what
     * it is doing (an fdatasync, most often, when a -j 2 run ended): waited
     * for first, the two flushes of the disk came one after the other. */
    int running = writeback_end(s);
    size_t bad;
    int synced = close_all(s, out_sync, &bad);
    writeback_join(s, running);
    char **finals = s->marked ? cv_xcalloc(s->n + 1, sizeof *finals) : NULL;
    size_t nfinal = s->n;
    /* Close everything first: a rename happens only once every file is whole. */
    if (synced < 0 || close_all(s, out_close, &bad) < 0) {
        cv_err_set(err, "cannot write '%s': %s", s->o[bad]->final, strerror(errno));
        free(finals);
        cv_outset_abort(s);
        return -1;
    }
    for (size_t i = 0; i < s->n; i++) {
        if (rename(s->o[i]->tmp, s->o[i]->final) < 0) {
            cv_err_set(err, "cannot rename '%s' to '%s': %s", s->o[i]->tmp, s->o[i]->final, strerror(errno));
            cv_outset_abort(s);
            for (size_t k = 0; finals && k < i; k++)
                free(finals[k]);
            free(finals);
            return -1;
        }
        if (finals)
            finals[i] = cv_xstrdup(s->o[i]->final + strlen(s->dir) + 1);
        out_free(s->o[i]);
        s->o[i] = NULL;
    }
    s->n = 0;
    int rc = finals ? write_marker(s, finals, nfinal, err) : 0;
    for (size_t i = 0; finals && i < nfinal; i++)
        free(finals[i]);
    free(finals);
    return rc;
}

/* ---- completion markers -------------------------------------------------- */

/* A file's size and XXH64, read back from disk: what the marker vouches for
 * is what a later phase will read, not what this process meant to write. */
static int file_sum(const char *path, uint64_t *bytes, uint64_t *sum)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    XXH64_state_t *st = XXH64_createState();
    XXH64_reset(st, 0);
    static __thread char buf[1 << 16];
    size_t got;
    *bytes = 0;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0) {
        XXH64_update(st, buf, got);
        *bytes += got;
    }
    int bad = ferror(f);
    fclose(f);
    *sum = XXH64_digest(st);
    XXH64_freeState(st);
    return bad ? -1 : 0;
}

void cv_outset_mark(cv_outset *s)
{
    s->marked = 1;
    /* A rerun starts by withdrawing the old marker, so a run killed before
     * its commit leaves nothing that looks complete; and drops the temp
     * files a killed run left behind. */
    char *m = cv_xasprintf("%s/%s", s->dir, CV_MARKER);
    unlink(m);
    free(m);
    DIR *d = opendir(s->dir);
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (e->d_name[0] == '.' && strstr(e->d_name, ".tmp-")) {
            char *p = cv_xasprintf("%s/%s", s->dir, e->d_name);
            unlink(p);
            free(p);
        }
    if (d)
        closedir(d);
}

static int write_marker(cv_outset *s, char **finals, size_t n, cv_err *err)
{
    json_t *files = json_array();
    for (size_t i = 0; i < n; i++) {
        char *p = cv_xasprintf("%s/%s", s->dir, finals[i]);
        uint64_t bytes, sum;
        int rc = file_sum(p, &bytes, &sum);
        free(p);
        if (rc < 0) {
            json_decref(files);
            cv_err_set(err, "cannot read back '%s/%s'", s->dir, finals[i]);
            return -1;
        }
        char hex[17];
        snprintf(hex, sizeof hex, "%016llx", (unsigned long long)sum);
        json_array_append_new(files, json_pack("{s:s, s:I, s:s}", "name", finals[i], "bytes", (json_int_t)bytes,
                                               "xxh64", hex));
    }
    json_t *j = json_pack("{s:i, s:o}", "marker", 1, "files", files);
    char *text = json_dumps(j, JSON_INDENT(1));
    json_decref(j);
    char *tmp = cv_xasprintf("%s/.%s.tmp-%ld", s->dir, CV_MARKER, (long)getpid());
    char *final = cv_xasprintf("%s/%s", s->dir, CV_MARKER);
    FILE *f = fopen(tmp, "wb");
    int ok = f && fputs(text, f) >= 0 && fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok = (f && fclose(f) == 0) && ok;
    ok = ok && rename(tmp, final) == 0; /* last: the marker says everything above is whole */
    if (!ok) {
        cv_err_set(err, "cannot write the completion marker '%s': %s", final, strerror(errno));
        unlink(tmp);
    }
    free(text);
    free(tmp);
    free(final);
    return ok ? 0 : -1;
}

int cv_marker_check(const char *dir, const char *sum_pattern, cv_err *err)
{
    char *path = cv_xasprintf("%s/%s", dir, CV_MARKER);
    json_error_t je;
    json_t *j = json_load_file(path, 0, &je);
    json_t *files = json_object_get(j, "files");
    int rc = -1;
    if (!json_is_array(files)) {
        cv_err_set(err, "%s: %s", path, j ? "not a completion marker" : "missing: that task has not completed");
        goto out;
    }
    size_t i;
    json_t *f;
    json_array_foreach(files, i, f) {
        const char *name = json_string_value(json_object_get(f, "name"));
        const char *hex = json_string_value(json_object_get(f, "xxh64"));
        json_int_t want = json_integer_value(json_object_get(f, "bytes"));
        if (!name || !hex || strstr(name, "..")) {
            cv_err_set(err, "%s: entry %zu is not a file", path, i);
            goto out;
        }
        char *p = cv_xasprintf("%s/%s", dir, name);
        struct stat st;
        int bad = stat(p, &st) < 0 || (json_int_t)st.st_size != want;
        if (!bad && (!sum_pattern || fnmatch(sum_pattern, name, 0) == 0)) {
            uint64_t bytes, sum;
            char got[17];
            bad = file_sum(p, &bytes, &sum) < 0;
            snprintf(got, sizeof got, "%016llx", (unsigned long long)sum);
            bad = bad || strcmp(got, hex) != 0;
        }
        free(p);
        if (bad) {
            cv_err_set(err, "%s/%s: size or checksum differs from its completion marker: not trusted", dir, name);
            goto out;
        }
    }
    rc = 0;
out:
    json_decref(j);
    free(path);
    return rc;
}

void cv_outset_abort(cv_outset *s)
{
    writeback_stop(s);
    for (size_t i = 0; i < s->n; i++) {
        if (!s->o[i])
            continue;
        out_close(s->o[i]);
        unlink(s->o[i]->tmp);
        out_free(s->o[i]);
        s->o[i] = NULL;
    }
    s->n = 0;
}

void cv_outset_free(cv_outset *s)
{
    if (!s)
        return;
    cv_outset_abort(s);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->wake);
    free(s->dir);
    free(s);
}
