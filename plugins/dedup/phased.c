/* phased.c -- dedup across shards, as convert --phase runs it.
 *
 * The streaming step decides document by document: an exact copy of a kept
 * document is dropped; else the kept documents among the first max_bucket
 * to reach each of its LSH buckets are its candidates, and the most similar
 * one at or above the threshold (ties: the earliest) makes it a near
 * duplicate.  The phases reach the same decisions without any task holding
 * every document:
 *
 *   sign (per shard)     each document's id, signature, exact hash and band
 *                        keys; hashes and keys go to the partition their
 *                        value picks, so a pairs task reads only its share.
 *   pairs (per part)     sort its share (external, within the budget); in a
 *                        bucket, each document against the first max_bucket
 *                        before it, signatures read from the sign files:
 *                        every pair at or above the threshold, and each
 *                        exact copy with the first of its group; written
 *                        once per pair, into the part that the later
 *                        document's place picks.
 *   collect (per part)   a pair that shares bands in several parts was
 *                        found by each: the part's pairs from every pairs
 *                        task, once each.  Without it decide, alone, would
 *                        read every pair up to once per band.
 *   decide (once)        pairs merged in input order; who is kept is known
 *                        for every earlier document by the time a later one
 *                        asks, so the streaming rule applies as it is.  The
 *                        input is pairs, not documents; the drops so far and
 *                        the decisions spill to disk, so memory stays within
 *                        the budget whatever the corpus.
 *   apply (per shard)    drop what decide decided, naming the kept id.
 *
 * Work files are raw records in the machine's byte order: they are read by
 * the same build on the same cluster, never kept.  Bytes per document:
 * ids 12 + id, signature 4 * (perms + 1), exact 32, bands 24 * bands
 * (at 64 bands of 2 rows: ~2.1 KiB with a 40-byte id), plus the hand-off
 * of the text itself, which the core writes. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dedup.h"
#include "extsort.h"
#include "util.h"

typedef struct band_rec {
    uint64_t key, ord;
    uint32_t shard, local;
} band_rec;

#define PENDING 64

typedef struct exact_rec {
    uint64_t hi, lo, ord;
    uint32_t shard, local;
} exact_rec;

enum { PAIR_EXACT = 1, PAIR_NEAR = 2 };

typedef struct pair_rec {
    uint64_t x, h; /* the later document, and the earlier one it may duplicate */
    double sim;
    uint32_t shard, kind; /* x's shard */
} pair_rec;

struct phased {
    const cv_host *h;
    cv_ctx *ctx;
    dd_params p;
    int mode;
    const char *work;
    unsigned shard, shards, parts; /* parts: partitions of the pairs phase (cv_phase_task) */
    size_t memory;
    const char *fault; /* CONVERT_FAULT, or NULL: see fault_point() */
    /* sign */
    cv_out *ids, *sigs, **bands, **exacts;
    band_rec *pending; /* per partition, band records not written yet */
    size_t *npending;
    uint32_t local;
    /* apply: the next decision of this shard */
    FILE *dec;
    uint64_t dec_ord, read, applied;
    uint32_t dec_kind;
    char *dec_detail;
    size_t dec_cap;
    int have;
};

/* By cv_phase: in tmp folders' names and CONVERT_FAULT. */
static const char *const phase_names[] = {"single", "sign", "pairs", "collect", "decide", "apply", "merge"};

/* Fault injection for the tests: CONVERT_FAULT=PHASE:POINT kills the task
 * with SIGKILL at POINT, as the OOM killer or a lost node would, so what a
 * rerun finds after a kill is tested without a timer.  Points: "written" (a
 * sign task's first block of band records went out), "spilled" (a sort of
 * this task's input wrote a run to disk). */
static void fault_point(const phased *ph, const char *point)
{
    const char *name = phase_names[ph->mode];
    size_t n = strlen(name);
    if (ph->fault && !strncmp(ph->fault, name, n) && ph->fault[n] == ':' && !strcmp(ph->fault + n + 1, point))
        raise(SIGKILL);
}

static unsigned part_of(const phased *ph, uint64_t v) { return (unsigned)((v >> 17) % ph->parts); }

static char *path_of(const phased *ph, const char *fmt, unsigned a, unsigned b)
{
    char rel[256];
    snprintf(rel, sizeof rel, fmt, a, b);
    size_t n = strlen(ph->work) + strlen(rel) + 2;
    char *p = xmalloc(n);
    snprintf(p, n, "%s/%s", ph->work, rel);
    return p;
}

static cv_out *open_out(phased *ph, const char *fmt, unsigned a)
{
    char rel[64];
    snprintf(rel, sizeof rel, fmt, a);
    return ph->h->out_open(ph->ctx, rel);
}

static int open_decisions(phased *ph);

