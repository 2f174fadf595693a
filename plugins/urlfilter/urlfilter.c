/* urlfilter.c -- step: drops documents whose URL (metadata.url) is on a
 * blocklist in the UT1 layout FineWeb uses, or holds banned words.
 *
 * The lists are read once per process and shared by the step's instances
 * (shared.h): UT1's adult category alone has millions of domains. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "convert/plugin.h"
#include "lists.h"
#include "shared.h"
#include "util.h"

typedef struct uf_opts {
    const char *blocklist, *allow, *banned_words, *banned_subwords, *soft_banned_words, *false_positives;
    cv_strlist categories;
    int64_t soft_threshold;
    const char *url_key, *malformed;
} uf_opts;

static const cv_optmap optmap[] = {
    {.key = "blocklist", .type = CV_OPT_PATH, .help = "UT1-style folder: <category>/domains and <category>/urls",
     .offset = offsetof(uf_opts, blocklist)},
    {.key = "categories", .type = CV_OPT_LIST, .default_value = "[]",
     .help = "categories of the blocklist to use; [] uses every one", .offset = offsetof(uf_opts, categories)},
    {.key = "allow", .type = CV_OPT_PATH, .help = "domains (and host/path prefixes) never dropped, one a line",
     .offset = offsetof(uf_opts, allow)},
    {.key = "banned_words", .type = CV_OPT_PATH, .help = "words that drop a URL holding them bounded by non-letters",
     .offset = offsetof(uf_opts, banned_words)},
    {.key = "banned_subwords", .type = CV_OPT_PATH,
     .help = "words that drop a URL holding them anywhere in a run of letters and digits",
     .offset = offsetof(uf_opts, banned_subwords)},
    {.key = "soft_banned_words", .type = CV_OPT_PATH, .help = "words that drop a URL holding soft_threshold of them",
     .offset = offsetof(uf_opts, soft_banned_words)},
    {.key = "soft_threshold", .type = CV_OPT_INT, .default_value = "2",
     .help = "how many different soft banned words drop a URL", .offset = offsetof(uf_opts, soft_threshold), .min = 1,
     .max = 1000},
    {.key = "false_positives", .type = CV_OPT_PATH,
     .help = "strings whose banned sub-words do not count (analysis, sussex)", .offset = offsetof(uf_opts, false_positives)},
    {.key = "url_key", .type = CV_OPT_STRING, .default_value = "url", .help = "metadata key holding the document's URL",
     .offset = offsetof(uf_opts, url_key)},
    {.key = "malformed", .type = CV_OPT_STRING, .default_value = "count", .choices = "count|error",
     .help = "a malformed list line: count (and skip) or error naming file and line", .offset = offsetof(uf_opts, malformed)},
    {0},
};

typedef struct urlfilter {
    const cv_host *host;
    cv_ctx *ctx;
    uf_lists *lists;
    uf_opts o;
    uf_scratch scratch;
} urlfilter;

typedef struct build_arg {
    const cv_host *host;
    cv_ctx *ctx;
    uf_config conf;
} build_arg;

static void *build(void *p, char *err, size_t cap)
{
    build_arg *a = p;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    uf_lists *l = uf_load(&a->conf, err, cap);
    if (!l)
        return NULL;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    size_t bytes = strset_bytes(&l->domains) + strset_bytes(&l->urls) + strset_bytes(&l->allow_domains) +
                   strset_bytes(&l->allow_urls) + strset_bytes(&l->words.set) + strset_bytes(&l->subwords.set) +
                   strset_bytes(&l->soft.set) + strset_bytes(&l->fps.set);
    a->host->log(a->ctx, CV_LOG_INFO, "%zu domains and %zu urls in %zu categories, %zu words: %.2f s, %.1f MB",
                 l->domains.n, l->urls.n, l->ncategories, l->words.set.n + l->subwords.set.n + l->soft.set.n,
                 (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, (double)bytes / (1 << 20));
    if (l->malformed) {
        a->host->log(a->ctx, CV_LOG_WARN, "%llu malformed list lines skipped (malformed: error to stop on them)",
                     (unsigned long long)l->malformed);
        a->host->count(a->ctx, "malformed_list_lines", l->malformed);
    }
    return l;
}

static void free_lists(void *p) { uf_free(p); }

static void *urlfilter_create(const cv_host *h, cv_ctx *ctx)
{
    urlfilter *u = calloc(1, sizeof *u);
    if (!u)
        return NULL;
    u->host = h;
    u->ctx = ctx;
    h->opt_load(ctx, &u->o);
    const uf_opts *o = &u->o;
    build_arg a = {h, ctx, {0}};
    uf_config *c = &a.conf;
    *c = (uf_config){.blocklist = o->blocklist, .categories = o->categories.items, .ncategories = o->categories.n,
                     .allow = o->allow, .banned_words = o->banned_words, .banned_subwords = o->banned_subwords,
                     .soft_banned_words = o->soft_banned_words, .false_positives = o->false_positives,
                     .soft_threshold = o->soft_threshold, .strict = !strcmp(o->malformed, "error")};
    const char *malformed = o->malformed;
    const char *const *cats = o->categories.items;
    size_t ncat = o->categories.n;
    char err[1024] = "";
    if (!c->blocklist && !c->banned_words && !c->banned_subwords && !c->soft_banned_words)
        snprintf(err, sizeof err, "nothing to filter by: set blocklist, banned_words, banned_subwords or soft_banned_words");
    else if (ncat && !c->blocklist)
        snprintf(err, sizeof err, "categories without a blocklist");
    if (!err[0]) {
        /* Everything the lists are built from: instances with the same key share them. */
        cv_buf key = {0};
        const char *parts[] = {c->blocklist, c->allow, c->banned_words, c->banned_subwords, c->soft_banned_words,
                               c->false_positives, malformed};
        for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
            buf_adds(&key, parts[i] ? parts[i] : "");
            buf_addc(&key, '\x1f');
        }
        buf_add_uint(&key, (uint64_t)c->soft_threshold);
        for (size_t i = 0; i < ncat; i++) {
            buf_addc(&key, '\x1f');
            buf_adds(&key, cats[i]);
        }
        u->lists = shared_get(key.p, build, &a, free_lists, err, sizeof err);
        buf_free(&key);
    }
    if (!u->lists) {
        h->error(ctx, "%s", err);
        free(u);
        return NULL;
    }
    return u;
}

