/* split.c -- step: train / validation / test from a hash of the document id.
 *
 * The same id and seed always land in the same split, whatever the thread
 * count, the order of the input or the other documents: no state at all. */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "convert/plugin.h"

typedef struct split_opts {
    double train, validation, test;
    int64_t seed;
    const char *key;
} split_opts;

static const cv_optmap split_optmap[] = {
    {.key = "train", .type = CV_OPT_FLOAT, .default_value = "0.8", .offset = offsetof(split_opts, train),
     .help = "share of documents in train"},
    {.key = "validation", .type = CV_OPT_FLOAT, .default_value = "0.1", .offset = offsetof(split_opts, validation),
     .help = "share in validation"},
    {.key = "test", .type = CV_OPT_FLOAT, .default_value = "0.1", .offset = offsetof(split_opts, test),
     .help = "share in test (the three are scaled to sum to 1)"},
    {.key = "seed", .type = CV_OPT_INT, .default_value = "0", .offset = offsetof(split_opts, seed),
     .help = "change it to draw a different split"},
    {.key = "key", .type = CV_OPT_STRING, .default_value = "split", .offset = offsetof(split_opts, key),
     .help = "metadata key (writers name files by metadata.split)"},
    {0},
};

typedef struct split {
    const cv_host *host;
    split_opts o;
    double cut_train, cut_validation; /* cumulative shares */
} split;

static void *split_create(const cv_host *h, cv_ctx *ctx)
{
    split *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->host = h;
    h->opt_load(ctx, &s->o);
    double tr = s->o.train, va = s->o.validation, te = s->o.test;
    double sum = tr + va + te;
    if (tr < 0 || va < 0 || te < 0 || !(sum > 0) || !isfinite(sum)) {
        h->error(ctx, "train, validation and test must be >= 0 and not all 0");
        free(s);
        return NULL;
    }
    s->cut_train = tr / sum;
    s->cut_validation = (tr + va) / sum;
    return s;
}

static void split_destroy(void *p) { free(p); }

static cv_status split_process(void *p, cv_doc *doc)
{
    split *s = p;
    const char *id = s->host->doc_id(doc);
    /* 53 bits of the hash as a uniform number in [0, 1) */
    double u = (double)(XXH3_64bits_withSeed(id, strlen(id), (uint64_t)s->o.seed) >> 11) * 0x1.0p-53;
    const char *name = u < s->cut_train ? "train" : u < s->cut_validation ? "validation" : "test";
    s->host->meta_set_string(doc, s->o.key, name);
    return CV_OK;
}

static const cv_plugin split_step = {
    CV_PLUGIN_HEADER,
    .name = "split",
    .kind = CV_STEP,
    .version = "1.0.0",
    .description = "Deterministic train/validation/test assignment from a hash of the id and a seed",
    .optmap = split_optmap,
    .create = split_create,
    .destroy = split_destroy,
    .process = split_process,
};

CONVERT_PLUGINS(&split_step)