phased *phased_new(const cv_host *h, cv_ctx *ctx, const dd_params *p, const cv_phase_task *task)
{
    phased *ph = calloc(1, sizeof *ph);
    if (!ph)
        return NULL;
    ph->h = h;
    ph->ctx = ctx;
    ph->p = *p;
    /* the core checked the task: shard < its phase's tasks, shards within the limit */
    int mode = ph->mode = task->phase;
    ph->work = task->work;
    ph->shard = task->shard;
    ph->shards = task->shards;
    ph->parts = task->parts;
    ph->memory = (size_t)task->memory;
    ph->fault = getenv("CONVERT_FAULT");
    if (mode == CV_PHASE_SIGN) {
        ph->ids = h->out_open(ctx, "ids.bin");
        ph->sigs = p->near ? h->out_open(ctx, "sig.bin") : NULL;
        ph->bands = calloc(ph->parts, sizeof *ph->bands);
        ph->exacts = calloc(ph->parts, sizeof *ph->exacts);
        ph->pending = malloc(ph->parts * PENDING * sizeof *ph->pending);
        ph->npending = calloc(ph->parts, sizeof *ph->npending);
        int bad = !ph->ids || (p->near && !ph->sigs) || !ph->bands || !ph->exacts || !ph->pending || !ph->npending;
        for (unsigned i = 0; i < ph->parts && !bad; i++) {
            if (p->near && !(ph->bands[i] = open_out(ph, "bands-%u.bin", i)))
                bad = 1;
            if (p->exact && !(ph->exacts[i] = open_out(ph, "exact-%u.bin", i)))
                bad = 1;
        }
        if (bad) {
            phased_free(ph);
            return NULL; /* out_open said why */
        }
    }
    if (mode == CV_PHASE_APPLY && open_decisions(ph) < 0) {
        phased_free(ph);
        return NULL;
    }
    return ph;
}

void phased_free(phased *ph)
{
    if (!ph)
        return;
    if (ph->dec)
        fclose(ph->dec);
    free(ph->dec_detail);
    free(ph->bands);
    free(ph->exacts);
    free(ph->pending);
    free(ph->npending);
    free(ph);
}

/* ---- sign ---------------------------------------------------------------- */

static int put(phased *ph, cv_out *o, const void *p, size_t n) { return ph->h->out_write(o, p, n); }

/* Band records wait per partition and go out PENDING at a time: a write
 * per record, 64 a document, was a twentieth of a sign task. */
static int flush_bands(phased *ph, unsigned part)
{
    size_t n = ph->npending[part];
    ph->npending[part] = 0;
    return n ? put(ph, ph->bands[part], ph->pending + (size_t)part * PENDING, n * sizeof *ph->pending) : 0;
}

static cv_status sign(phased *ph, cv_doc *doc, const part *pt)
{
    const cv_host *h = ph->h;
    uint64_t ord = h->doc_order(doc);
    const char *id = h->doc_id(doc);
    uint32_t len = (uint32_t)strlen(id);
    int bad = put(ph, ph->ids, &ord, sizeof ord) || put(ph, ph->ids, &len, sizeof len) || put(ph, ph->ids, id, len);
    if (ph->p.near)
        bad = bad || put(ph, ph->sigs, pt->sig, ph->p.perms * sizeof *pt->sig) ||
              put(ph, ph->sigs, &pt->shingles, sizeof pt->shingles);
    if (ph->p.exact) {
        exact_rec e = {pt->hash.high64, pt->hash.low64, ord, ph->shard, ph->local};
        bad = bad || put(ph, ph->exacts[part_of(ph, e.hi)], &e, sizeof e);
    }
    for (size_t b = 0; ph->p.near && pt->nwords && b < ph->p.bands; b++) {
        unsigned k = part_of(ph, pt->keys[b]);
        ph->pending[(size_t)k * PENDING + ph->npending[k]++] = (band_rec){pt->keys[b], ord, ph->shard, ph->local};
        if (ph->npending[k] == PENDING) {
            bad = bad || flush_bands(ph, k);
            fault_point(ph, "written");
        }
    }
    ph->local++;
    if (bad) {
        h->error(ph->ctx, "cannot write the work files");
        return CV_ERROR;
    }
    return CV_OK;
}

/* ---- pairs --------------------------------------------------------------- */

static int cmp_u64(uint64_t a, uint64_t b) { return a < b ? -1 : a > b; }

static int cmp_exact(const void *a, const void *b)
{
    const exact_rec *x = a, *y = b;
    int c = cmp_u64(x->hi, y->hi);
    c = c ? c : cmp_u64(x->lo, y->lo);
    return c ? c : cmp_u64(x->ord, y->ord);
}

static int cmp_band(const void *a, const void *b)
{
    const band_rec *x = a, *y = b;
    int c = cmp_u64(x->key, y->key);
    return c ? c : cmp_u64(x->ord, y->ord);
}

static int cmp_pair(const void *a, const void *b)
{
    const pair_rec *x = a, *y = b;
    int c = cmp_u64(x->x, y->x);
    c = c ? c : cmp_u64(x->h, y->h);
    return c ? c : (x->kind > y->kind) - (x->kind < y->kind); /* an exact pair before a near one */
}

