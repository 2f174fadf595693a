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
 *                        input is pairs, not documents: it stays small.
 *   apply (per shard)    drop what decide decided, naming the kept id.
 *
 * Work files are raw records in the machine's byte order: they are read by
 * the same build on the same cluster, never kept.  Bytes per document:
 * ids 12 + id, signature 4 * (perms + 1), exact 32, bands 24 * bands
 * (at 64 bands of 2 rows: ~2.1 KiB with a 40-byte id), plus the hand-off
 * of the text itself, which the core writes. */
#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dedup.h"
#include "extsort.h"

typedef struct band_rec {
    uint64_t key, ord;
    uint32_t shard, local;
} band_rec;

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

typedef struct decision {
    uint64_t ord, kept;
    double sim;
    uint32_t shard, kind;
    char *detail;
} decision;

struct phased {
    const cv_host *h;
    cv_ctx *ctx;
    dd_params p;
    int mode;
    const char *work;
    unsigned shard, shards, parts; /* parts: partitions of the pairs phase, min(shards, DEDUP_MAX_PARTS) */
    size_t memory;
    /* sign */
    cv_out *ids, *sigs, **bands, **exacts;
    uint32_t local;
    /* apply */
    decision *dec;
    size_t ndec, at, applied;
};

int phased_mode(const char *name)
{
    static const char *const names[] = {"single", "sign", "pairs", "decide", "apply", "collect"};
    for (int i = 0; i < 6; i++)
        if (!strcmp(name, names[i]))
            return i;
    return -1;
}

static unsigned part_of(const phased *ph, uint64_t v) { return (unsigned)((v >> 17) % ph->parts); }

static char *path_of(const phased *ph, const char *fmt, unsigned a, unsigned b)
{
    char rel[256];
    snprintf(rel, sizeof rel, fmt, a, b);
    size_t n = strlen(ph->work) + strlen(rel) + 2;
    char *p = malloc(n);
    if (!p)
        abort();
    snprintf(p, n, "%s/%s", ph->work, rel);
    return p;
}

static cv_out *open_out(phased *ph, const char *fmt, unsigned a)
{
    char rel[64];
    snprintf(rel, sizeof rel, fmt, a);
    return ph->h->out_open(ph->ctx, rel);
}

static int load_decisions(phased *ph);

