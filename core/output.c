/* output.c -- temp file + rename for every output, with optional gzip or zstd. */
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
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
};

/* A thread starts writeback of every output that grew by WRITEBACK_EVERY, so
 * that the fsync() of the commit finds it mostly on disk instead of waiting
 * for all of it; the page submission is then off the writers' thread too.
 * It starts with the first output that large: small runs never have it. */
#define WRITEBACK_EVERY (16u << 20)

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
    _Atomic int started; /* syncing was decided (set once) */
};

static void *writeback(void *arg)
{
    cv_outset *s = arg;
    pthread_mutex_lock(&s->lock);
    while (!s->stop) {
        struct timespec ts = cv_deadline_ms(250);
        pthread_cond_timedwait(&s->wake, &s->lock, &ts);
        for (size_t i = 0; i < s->n && !s->stop; i++) {
            cv_out *o = s->o[i];
            size_t w = atomic_load_explicit(&o->written, memory_order_relaxed);
            if (w - o->synced < WRITEBACK_EVERY)
                continue;
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
            sync_file_range(o->fd, 0, 0, SYNC_FILE_RANGE_WRITE); /* asynchronous; only a hint */
#endif
            o->synced = w;
        }
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

static void writeback_start(cv_outset *s)
{
    pthread_mutex_lock(&s->lock);
    if (!atomic_load(&s->started) && !s->stop) {
        s->syncing = pthread_create(&s->syncer, NULL, writeback, s) == 0; /* without it, only slower */
        atomic_store(&s->started, 1);
    }
    pthread_mutex_unlock(&s->lock);
}

/* Before files close: the thread must never touch a closed descriptor. */
static void writeback_stop(cv_outset *s)
{
    pthread_mutex_lock(&s->lock);
    s->stop = 1; /* also: never start after this */
    int running = s->syncing;
    s->syncing = 0;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
    if (running)
        pthread_join(s->syncer, NULL);
}

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
    if (atomic_fetch_add_explicit(&o->written, len, memory_order_relaxed) + len >= WRITEBACK_EVERY &&
        !atomic_load_explicit(&o->set->started, memory_order_relaxed))
        writeback_start(o->set);
    return ok ? 0 : -1;
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
        ok = fsync(fileno(o->f)) == 0 && ok;
        ok = fclose(o->f) == 0 && ok;
    }
    o->f = NULL;
    o->gz = NULL;
    ZSTD_freeCCtx(o->zst);
    o->zst = NULL;
    return ok ? 0 : -1;
}

static void out_free(cv_out *o)
{
    free(o->zbuf);
    free(o->fbuf);
    free(o->tmp);
    free(o->final);
    free(o);
}

int cv_outset_commit(cv_outset *s, cv_err *err)
{
    writeback_stop(s);
    /* Close everything first: a rename happens only once every file is whole. */
    for (size_t i = 0; i < s->n; i++)
        if (out_close(s->o[i]) < 0) {
            cv_err_set(err, "cannot write '%s': %s", s->o[i]->final, strerror(errno));
            cv_outset_abort(s);
            return -1;
        }
    for (size_t i = 0; i < s->n; i++) {
        if (rename(s->o[i]->tmp, s->o[i]->final) < 0) {
            cv_err_set(err, "cannot rename '%s' to '%s': %s", s->o[i]->tmp, s->o[i]->final, strerror(errno));
            cv_outset_abort(s);
            return -1;
        }
        out_free(s->o[i]);
        s->o[i] = NULL;
    }
    s->n = 0;
    return 0;
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