/* Every record of one kind that the sign tasks wrote for this partition. */
static int feed(phased *ph, extsort *s, const char *fmt, size_t size)
{
    enum { CHUNK = 8192 };
    unsigned char *recs = xmalloc(CHUNK * size);
    int rc = 0;
    for (unsigned j = 0; j < ph->shards && rc == 0; j++) {
        char *path = path_of(ph, fmt, j, ph->shard);
        FILE *f = fopen(path, "rb");
        if (!f) {
            ph->h->error(ph->ctx, "cannot open '%s': %s", path, strerror(errno));
            free(path);
            rc = -1;
            break;
        }
        size_t got;
        int bad = 0;
        while (!bad && (got = fread(recs, size, CHUNK, f)) > 0)
            bad = extsort_add_many(s, recs, got) < 0;
        bad = bad || ferror(f);
        fclose(f);
        if (bad) {
            ph->h->error(ph->ctx, "'%s': %s", path, extsort_error(s) ? extsort_error(s) : "read error");
            rc = -1;
        }
        free(path);
    }
    free(recs);
    if (rc == 0 && extsort_spills(s) > 0)
        fault_point(ph, "spilled");
    if (rc == 0 && extsort_done(s) < 0) {
        ph->h->error(ph->ctx, "%s", extsort_error(s));
        rc = -1;
    }
    return rc;
}

/* The sign tasks' signature files, and the signatures read last: a
 * document is in one bucket per band, and in a templated corpus in many
 * big ones, so the same few are read again and again (a pread each was a
 * tenth of a pairs task). */
#define SIG_CACHE 32768

typedef struct sigfiles {
    int *fd;
    size_t rec; /* bytes per signature record */
    uint64_t *tag; /* per cache slot: 1 + (shard << 32 | local), 0: empty */
    uint32_t *sig; /* per cache slot: the record */
} sigfiles;

/* The signature record of (shard, local), where it lies in the cache: valid
 * until the next call.  NULL when it is missing (the error is said). */
static const uint32_t *read_sig(phased *ph, sigfiles *sf, uint32_t shard, uint32_t local)
{
    uint64_t tag = ((uint64_t)shard << 32 | local) + 1;
    size_t slot = (size_t)((tag * 0x9E3779B97F4A7C15ull) >> 52) % SIG_CACHE;
    uint32_t *cached = sf->sig + slot * (sf->rec / sizeof *sf->sig);
    if (sf->tag[slot] == tag)
        return cached;
    off_t at = (off_t)local * (off_t)sf->rec;
    sf->tag[slot] = 0;
    if (pread(sf->fd[shard], cached, sf->rec, at) != (ssize_t)sf->rec) {
        ph->h->error(ph->ctx, "signature %u of shard %u is missing: the sign work is incomplete", local, shard);
        return NULL;
    }
    sf->tag[slot] = tag;
    return cached;
}

/* Where a sort of this task spills: WORK/tmp-PHASE-K-WHAT-PID. */
static char *tmp_dir(const phased *ph, const char *what)
{
    size_t n = strlen(ph->work) + strlen(what) + 80;
    char *d = xmalloc(n);
    snprintf(d, n, "%s/tmp-%s-%u-%s-%ld", ph->work, phase_names[ph->mode], ph->shard, what, (long)getpid());
    return d;
}

/* What an earlier run of this task left when it was killed: its spilled
 * runs can be gigabytes.  Nothing else runs this task now (the scripts run
 * a task once at a time), so every WORK/tmp-PHASE-K-* is stale. */
static void remove_stale(const phased *ph)
{
    char prefix[64];
    snprintf(prefix, sizeof prefix, "tmp-%s-%u-", phase_names[ph->mode], ph->shard);
    DIR *d = opendir(ph->work);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (strncmp(e->d_name, prefix, strlen(prefix)))
            continue;
        size_t n = strlen(ph->work) + strlen(e->d_name) + 2;
        char *path = xmalloc(n);
        snprintf(path, n, "%s/%s", ph->work, e->d_name);
        DIR *runs = opendir(path);
        struct dirent *r;
        while (runs && (r = readdir(runs))) {
            if (r->d_name[0] == '.')
                continue;
            size_t m = n + strlen(r->d_name) + 1;
            char *file = xmalloc(m);
            snprintf(file, m, "%s/%s", path, r->d_name);
            unlink(file);
            free(file);
        }
        if (runs)
            closedir(runs);
        if (rmdir(path) < 0)
            unlink(path);
        free(path);
    }
    if (d)
        closedir(d);
}

static int exact_pairs(phased *ph, extsort *pairs)
{
    char *tmp = tmp_dir(ph, "exact");
    extsort *s = extsort_new(sizeof(exact_rec), cmp_exact, ph->memory / 10 * 6, tmp);
    free(tmp);
    int rc = feed(ph, s, "sign-%u/exact-%u.bin", sizeof(exact_rec));
    exact_rec lead = {0};
    int have = 0;
    const exact_rec *e;
    while (rc == 0 && (e = extsort_next(s))) {
        if (have && e->hi == lead.hi && e->lo == lead.lo) {
            pair_rec p = {e->ord, lead.ord, 1.0, e->shard, PAIR_EXACT};
            if (extsort_add(pairs, &p) < 0)
                rc = -1;
        } else {
            lead = *e;
            have = 1;
        }
    }
    if (rc == 0 && extsort_error(s))
        ph->h->error(ph->ctx, "%s", extsort_error(s)), rc = -1;
    ph->h->count(ph->ctx, "spilled_runs", extsort_spills(s));
    extsort_free(s);
    return rc;
}

/* A bucket's first max_bucket documents and their signatures. */
typedef struct holders {
    uint64_t *ord;
    uint32_t *sig; /* n * (perms + 1) */
    size_t n, cap;
} holders;