phased *phased_new(const cv_host *h, cv_ctx *ctx, const dd_params *p, int mode)
{
    phased *ph = calloc(1, sizeof *ph);
    if (!ph)
        return NULL;
    ph->h = h;
    ph->ctx = ctx;
    ph->p = *p;
    ph->mode = mode;
    ph->work = h->opt_string(ctx, "work");
    int64_t k = h->opt_int(ctx, "shard"), n = h->opt_int(ctx, "shards");
    ph->memory = (size_t)h->opt_int(ctx, "memory");
    if (!ph->work || n < 1 || k < 0 || k >= n) {
        h->error(ctx, "phase options are set by convert --phase with --shard K/N, not in the config");
        free(ph);
        return NULL;
    }
    if (n > DEDUP_MAX_SHARDS) {
        h->error(ctx, "at most %d shards: decide writes a file for each, and a task writes at most 1024 files",
                 DEDUP_MAX_SHARDS);
        free(ph);
        return NULL;
    }
    ph->shard = (unsigned)k;
    ph->shards = (unsigned)n;
    ph->parts = ph->shards < DEDUP_MAX_PARTS ? ph->shards : DEDUP_MAX_PARTS;
    if ((mode == PH_PAIRS || mode == PH_COLLECT) && ph->shard >= ph->parts) {
        h->error(ctx, "there are %u partitions: pairs and collect tasks are 0 to %u", ph->parts, ph->parts - 1);
        free(ph);
        return NULL;
    }
    if (mode == PH_SIGN) {
        ph->ids = h->out_open(ctx, "ids.bin");
        ph->sigs = p->near ? h->out_open(ctx, "sig.bin") : NULL;
        ph->bands = calloc(ph->parts, sizeof *ph->bands);
        ph->exacts = calloc(ph->parts, sizeof *ph->exacts);
        int bad = !ph->ids || (p->near && !ph->sigs) || !ph->bands || !ph->exacts;
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
    if (mode == PH_APPLY && load_decisions(ph) < 0) {
        phased_free(ph);
        return NULL;
    }
    return ph;
}

void phased_free(phased *ph)
{
    if (!ph)
        return;
    for (size_t i = 0; i < ph->ndec; i++)
        free(ph->dec[i].detail);
    free(ph->dec);
    free(ph->bands);
    free(ph->exacts);
    free(ph);
}

/* ---- sign ---------------------------------------------------------------- */

static int put(phased *ph, cv_out *o, const void *p, size_t n) { return ph->h->out_write(o, p, n); }

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
        band_rec r = {pt->keys[b], ord, ph->shard, ph->local};
        bad = bad || put(ph, ph->bands[part_of(ph, r.key)], &r, sizeof r);
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
    unsigned char *recs = malloc(CHUNK * size);
    if (!recs)
        abort();
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

static int read_sig(phased *ph, sigfiles *sf, uint32_t shard, uint32_t local, uint32_t *out)
{
    uint64_t tag = ((uint64_t)shard << 32 | local) + 1;
    size_t slot = (size_t)((tag * 0x9E3779B97F4A7C15ull) >> 52) % SIG_CACHE;
    uint32_t *cached = sf->sig + slot * (sf->rec / sizeof *sf->sig);
    if (sf->tag[slot] == tag) {
        memcpy(out, cached, sf->rec);
        return 0;
    }
    off_t at = (off_t)local * (off_t)sf->rec;
    if (pread(sf->fd[shard], out, sf->rec, at) != (ssize_t)sf->rec) {
        ph->h->error(ph->ctx, "signature %u of shard %u is missing: the sign work is incomplete", local, shard);
        return -1;
    }
    memcpy(cached, out, sf->rec);
    sf->tag[slot] = tag;
    return 0;
}

/* Where a sort of this task spills: WORK/tmp-K-WHAT-PID. */
static char *tmp_dir(const phased *ph, const char *what)
{
    size_t n = strlen(ph->work) + strlen(what) + 64;
    char *d = malloc(n);
    if (!d)
        abort();
    snprintf(d, n, "%s/tmp-%u-%s-%ld", ph->work, ph->shard, what, (long)getpid());
    return d;
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
        hd->ord = realloc(hd->ord, hd->cap * sizeof *hd->ord);
        hd->sig = realloc(hd->sig, hd->cap * words * sizeof *hd->sig);
        if (!hd->ord || !hd->sig)
            abort();
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
    uint32_t *sig;
    band_rec first;
    int waiting; /* first is not compared yet */
    size_t pos;
    uint64_t npairs;
} bucket;

static int bucket_add(phased *ph, bucket *bk, const band_rec *b, extsort *pairs)
{
    const dd_params *p = &ph->p;
    size_t words = p->perms + 1;
    if (read_sig(ph, bk->sf, b->shard, b->local, bk->sig) < 0)
        return -1;
    for (size_t i = 0; i < bk->hd.n; i++) {
        const uint32_t *hs = bk->hd.sig + i * words;
        double sim = dd_similarity(p, bk->sig, bk->sig[p->perms], hs, hs[p->perms]);
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
        hold(&bk->hd, words, b->ord, bk->sig);
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
    sigfiles sf = {calloc(ph->shards, sizeof(int)), (p->perms + 1) * sizeof(uint32_t), calloc(SIG_CACHE, 8),
                   malloc(SIG_CACHE * (p->perms + 1) * sizeof(uint32_t))};
    if (!sf.fd || !sf.tag || !sf.sig)
        abort();
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
    bucket bk = {.sf = &sf, .sig = malloc((p->perms + 1) * sizeof(uint32_t))};
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
    free(bk.sig);
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

static int dropped(const uint64_t *v, size_t n, uint64_t ord)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < ord)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && v[lo] == ord;
}

static int cmp_kept(const void *a, const void *b)
{
    const decision *x = *(decision *const *)a, *y = *(decision *const *)b;
    return cmp_u64(x->kept, y->kept);
}

static int cmp_by_shard(const void *a, const void *b)
{
    const decision *x = a, *y = b;
    return x->shard != y->shard ? (x->shard > y->shard) - (x->shard < y->shard) : cmp_u64(x->ord, y->ord);
}

/* The kept ids that decisions name, read from every shard's ids file. */
static int name_kept(phased *ph, decision *dec, size_t n)
{
    decision **by = malloc((n + 1) * sizeof *by);
    for (size_t i = 0; i < n; i++)
        by[i] = &dec[i];
    qsort(by, n, sizeof *by, cmp_kept);
    int rc = 0;
    char *id = malloc(1 << 16);
    for (unsigned j = 0; j < ph->shards && rc == 0; j++) {
        char *path = path_of(ph, "sign-%u/ids.bin", j, 0);
        FILE *f = fopen(path, "rb");
        uint64_t ord;
        uint32_t len;
        size_t at = 0;
        while (f && fread(&ord, sizeof ord, 1, f) == 1 && fread(&len, sizeof len, 1, f) == 1) {
            if (len >= (1 << 16) || fread(id, 1, len, f) != len) {
                rc = -1;
                break;
            }
            id[len] = '\0';
            /* binary search of the first decision naming ord */
            size_t lo = 0, hi = n;
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (by[mid]->kept < ord)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            for (at = lo; at < n && by[at]->kept == ord; at++) {
                decision *d = by[at];
                size_t m = len + 48;
                d->detail = malloc(m);
                if (d->kind == PAIR_EXACT)
                    snprintf(d->detail, m, "%s", id);
                else
                    snprintf(d->detail, m, "%s (similarity %.2f)", id, d->sim);
            }
        }
        if (!f || ferror(f) || rc < 0) {
            ph->h->error(ph->ctx, "cannot read the ids in '%s'", path);
            rc = -1;
        }
        if (f)
            fclose(f);
        free(path);
    }
    for (size_t i = 0; i < n && rc == 0; i++)
        if (!dec[i].detail) {
            ph->h->error(ph->ctx, "document %llu that a decision names is in no shard's ids",
                         (unsigned long long)dec[i].kept);
            rc = -1;
        }
    free(id);
    free(by);
    return rc;
}

static cv_status run_decide(phased *ph)
{
    char *tmp = tmp_dir(ph, "decide");
    extsort *s = extsort_new(sizeof(pair_rec), cmp_pair, 1 << 20, tmp);
    free(tmp);
    for (unsigned j = 0; j < ph->parts; j++) {
        char *path = path_of(ph, "collect-%u/pairs.bin", j, 0);
        extsort_add_sorted(s, path);
        free(path);
    }
    int rc = extsort_done(s) < 0 ? -1 : 0;
    if (rc < 0)
        ph->h->error(ph->ctx, "%s", extsort_error(s));
    uint64_t *gone = NULL; /* dropped documents, in input order */
    decision *dec = NULL;
    size_t n = 0, cap = 0;
    const pair_rec *p = rc == 0 ? extsort_next(s) : NULL;
    while (p) {
        uint64_t x = p->x, lead = 0, best_h = 0;
        uint32_t shard = p->shard;
        int has_lead = 0, has_best = 0;
        double best = 0;
        for (; p && p->x == x; p = extsort_next(s)) {
            if (p->kind == PAIR_EXACT) {
                lead = p->h;
                has_lead = 1;
            } else if (!dropped(gone, n, p->h) && (!has_best || p->sim > best || (p->sim == best && p->h < best_h))) {
                best = p->sim;
                best_h = p->h;
                has_best = 1;
            }
        }
        int exact = has_lead && !dropped(gone, n, lead);
        if (!exact && !has_best)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 1024;
            gone = realloc(gone, cap * sizeof *gone);
            dec = realloc(dec, cap * sizeof *dec);
            if (!gone || !dec)
                abort();
        }
        gone[n] = x;
        dec[n++] = (decision){x, exact ? lead : best_h, best, shard, exact ? PAIR_EXACT : PAIR_NEAR, NULL};
    }
    if (extsort_error(s)) {
        ph->h->error(ph->ctx, "%s", extsort_error(s));
        rc = -1;
    }
    extsort_free(s);
    if (rc == 0)
        rc = name_kept(ph, dec, n);
    /* One file per shard: the apply task reads only its own.  By shard, then
     * input order: one pass, however many shards. */
    if (rc == 0)
        qsort(dec, n, sizeof *dec, cmp_by_shard);
    size_t i = 0;
    for (unsigned k = 0; k < ph->shards && rc == 0; k++) {
        cv_out *o = open_out(ph, "decisions-%u.bin", k);
        if (!o)
            rc = -1;
        for (; o && i < n && dec[i].shard == k && rc == 0; i++) {
            uint32_t kind = dec[i].kind, len = (uint32_t)strlen(dec[i].detail);
            if (put(ph, o, &dec[i].ord, sizeof dec[i].ord) || put(ph, o, &kind, sizeof kind) ||
                put(ph, o, &len, sizeof len) || put(ph, o, dec[i].detail, len))
                rc = -1;
        }
    }
    ph->h->count(ph->ctx, "decided_drops", n);
    for (size_t i = 0; i < n; i++)
        free(dec[i].detail);
    free(dec);
    free(gone);
    return rc == 0 ? CV_OK : CV_ERROR;
}

