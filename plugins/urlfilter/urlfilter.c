/* urlfilter.c -- step: drops documents whose URL (metadata.url) is on a
 * blocklist in the UT1 layout FineWeb uses, or holds banned words.
 *
 * The lists are read once per process and shared by the step's instances
 * (shared.h): UT1's adult category alone has millions of domains. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "convert/plugin.h"
#include "lists.h"
#include "shared.h"
#include "util.h"

static const cv_option options[] = {
    {"blocklist", CV_OPT_PATH, NULL, 0, "UT1-style folder: <category>/domains and <category>/urls"},
    {"categories", CV_OPT_LIST, "[]", 0, "categories of the blocklist to use; [] uses every one"},
    {"allow", CV_OPT_PATH, NULL, 0, "domains (and host/path prefixes) never dropped, one a line"},
    {"banned_words", CV_OPT_PATH, NULL, 0, "words that drop a URL holding them bounded by non-letters"},
    {"banned_subwords", CV_OPT_PATH, NULL, 0, "words that drop a URL holding them anywhere (letters and digits only)"},
    {"soft_banned_words", CV_OPT_PATH, NULL, 0, "words that drop a URL holding soft_threshold of them"},
    {"soft_threshold", CV_OPT_INT, "2", 0, "how many different soft banned words drop a URL"},
    {"false_positives", CV_OPT_PATH, NULL, 0, "strings whose banned sub-words do not count (analysis, sussex)"},
    {"url_key", CV_OPT_STRING, "url", 0, "metadata key holding the document's URL"},
    {"malformed", CV_OPT_STRING, "count", 0, "a malformed list line: count (and skip) or error"},
    {NULL, 0, NULL, 0, NULL},
};

typedef struct urlfilter {
    const cv_host *host;
    cv_ctx *ctx;
    uf_lists *lists;
    const char *url_key;
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

static void *u_create(const cv_host *h, cv_ctx *ctx)
{
    urlfilter *u = calloc(1, sizeof *u);
    if (!u)
        return NULL;
    u->host = h;
    u->ctx = ctx;
    u->url_key = h->opt_string(ctx, "url_key");
    build_arg a = {h, ctx, {0}};
    uf_config *c = &a.conf;
    c->blocklist = h->opt_string(ctx, "blocklist");
    c->allow = h->opt_string(ctx, "allow");
    c->banned_words = h->opt_string(ctx, "banned_words");
    c->banned_subwords = h->opt_string(ctx, "banned_subwords");
    c->soft_banned_words = h->opt_string(ctx, "soft_banned_words");
    c->false_positives = h->opt_string(ctx, "false_positives");
    c->soft_threshold = h->opt_int(ctx, "soft_threshold");
    const char *malformed = h->opt_string(ctx, "malformed");
    c->strict = !strcmp(malformed, "error");
    size_t ncat = h->opt_list_len(ctx, "categories");
    const char **cats = calloc(ncat ? ncat : 1, sizeof *cats);
    for (size_t i = 0; i < ncat; i++)
        cats[i] = h->opt_list_item(ctx, "categories", i);
    c->categories = cats;
    c->ncategories = ncat;
    char err[1024] = "";
    if (strcmp(malformed, "count") && !c->strict)
        snprintf(err, sizeof err, "malformed '%s': expected count or error", malformed);
    else if (c->soft_threshold < 1)
        snprintf(err, sizeof err, "soft_threshold %lld: expected 1 or more", (long long)c->soft_threshold);
    else if (!c->blocklist && !c->banned_words && !c->banned_subwords && !c->soft_banned_words)
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
    free(cats);
    if (!u->lists) {
        h->error(ctx, "%s", err);
        free(u);
        return NULL;
    }
    return u;
}

static void u_destroy(void *p)
{
    urlfilter *u = p;
    shared_put(u->lists);
    uf_scratch_free(&u->scratch);
    free(u);
}

static cv_status u_process(void *p, cv_doc *doc)
{
    urlfilter *u = p;
    const cv_host *h = u->host;
    const char *url = h->meta_get_string(doc, u->url_key);
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
    .options = options,
    .create = u_create,
    .destroy = u_destroy,
    .process = u_process,
};

CONVERT_PLUGINS(&urlfilter_step)