static void hold(holders *hd, size_t words, uint64_t ord, const uint32_t *sig)
{
    if (hd->n == hd->cap) {
        hd->cap = hd->cap ? hd->cap * 2 : 32;
        hd->ord = xrealloc(hd->ord, hd->cap * sizeof *hd->ord);
        hd->sig = xrealloc(hd->sig, hd->cap * words * sizeof *hd->sig);
    }
    hd->ord[hd->n] = ord;
    memcpy(hd->sig + hd->n * words, sig, words * sizeof *sig);
    hd->n++;
}

/* A bucket, streamed in input order: each document against the holders
 * before it.  The first of a bucket waits until a second one comes, so a
 * bucket of one (most of them) costs no signature read. */
typedef struct bucket {
    sigfiles *sf;
    holders hd;
    band_rec first;
    int waiting; /* first is not compared yet */
    size_t pos;
    uint64_t npairs;
} bucket;

static int bucket_add(phased *ph, bucket *bk, const band_rec *b, extsort *pairs)
{
    const dd_params *p = &ph->p;
    size_t words = p->perms + 1;
    const uint32_t *sig = read_sig(ph, bk->sf, b->shard, b->local);
    if (!sig)
        return -1;
    for (size_t i = 0; i < bk->hd.n; i++) {
        const uint32_t *hs = bk->hd.sig + i * words;
        double sim = dd_similarity(p, sig, sig[p->perms], hs, hs[p->perms]);
        if (sim < p->threshold)
            continue;
        pair_rec pr = {b->ord, bk->hd.ord[i], sim, b->shard, PAIR_NEAR};
        bk->npairs++;
        if (extsort_add(pairs, &pr) < 0) {
            ph->h->error(ph->ctx, "%s", extsort_error(pairs));
            return -1;
        }
    }
    if (!p->max_bucket || bk->pos < p->max_bucket)
        hold(&bk->hd, words, b->ord, sig);
    bk->pos++;
    return 0;
}

/* One signature file per shard stays open: as many descriptors as the system allows. */
static void more_files(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl); /* may fail: then open() says why */
    }
}

static int near_pairs(phased *ph, extsort *pairs)
{
    const dd_params *p = &ph->p;
    more_files();
    sigfiles sf = {xcalloc(ph->shards, sizeof(int)), (p->perms + 1) * sizeof(uint32_t), xcalloc(SIG_CACHE, 8),
                   xmalloc(SIG_CACHE * (p->perms + 1) * sizeof(uint32_t))};
    int rc = 0;
    for (unsigned j = 0; j < ph->shards; j++) {
        char *path = path_of(ph, "sign-%u/sig.bin", j, 0);
        if ((sf.fd[j] = open(path, O_RDONLY)) < 0) {
            ph->h->error(ph->ctx, "cannot open '%s': %s", path, strerror(errno));
            rc = -1;
        }
        free(path);
    }
    char *tmp = tmp_dir(ph, "bands");
    extsort *s = extsort_new(sizeof(band_rec), cmp_band, ph->memory / 10 * 6, tmp);
    free(tmp);
    if (rc == 0)
        rc = feed(ph, s, "sign-%u/bands-%u.bin", sizeof(band_rec));
    bucket bk = {.sf = &sf};
    int started = 0;
    const band_rec *b;
    while (rc == 0 && (b = extsort_next(s))) {
        if (!started || b->key != bk.first.key) {
            bk.first = *b;
            bk.waiting = 1;
            bk.pos = 0;
            bk.hd.n = 0;
            started = 1;
            continue;
        }
        if (bk.waiting) {
            bk.waiting = 0;
            if ((rc = bucket_add(ph, &bk, &bk.first, pairs)) < 0)
                break;
        }
        rc = bucket_add(ph, &bk, b, pairs);
    }
    if (rc == 0 && extsort_error(s))
        ph->h->error(ph->ctx, "%s", extsort_error(s)), rc = -1;
    ph->h->count(ph->ctx, "spilled_runs", extsort_spills(s));
    ph->h->count(ph->ctx, "near_pairs", bk.npairs);
    extsort_free(s);
    free(bk.hd.ord);
    free(bk.hd.sig);
    for (unsigned j = 0; j < ph->shards; j++)
        if (sf.fd[j] >= 0)
            close(sf.fd[j]);
    free(sf.fd);
    free(sf.tag);
    free(sf.sig);
    return rc;
}

/* The sorted pairs of s into out (nout files: a pair goes to the part its
 * later document picks; one file: all of them), each pair once: one found
 * in several bands or parts is the same pair, and the exact record, sorted
 * first, is the one kept.  The pairs written, or -1. */
static int64_t write_unique(phased *ph, extsort *s, cv_out **out, unsigned nout)
{
    const pair_rec *p;
    pair_rec last = {0};
    int64_t n = 0;
    while ((p = extsort_next(s))) {
        if (n && p->x == last.x && p->h == last.h)
            continue;
        last = *p;
        n++;
        cv_out *o = out[nout > 1 ? part_of(ph, p->x * 0x9E3779B97F4A7C15ull) : 0];
        if (ph->h->out_write(o, p, sizeof *p) < 0)
            return -1;
    }
    if (extsort_error(s)) {
        ph->h->error(ph->ctx, "%s", extsort_error(s));
        return -1;
    }
    return n;
}