/* ---- apply --------------------------------------------------------------- */

static int load_decisions(phased *ph)
{
    char *path = path_of(ph, "decide/decisions-%u.bin", ph->shard, 0);
    FILE *f = fopen(path, "rb");
    uint64_t ord;
    uint32_t kind, len;
    size_t cap = 0;
    int rc = f ? 0 : -1;
    while (f && fread(&ord, sizeof ord, 1, f) == 1) {
        if (fread(&kind, sizeof kind, 1, f) != 1 || fread(&len, sizeof len, 1, f) != 1 || len > (1u << 20)) {
            rc = -1;
            break;
        }
        if (ph->ndec == cap) {
            cap = cap ? cap * 2 : 256;
            ph->dec = realloc(ph->dec, cap * sizeof *ph->dec);
            if (!ph->dec)
                abort();
        }
        decision *d = &ph->dec[ph->ndec++];
        *d = (decision){ord, 0, 0, ph->shard, kind, malloc(len + 1)};
        if (fread(d->detail, 1, len, f) != len) {
            rc = -1;
            break;
        }
        d->detail[len] = '\0';
    }
    if (f && ferror(f))
        rc = -1;
    if (f)
        fclose(f);
    if (rc < 0)
        ph->h->error(ph->ctx, "cannot read the decisions in '%s'", path);
    free(path);
    return rc;
}