static void urlfilter_destroy(void *p)
{
    urlfilter *u = p;
    shared_put(u->lists);
    uf_scratch_free(&u->scratch);
    free(u);
}

static cv_status urlfilter_process(void *p, cv_doc *doc)
{
    urlfilter *u = p;
    const cv_host *h = u->host;
    const char *url = h->meta_get_string(doc, u->o.url_key);
    if (!url || !url[0]) {
        h->count(u->ctx, "passed:no_url", 1);
        return CV_OK;
    }
    uf_verdict v;
    uf_check(u->lists, url, strlen(url), &u->scratch, &v);
    if (!v.reason)
        return CV_OK;
    if (v.allowed) {
        h->count(u->ctx, "passed:allowlist", 1);
        return CV_OK;
    }
    h->doc_drop(doc, v.reason, v.detail);
    return CV_DROP;
}

static const cv_plugin urlfilter_step = {
    CV_PLUGIN_HEADER,
    .name = "urlfilter",
    .kind = CV_STEP,
    .version = "1.0.0",
    .description = "Drops documents whose URL is on a UT1-style blocklist or holds banned words",
    .optmap = optmap,
    .create = urlfilter_create,
    .destroy = urlfilter_destroy,
    .process = urlfilter_process,
};

CONVERT_PLUGINS(&urlfilter_step)