static cv_status run_pairs(phased *ph)
{
    char *tmp = tmp_dir(ph, "pairs");
    /* The pairs' sort fills while the exact or band sort is read: 0.3 + 0.6 of the budget. */
    extsort *pairs = extsort_new(sizeof(pair_rec), cmp_pair, ph->memory / 10 * 3, tmp);
    free(tmp);
    int rc = 0;
    if (ph->p.exact)
        rc = exact_pairs(ph, pairs);
    if (rc == 0 && ph->p.near)
        rc = near_pairs(ph, pairs);
    cv_out **o = calloc(ph->parts, sizeof *o);
    for (unsigned r = 0; rc == 0 && r < ph->parts; r++)
        if (!(o[r] = open_out(ph, "to-%u.bin", r)))
            rc = -1;
    if (rc == 0 && extsort_done(pairs) < 0) {
        ph->h->error(ph->ctx, "%s", extsort_error(pairs));
        rc = -1;
    }
    /* Copies of a template pair up in every band: each pair once. */
    int64_t written = rc == 0 ? write_unique(ph, pairs, o, ph->parts) : -1;
    free(o);
    if (written < 0)
        rc = -1;
    ph->h->count(ph->ctx, "pairs", written < 0 ? 0 : (uint64_t)written);
    ph->h->count(ph->ctx, "spilled_runs", extsort_spills(pairs));
    extsort_free(pairs);
    return rc == 0 ? CV_OK : CV_ERROR;
}

/* ---- collect ------------------------------------------------------------- */

static cv_status run_collect(phased *ph)
{
    char *tmp = tmp_dir(ph, "collect");
    extsort *s = extsort_new(sizeof(pair_rec), cmp_pair, 1 << 20, tmp);
    free(tmp);
    for (unsigned j = 0; j < ph->parts; j++) {
        char *path = path_of(ph, "pairs-%u/to-%u.bin", j, ph->shard);
        extsort_add_sorted(s, path);
        free(path);
    }
    cv_out *o = ph->h->out_open(ph->ctx, "pairs.bin");
    int rc = o ? 0 : -1;
    if (rc == 0 && extsort_done(s) < 0) {
        ph->h->error(ph->ctx, "%s", extsort_error(s));
        rc = -1;
    }
    /* A pair sharing bands in several parts came from each: once. */
    int64_t n = rc == 0 ? write_unique(ph, s, &o, 1) : -1;
    if (n < 0)
        rc = -1;
    ph->h->count(ph->ctx, "pairs", n < 0 ? 0 : (uint64_t)n);
    extsort_free(s);
    return rc == 0 ? CV_OK : CV_ERROR;
}

/* ---- decide -------------------------------------------------------------- */

/* A file that only this task sees and nothing leaves behind, even killed:
 * removed as soon as it is open. */
static int scratch_file(const phased *ph, const char *what)
{
    char *path = tmp_dir(ph, what);
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd < 0)
        ph->h->error(ph->ctx, "cannot create '%s': %s", path, strerror(errno));
    else
        unlink(path);
    free(path);
    return fd;
}