static cv_status apply(phased *ph, cv_doc *doc)
{
    uint64_t ord = ph->h->doc_order(doc);
    while (ph->at < ph->ndec && ph->dec[ph->at].ord < ord)
        ph->at++; /* not seen: finish() says so */
    if (ph->at == ph->ndec || ph->dec[ph->at].ord != ord)
        return CV_OK;
    const decision *d = &ph->dec[ph->at++];
    ph->applied++;
    ph->h->doc_drop(doc, d->kind == PAIR_EXACT ? "exact_duplicate" : "near_duplicate", d->detail);
    return CV_DROP;
}

cv_status phased_process(phased *ph, cv_doc *doc, const part *pt)
{
    return ph->mode == PH_SIGN ? sign(ph, doc, pt) : apply(ph, doc);
}

cv_status phased_finish(phased *ph)
{
    switch (ph->mode) {
    case PH_PAIRS: return run_pairs(ph);
    case PH_COLLECT: return run_collect(ph);
    case PH_DECIDE: return run_decide(ph);
    case PH_APPLY:
        if (ph->applied != ph->ndec) {
            ph->h->error(ph->ctx, "%zu decisions name documents this shard never saw: the work is from another run",
                         ph->ndec - ph->applied);
            return CV_ERROR;
        }
        return CV_OK;
    default: return CV_OK;
    }
}
