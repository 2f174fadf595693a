/* dedup.h -- what the streaming step (dedup.c) and its phased form (phased.c) share. */
#ifndef DEDUP_DEDUP_H
#define DEDUP_DEDUP_H

#include <stddef.h>
#include <stdint.h>
#include <xxhash.h>

#include "convert/plugin.h"

typedef struct dd_params {
    int exact, near, containment;
    size_t ngram, bands, rows, perms, max_bucket; /* max_bucket 0: no cap */
    double threshold;
} dd_params;

/* One document's part: what the decision needs that depends on it alone. */
typedef struct part {
    XXH128_hash_t hash; /* of the words, for exact duplicates */
    size_t nwords;
    uint32_t shingles; /* distinct shingles (near only) */
    uint64_t *keys;    /* bands band keys */
    uint32_t *sig;     /* perms MinHash values */
} part;

/* The estimate both modes compare with the threshold, from two signatures
 * and their distinct shingle counts.  Symmetric, so it does not matter
 * which document came first. */
static inline double dd_similarity(const dd_params *p, const uint32_t *a, uint32_t na, const uint32_t *b, uint32_t nb)
{
    size_t same = 0;
    for (size_t i = 0; i < p->perms; i++)
        same += a[i] == b[i];
    double j = (double)same / (double)p->perms;
    if (!p->containment)
        return j;
    /* |A∩B| = J (|A| + |B|) / (1 + J), then over the smaller set. */
    double x = na, y = nb, inter = j * (x + y) / (1 + j);
    double c = inter / (x < y ? x : y);
    return c > 1 ? 1 : c;
}

/* The phased form (convert --phase, cv_phase_task): see phased.c. */
typedef struct phased phased;
phased *phased_new(const cv_host *h, cv_ctx *ctx, const dd_params *p, const cv_phase_task *task);
/* sign: record pt (computed in full); apply: drop what decide decided. */
cv_status phased_process(phased *ph, cv_doc *doc, const part *pt);
/* pairs, collect and decide do all their work here; sign and apply check and close. */
cv_status phased_finish(phased *ph);
void phased_free(phased *ph);

#endif