static int write_all(int fd, const void *p, size_t n)
{
    for (const char *c = p; n;) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

/* The number of v's (ascending) entries at or below x. */
static size_t upto_u64(const uint64_t *v, size_t n, uint64_t x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] <= x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int has_u64(const uint64_t *v, size_t n, uint64_t x)
{
    size_t i = upto_u64(v, n, x);
    return i > 0 && v[i - 1] == x;
}

/* The documents decide dropped, asked "was h dropped?" by every later pair.
 * They come in input order, so the newest stay in memory and older ones go
 * to a file in blocks whose first ords stay: memory is a share of the
 * budget plus 8 bytes per block, not 8 bytes per drop. */
#define GONE_BLOCK 64   /* ords per block */
#define GONE_CACHE 1024 /* blocks read back and kept */

typedef struct gone {
    uint64_t *tail;    /* the newest */
    size_t ntail, cap; /* cap: a multiple of GONE_BLOCK */
    uint64_t *first;   /* each block on disk: its first ord */
    size_t nblocks, cblocks;
    int fd, failed; /* failed: the errno of a read back that failed */
    uint64_t *cache;
    size_t *cached; /* the block each cache slot holds, + 1 (0: none) */
} gone;

static void gone_init(gone *g, size_t budget)
{
    memset(g, 0, sizeof *g);
    g->cap = budget / sizeof(uint64_t) / GONE_BLOCK * GONE_BLOCK;
    if (g->cap < GONE_BLOCK)
        g->cap = GONE_BLOCK;
    g->fd = -1;
    g->tail = xmalloc(g->cap * sizeof *g->tail);
}

static void gone_free(gone *g)
{
    if (g->fd >= 0)
        close(g->fd);
    free(g->tail);
    free(g->first);
    free(g->cache);
    free(g->cached);
}

static int gone_add(phased *ph, gone *g, uint64_t ord)
{
    if (g->ntail == g->cap) { /* full: the tail becomes blocks on disk */
        if (g->fd < 0 && (g->fd = scratch_file(ph, "gone")) < 0)
            return -1;
        if (write_all(g->fd, g->tail, g->cap * sizeof *g->tail) < 0) {
            ph->h->error(ph->ctx, "cannot write decide's list of drops: %s", strerror(errno));
            return -1;
        }
        if (g->nblocks + g->cap / GONE_BLOCK > g->cblocks) {
            g->cblocks = (g->nblocks + g->cap / GONE_BLOCK) * 2;
            g->first = xrealloc(g->first, g->cblocks * sizeof *g->first);
        }
        for (size_t i = 0; i < g->cap; i += GONE_BLOCK)
            g->first[g->nblocks++] = g->tail[i];
        g->ntail = 0;
        ph->h->count(ph->ctx, "spilled_runs", 1);
    }
    g->tail[g->ntail++] = ord;
    return 0;
}

static int gone_has(gone *g, uint64_t ord)
{
    if (g->ntail && ord >= g->tail[0])
        return has_u64(g->tail, g->ntail, ord);
    size_t blocks = upto_u64(g->first, g->nblocks, ord); /* the last of them may hold ord */
    if (blocks == 0)
        return 0;
    size_t blk = blocks - 1, slot = blk % GONE_CACHE;
    if (!g->cache) {
        g->cache = xmalloc(GONE_CACHE * GONE_BLOCK * sizeof *g->cache);
        g->cached = xcalloc(GONE_CACHE, sizeof *g->cached);
    }
    uint64_t *v = g->cache + slot * GONE_BLOCK;
    if (g->cached[slot] != blk + 1) {
        size_t n = GONE_BLOCK * sizeof *v;
        if (pread(g->fd, v, n, (off_t)(blk * n)) != (ssize_t)n) {
            g->failed = errno ? errno : EIO; /* a short read leaves errno as it was */
            return 0;
        }
        g->cached[slot] = blk + 1;
    }
    return has_u64(v, GONE_BLOCK, ord);
}

/* A decision on its way to be named, sorted by the kept document... */
typedef struct named_rec {
    uint64_t kept, ord;
    double sim;
    uint32_t shard, kind;
} named_rec;

/* ...then on its way to its shard's file, its detail in the names file. */
typedef struct shard_rec {
    uint64_t shard, ord, off;
    uint32_t len, kind;
} shard_rec;

static int cmp_two(const void *a, const void *b)
{
    const uint64_t *x = a, *y = b;
    int c = cmp_u64(x[0], y[0]);
    return c ? c : cmp_u64(x[1], y[1]);
}

/* One shard's ids file, read in input order. */
typedef struct ids_in {
    FILE *f;
    uint64_t ord; /* of the id read last */
    char *id;
    uint32_t cap;
    int started; /* an id was read */
    unsigned shard;
} ids_in;

/* The next id of c: 1, 0 at the end, -1 when the file is damaged. */
static int ids_next(ids_in *c)
{
    uint64_t ord;
    uint32_t len;
    if (fread(&ord, sizeof ord, 1, c->f) != 1)
        return ferror(c->f) ? -1 : 0;
    if (fread(&len, sizeof len, 1, c->f) != 1 || len >= (1u << 16) || (c->started && ord <= c->ord))
        return -1; /* an id is under 64 KiB; ords only grow */
    if (len + 1 > c->cap) {
        c->cap = len + 1;
        c->id = xrealloc(c->id, c->cap);
    }
    if (fread(c->id, 1, len, c->f) != len)
        return -1;
    c->id[len] = '\0';
    c->ord = ord;
    c->started = 1;
    return 1;
}

static void ids_sift(ids_in **heap, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < n && heap[l]->ord < heap[m]->ord)
            m = l;
        if (l + 1 < n && heap[l + 1]->ord < heap[m]->ord)
            m = l + 1;
        if (m == i)
            return;
        ids_in *t = heap[i];
        heap[i] = heap[m];
        heap[m] = t;
        i = m;
    }
}

/* Decisions by kept document, joined with every shard's ids merged in
 * input order: each one's detail goes to the names file, a record of where
 * into byshard.  Streams: one id per shard in memory. */
