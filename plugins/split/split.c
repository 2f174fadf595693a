/* split.c -- step: train / validation / test from a hash of the document id.
 *
 * The same id and seed always land in the same split, whatever the thread
 * count, the order of the input or the other documents: no state at all. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "convert/plugin.h"

static const cv_option options[] = {
    {"train", CV_OPT_FLOAT, "0.8", 0, "share of documents in train"},
    {"validation", CV_OPT_FLOAT, "0.1", 0, "share in validation"},
    {"test", CV_OPT_FLOAT, "0.1", 0, "share in test (the three are scaled to sum to 1)"},
    {"seed", CV_OPT_INT, "0", 0, "change it to draw a different split"},
    {"key", CV_OPT_STRING, "split", 0, "metadata key (writers name files by metadata.split)"},
    {NULL, 0, NULL, 0, NULL},
};

typedef struct split {
    const cv_host *host;
    double cut_train, cut_validation; /* cumulative shares */
    uint64_t seed;
    const char *key;
} split;

static void *split_create(const cv_host *h, cv_ctx *ctx)
{
    double tr = h->opt_float(ctx, "train"), va = h->opt_float(ctx, "validation"), te = h->opt_float(ctx, "test");
    double sum = tr + va + te;
    if (tr < 0 || va < 0 || te < 0 || !(sum > 0) || !isfinite(sum)) {
        h->error(ctx, "train, validation and test must be >= 0 and not all 0");
        return NULL;
    }
    split *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->host = h;
    s->cut_train = tr / sum;
    s->cut_validation = (tr + va) / sum;
    s->seed = (uint64_t)h->opt_int(ctx, "seed");
    s->key = h->opt_string(ctx, "key");
    return s;
}

static void split_destroy(void *p) { free(p); }

static cv_status split_process(void *p, cv_doc *doc)
{
    split *s = p;
    const char *id = s->host->doc_id(doc);
    /* 53 bits of the hash as a uniform number in [0, 1) */
    double u = (double)(XXH3_64bits_withSeed(id, strlen(id), s->seed) >> 11) * 0x1.0p-53;
    const char *name = u < s->cut_train ? "train" : u < s->cut_validation ? "validation" : "test";
    s->host->meta_set_string(doc, s->key, name);
    return CV_OK;
}

static const cv_plugin split_step = {
    CV_PLUGIN_HEADER,
    .name = "split",
    .kind = CV_STEP,
    .version = "1.0.0",
    .description = "Deterministic train/validation/test assignment from a hash of the id and a seed",
    .options = options,
    .create = split_create,
    .destroy = split_destroy,
    .process = split_process,
};

CONVERT_PLUGINS(&split_step)