static int name_kept(phased *ph, extsort *bykept, extsort *byshard, int names)
{
    ids_in *in = xcalloc(ph->shards, sizeof *in);
    ids_in **heap = xcalloc(ph->shards, sizeof *heap);
    size_t nheap = 0;
    int rc = 0;
    char *bad = NULL; /* the ids file that could not be read */
    for (unsigned j = 0; j < ph->shards && rc == 0; j++) {
        in[j].shard = j;
        char *path = path_of(ph, "sign-%u/ids.bin", j, 0);
        int got = (in[j].f = fopen(path, "rb")) ? ids_next(&in[j]) : -1;
        if (got < 0)
            bad = path, rc = -1;
        else
            free(path);
        if (got > 0)
            heap[nheap++] = &in[j];
    }
    for (size_t i = nheap; i-- > 0;)
        ids_sift(heap, nheap, i);
    char *detail = malloc((1u << 16) + 48);
    uint64_t off = 0;
    const named_rec *r;
    while (rc == 0 && (r = extsort_next(bykept))) {
        while (nheap && heap[0]->ord < r->kept) {
            int got = ids_next(heap[0]);
            if (got < 0) {
                bad = path_of(ph, "sign-%u/ids.bin", heap[0]->shard, 0);
                rc = -1;
                break;
            }
            if (got == 0)
                heap[0] = heap[--nheap];
            ids_sift(heap, nheap, 0);
        }
        if (rc < 0)
            break;
        if (!nheap || heap[0]->ord != r->kept) {
            ph->h->error(ph->ctx, "document %llu that a decision names is in no shard's ids",
                         (unsigned long long)r->kept);
            rc = -1;
            break;
        }
        int len = r->kind == PAIR_EXACT ? snprintf(detail, (1u << 16) + 48, "%s", heap[0]->id)
                                        : snprintf(detail, (1u << 16) + 48, "%s (similarity %.2f)", heap[0]->id, r->sim);
        shard_rec sr = {r->shard, r->ord, off, (uint32_t)len, r->kind};
        if (write_all(names, detail, (size_t)len) < 0 || extsort_add(byshard, &sr) < 0) {
            ph->h->error(ph->ctx, "cannot write the named decisions: %s",
                         extsort_error(byshard) ? extsort_error(byshard) : strerror(errno));
            rc = -1;
        }
        off += (uint64_t)len;
    }
    if (rc == 0 && extsort_error(bykept)) {
        ph->h->error(ph->ctx, "%s", extsort_error(bykept));
        rc = -1;
    }
    if (bad) {
        ph->h->error(ph->ctx, "cannot read the ids in '%s'", bad);
        free(bad);
    }
    for (unsigned j = 0; j < ph->shards; j++) {
        if (in[j].f)
            fclose(in[j].f);
        free(in[j].id);
    }
    free(in);
    free(heap);
    free(detail);
    return rc;
}

/* One file per shard, in input order: the apply task reads only its own. */
static int write_decisions(phased *ph, extsort *byshard, int names)
{
    if (extsort_done(byshard) < 0) {
        ph->h->error(ph->ctx, "%s", extsort_error(byshard));
        return -1;
    }
    char *detail = malloc((1u << 16) + 48);
    const shard_rec *r = extsort_next(byshard);
    int rc = 0;
    for (unsigned k = 0; k < ph->shards && rc == 0; k++) {
        cv_out *o = open_out(ph, "decisions-%u.bin", k);
        if (!o)
            rc = -1;
        for (; rc == 0 && r && r->shard == k; r = extsort_next(byshard)) {
            uint32_t kind = r->kind, len = r->len;
            uint64_t ord = r->ord;
            if (pread(names, detail, len, (off_t)r->off) != (ssize_t)len) {
                ph->h->error(ph->ctx, "cannot read back the named decisions: %s", strerror(errno));
                rc = -1;
            } else if (put(ph, o, &ord, sizeof ord) || put(ph, o, &kind, sizeof kind) || put(ph, o, &len, sizeof len) ||
                       put(ph, o, detail, len)) {
                rc = -1;
            }
        }
    }
    if (rc == 0 && extsort_error(byshard)) {
        ph->h->error(ph->ctx, "%s", extsort_error(byshard));
        rc = -1;
    }
    free(detail);
    return rc;
}

/* Every pair, merged in input order of the later document, against the
 * drops decided so far; then the decisions named and split by shard.
 * Budget: a sixty-fourth for the newest drops, four tenths for each of the
 * two sorts of the decisions. */
static cv_status run_decide(phased *ph)
{
    more_files(); /* every shard's ids file at once, then every shard's decisions file */
    char *tmp = tmp_dir(ph, "decide");
    extsort *s = extsort_new(sizeof(pair_rec), cmp_pair, 1 << 20, tmp);
    free(tmp);
    tmp = tmp_dir(ph, "kept");
    extsort *bykept = extsort_new(sizeof(named_rec), cmp_two, ph->memory / 10 * 4, tmp);
    free(tmp);
    tmp = tmp_dir(ph, "byshard");
    extsort *byshard = extsort_new(sizeof(shard_rec), cmp_two, ph->memory / 10 * 4, tmp);
    free(tmp);
    for (unsigned j = 0; j < ph->parts; j++) {
        char *path = path_of(ph, "collect-%u/pairs.bin", j, 0);
        extsort_add_sorted(s, path);
        free(path);
    }
    int rc = extsort_done(s) < 0 ? -1 : 0;
    if (rc < 0)
        ph->h->error(ph->ctx, "%s", extsort_error(s));
    gone g;
    gone_init(&g, ph->memory / 64);
    uint64_t n = 0;
    const pair_rec *p = rc == 0 ? extsort_next(s) : NULL;
    while (p && rc == 0) {
        uint64_t x = p->x, lead = 0, best_h = 0;
        uint32_t shard = p->shard;
        int has_lead = 0, has_best = 0;
        double best = 0;
        for (; p && p->x == x; p = extsort_next(s)) {
            if (p->kind == PAIR_EXACT) {
                lead = p->h;
                has_lead = 1;
            } else if ((!has_best || p->sim > best || (p->sim == best && p->h < best_h)) && !gone_has(&g, p->h)) {
                best = p->sim;
                best_h = p->h;
                has_best = 1;
            }
        }
        int exact = has_lead && !gone_has(&g, lead);
        if (!exact && !has_best)
            continue;
        named_rec r = {exact ? lead : best_h, x, best, shard, exact ? PAIR_EXACT : PAIR_NEAR};
        if (gone_add(ph, &g, x) < 0)
            rc = -1;
        else if (extsort_add(bykept, &r) < 0)
            ph->h->error(ph->ctx, "%s", extsort_error(bykept)), rc = -1;
        n++;
    }
    if (rc == 0 && g.failed)
        ph->h->error(ph->ctx, "cannot read back decide's list of drops: %s", strerror(g.failed)), rc = -1;
    if (rc == 0 && extsort_error(s))
        ph->h->error(ph->ctx, "%s", extsort_error(s)), rc = -1;
    extsort_free(s);
    gone_free(&g);
    if (rc == 0 && extsort_done(bykept) < 0)
        ph->h->error(ph->ctx, "%s", extsort_error(bykept)), rc = -1;
    int names = rc == 0 ? scratch_file(ph, "names") : -1;
    if (names < 0)
        rc = -1;
    if (rc == 0)
        rc = name_kept(ph, bykept, byshard, names);
    ph->h->count(ph->ctx, "spilled_runs", extsort_spills(bykept));
    extsort_free(bykept);
    if (rc == 0)
        rc = write_decisions(ph, byshard, names);
    ph->h->count(ph->ctx, "spilled_runs", extsort_spills(byshard));
    extsort_free(byshard);
    if (names >= 0)
        close(names);
    ph->h->count(ph->ctx, "decided_drops", n);
    return rc == 0 ? CV_OK : CV_ERROR;
}

/* ---- apply --------------------------------------------------------------- */

/* The shard's decisions are in input order, as its documents come: read
 * one at a time beside them. */
static int next_decision(phased *ph)
{
    uint64_t ord;
    uint32_t kind, len;
    ph->have = 0;
    if (fread(&ord, sizeof ord, 1, ph->dec) != 1) {
        if (!ferror(ph->dec))
            return 0;
    } else if (fread(&kind, sizeof kind, 1, ph->dec) == 1 && fread(&len, sizeof len, 1, ph->dec) == 1 &&
               len <= (1u << 20) && (!ph->read || ord > ph->dec_ord)) {
        if (len + 1 > ph->dec_cap) {
            ph->dec_cap = len + 1;
            ph->dec_detail = xrealloc(ph->dec_detail, ph->dec_cap);
        }
        if (fread(ph->dec_detail, 1, len, ph->dec) == len) {
            ph->dec_detail[len] = '\0';
            ph->dec_ord = ord;
            ph->dec_kind = kind;
            ph->have = 1;
            ph->read++;
            return 1;
        }
    }
    char *path = path_of(ph, "decide/decisions-%u.bin", ph->shard, 0);
    ph->h->error(ph->ctx, "cannot read the decisions in '%s'", path);
    free(path);
    return -1;
}

static int open_decisions(phased *ph)
{
    char *path = path_of(ph, "decide/decisions-%u.bin", ph->shard, 0);
    ph->dec = fopen(path, "rb");
    if (!ph->dec)
        ph->h->error(ph->ctx, "cannot open '%s': %s", path, strerror(errno));
    free(path);
    return ph->dec && next_decision(ph) >= 0 ? 0 : -1;
}

static cv_status apply(phased *ph, cv_doc *doc)
{
    uint64_t ord = ph->h->doc_order(doc);
    while (ph->have && ph->dec_ord < ord) /* not seen: finish() says so */
        if (next_decision(ph) < 0)
            return CV_ERROR;
    if (!ph->have || ph->dec_ord != ord)
        return CV_OK;
    ph->applied++;
    ph->h->doc_drop(doc, ph->dec_kind == PAIR_EXACT ? "exact_duplicate" : "near_duplicate", ph->dec_detail);
    return next_decision(ph) < 0 ? CV_ERROR : CV_DROP;
}

cv_status phased_process(phased *ph, cv_doc *doc, const part *pt)
{
    return ph->mode == CV_PHASE_SIGN ? sign(ph, doc, pt) : apply(ph, doc);
}

cv_status phased_finish(phased *ph)
{
    if (ph->mode == CV_PHASE_PAIRS || ph->mode == CV_PHASE_COLLECT || ph->mode == CV_PHASE_DECIDE)
        remove_stale(ph);
    switch (ph->mode) {
    case CV_PHASE_PAIRS: return run_pairs(ph);
    case CV_PHASE_COLLECT: return run_collect(ph);
    case CV_PHASE_DECIDE: return run_decide(ph);
    case CV_PHASE_APPLY:
        while (ph->have)
            if (next_decision(ph) < 0)
                return CV_ERROR;
        if (ph->applied != ph->read) {
            ph->h->error(ph->ctx, "%llu decisions name documents this shard never saw: the work is from another run",
                         (unsigned long long)(ph->read - ph->applied));
            return CV_ERROR;
        }
        return CV_OK;
    case CV_PHASE_SIGN:
        for (unsigned k = 0; ph->p.near && k < ph->parts; k++)
            if (flush_bands(ph, k) < 0) {
                ph->h->error(ph->ctx, "cannot write the work files");
                return CV_ERROR;
            }
        return CV_OK;
    default: return CV_OK;
    }
}
