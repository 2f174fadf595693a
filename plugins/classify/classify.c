/* classify.c -- step: score documents with any fastText classifier (a
 * quality model such as DCLM's, or a language-ID model such as lid.176 or
 * GlotLID), tag them with the scores and optionally filter on them.
 *
 * The text goes to the model as fastText's own tools give it a line: line
 * breaks become spaces and the line ends in '\n' (which fastText reads as
 * its end-of-sentence token), so the probabilities are those `fasttext
 * predict-prob` prints for the same text.  One model serves every worker:
 * it is loaded once, by the first instance, and shared read-only. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "convert/plugin.h"
#include "ft_shim.h"
#include "util.h"
#include "yamlfile.h"

#define LABEL_PREFIX "__label__"

typedef struct classify_opts {
    const char *model, *key, *thresholds;
    int64_t k;
    cv_strlist keep;
    int language;
} classify_opts;

static const cv_optmap optmap[] = {
    {.key = "model", .type = CV_OPT_PATH, .required = 1, .offset = offsetof(classify_opts, model),
     .help = "a fastText classifier: .bin, or quantized .ftz"},
    {.key = "key", .type = CV_OPT_STRING, .offset = offsetof(classify_opts, key),
     .help = "metadata key of the {label: probability} object and of the drop reason classify:<key> "
             "(default classify; with language: true, lang, and the object only when key is set)"},
    {.key = "k", .type = CV_OPT_INT, .default_value = "10", .offset = offsetof(classify_opts, k), .min = 1,
     .max = 100000, .help = "how many labels the object holds, best first (fastText's k)"},
    {.key = "keep", .type = CV_OPT_LIST, .default_value = "[]", .offset = offsetof(classify_opts, keep),
     .help = "keep a document if any item holds: \"label\" (it is the top label, and reaches its threshold) or "
             "\"label:min\" (its probability >= min); others are dropped as classify:<key>; [] keeps all"},
    {.key = "thresholds", .type = CV_OPT_PATH, .offset = offsetof(classify_opts, thresholds),
     .help = "YAML file of label: minimum probability of the top label (FineWeb-2's per-language thresholds)"},
    {.key = "language", .type = CV_OPT_BOOL, .default_value = "false", .offset = offsetof(classify_opts, language),
     .help = "language ID: the top label becomes metadata.lang (lang_script from eng_Latn-style labels), lang_score"},
    {0},
};

/* ---- one model in memory for every instance ---------------------------- */

typedef struct label {
    char *name;      /* without __label__ */
    char *json;      /* "name": as a JSON object key, ready to copy */
    size_t json_len;
    char *lang;      /* language part: "eng" of eng_Latn, else the name */
    char *script;    /* "Latn" of eng_Latn, else NULL */
} label;

typedef struct shared {
    struct shared *next;
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime;
    int refs;
    ft_model *model;
    int nlabels;
    label *labels;
} shared;

static pthread_mutex_t models_lock = PTHREAD_MUTEX_INITIALIZER;
static shared *models;

static int valid_utf8(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    while (*u) {
        int n = *u < 0x80 ? 0 : (*u & 0xE0) == 0xC0 && *u >= 0xC2 ? 1 : (*u & 0xF0) == 0xE0 ? 2
              : (*u & 0xF8) == 0xF0 && *u <= 0xF4 ? 3 : -1;
        if (n < 0)
            return 0;
        unsigned cp = n == 0 ? *u : n == 1 ? *u & 0x1Fu : n == 2 ? *u & 0x0Fu : *u & 0x07u;
        for (int i = 1; i <= n; i++) {
            if ((u[i] & 0xC0) != 0x80)
                return 0;
            cp = cp << 6 | (u[i] & 0x3Fu);
        }
        if ((n == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
            return 0;
        u += n + 1;
    }
    return 1;
}

/* "eng_Latn" -> lang "eng", script "Latn": GlotLID's and FLORES's labels. */
static void split_label(label *l)
{
    const char *us = strrchr(l->name, '_');
    size_t n = strlen(l->name);
    if (us && us > l->name && n - (size_t)(us - l->name) == 5 && us[1] >= 'A' && us[1] <= 'Z' && us[2] >= 'a' &&
        us[2] <= 'z' && us[3] >= 'a' && us[3] <= 'z' && us[4] >= 'a' && us[4] <= 'z') {
        l->lang = strndup(l->name, (size_t)(us - l->name));
        l->script = strdup(us + 1);
    } else {
        l->lang = strdup(l->name);
    }
}

static void shared_free(shared *s)
{
    for (int i = 0; s->labels && i < s->nlabels; i++) {
        free(s->labels[i].name);
        free(s->labels[i].json);
        free(s->labels[i].lang);
        free(s->labels[i].script);
    }
    free(s->labels);
    ft_model_free(s->model);
    free(s);
}

static shared *shared_load(const cv_host *h, cv_ctx *ctx, const char *path, const struct stat *st)
{
    char err[512];
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    shared *s = calloc(1, sizeof *s);
    if (!s || !(s->model = ft_model_load(path, err, sizeof err))) {
        h->error(ctx, "model %s: %s", path, s ? err : "out of memory");
        free(s);
        return NULL;
    }
    s->dev = st->st_dev;
    s->ino = st->st_ino;
    s->size = st->st_size;
    s->mtime = st->st_mtim;
    s->nlabels = ft_model_nlabels(s->model);
    s->labels = calloc((size_t)s->nlabels, sizeof *s->labels);
    for (int i = 0; s->labels && i < s->nlabels; i++) {
        const char *raw = ft_model_label(s->model, i);
        label *l = &s->labels[i];
        if (!valid_utf8(raw)) {
            h->error(ctx, "model %s: label %d is not valid UTF-8", path, i);
            shared_free(s);
            return NULL;
        }
        l->name = strdup(strncmp(raw, LABEL_PREFIX, strlen(LABEL_PREFIX)) ? raw : raw + strlen(LABEL_PREFIX));
        cv_buf b = {0};
        buf_add_json(&b, l->name, strlen(l->name));
        buf_addc(&b, ':');
        l->json = b.p;
        l->json_len = b.len;
        split_label(l);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    h->count(ctx, "model_load_ms", (uint64_t)ceil(ms)); /* rounded up: a counter of 0 is not shown */
    h->log(ctx, CV_LOG_INFO, "loaded %s in %.0f ms: %d labels, dimension %d%s", path, ms, s->nlabels,
           ft_model_dim(s->model), ft_model_quantized(s->model) ? ", quantized" : "");
    return s;
}

/* The model at path, loaded by the first caller, shared by the rest. */
static shared *shared_get(const cv_host *h, cv_ctx *ctx, const char *path)
{
    struct stat st;
    if (stat(path, &st) < 0) {
        h->error(ctx, "model %s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    pthread_mutex_lock(&models_lock);
    shared *s = models;
    while (s && !(s->dev == st.st_dev && s->ino == st.st_ino && s->size == st.st_size &&
                  s->mtime.tv_sec == st.st_mtim.tv_sec && s->mtime.tv_nsec == st.st_mtim.tv_nsec))
        s = s->next;
    if (!s && (s = shared_load(h, ctx, path, &st))) {
        s->next = models;
        models = s;
    }
    if (s)
        s->refs++;
    pthread_mutex_unlock(&models_lock);
    return s;
}

static void shared_put(shared *s)
{
    pthread_mutex_lock(&models_lock);
    if (--s->refs == 0) {
        shared **pp = &models;
        while (*pp != s)
            pp = &(*pp)->next;
        *pp = s->next;
        shared_free(s);
    }
    pthread_mutex_unlock(&models_lock);
}

/* ---- the step ------------------------------------------------------------ */

typedef struct rule {
    int label;
    int top;    /* 1: the label must be the top one and reach its threshold; 0: its probability reach min */
    float min;
} rule;

typedef struct classify {
    const cv_host *h;
    cv_ctx *ctx;
    classify_opts o;
    shared *sh;
    const char *key;
    int object; /* write metadata.<key> */
    int language;
    int k;
    float *thr; /* per label: minimum for the top label (0: none) */
    int thresholds;
    rule *rules;
    size_t nrules;
    cv_buf line, json;
    ft_pred *top, *all;
} classify;

static void classify_destroy(void *p)
{
    classify *c = p;
    if (c->sh)
        shared_put(c->sh);
    free(c->thr);
    free(c->rules);
    free(c->top);
    free(c->all);
    buf_free(&c->line);
    buf_free(&c->json);
    free(c);
}

/* The labels a name from the config stands for: the one with that name
 * (__label__ or not); with language: true also every <name>_<Script>. */
static int match_labels(const classify *c, const char *name, int *out)
{
    if (!strncmp(name, LABEL_PREFIX, strlen(LABEL_PREFIX)))
        name += strlen(LABEL_PREFIX);
    int n = 0;
    for (int i = 0; i < c->sh->nlabels; i++) {
        const label *l = &c->sh->labels[i];
        if (!strcmp(l->name, name) || (c->language && l->script && !strcmp(l->lang, name)))
            out[n++] = i;
    }
    return n;
}

static void unknown_label(classify *c, const char *where, const char *name)
{
    cv_buf b = {0};
    for (int i = 0; i < c->sh->nlabels && i < 8; i++) {
        buf_adds(&b, i ? ", " : "");
        buf_adds(&b, c->sh->labels[i].name);
    }
    buf_adds(&b, c->sh->nlabels > 8 ? ", ..." : "");
    buf_addc(&b, '\0');
    c->h->error(c->ctx, "%s: '%s' is not a label of model %s (its %d labels: %s)", where, name, c->o.model,
                c->sh->nlabels, b.p);
    buf_free(&b);
}

/* A probability from the config: a number, finite, not negative. */
static int parse_min(const char *s, float *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !isfinite(v) || v < 0)
        return -1;
    *out = (float)v; /* compared as fastText's own float */
    return 0;
}

static int load_thresholds(classify *c, const char *path)
{
    char err[512];
    json_t *root = yaml_file_load(path, err, sizeof err);
    if (!root || !json_is_object(root)) {
        c->h->error(c->ctx, "thresholds %s", root ? ": not a mapping of label: minimum" : err);
        json_decref(root);
        return -1;
    }
    int *m = malloc(sizeof *m * (size_t)c->sh->nlabels);
    const char *k;
    json_t *v;
    int rc = 0;
    json_object_foreach(root, k, v) {
        float min;
        int n = match_labels(c, k, m);
        if (!json_is_string(v) || parse_min(json_string_value(v), &min) < 0) {
            c->h->error(c->ctx, "thresholds %s: '%s' needs a probability, a number >= 0", path, k);
            rc = -1;
            break;
        }
        if (n == 0) {
            char where[600];
            snprintf(where, sizeof where, "thresholds %s", path);
            unknown_label(c, where, k);
            rc = -1;
            break;
        }
        for (int i = 0; i < n; i++)
            c->thr[m[i]] = min;
    }
    free(m);
    json_decref(root);
    c->thresholds = rc == 0;
    return rc;
}

/* keep items: "label" or "label:min" (the last colon, when a number follows). */
static int load_keep(classify *c)
{
    int *m = malloc(sizeof *m * (size_t)c->sh->nlabels);
    for (size_t i = 0; i < c->o.keep.n; i++) {
        const char *item = c->o.keep.items[i];
        char name[1024];
        snprintf(name, sizeof name, "%s", item);
        float min = 0;
        char *colon = strrchr(name, ':');
        int top = !(colon && colon > name && parse_min(colon + 1, &min) == 0);
        if (!top)
            *colon = '\0';
        int nm = match_labels(c, name, m);
        if (nm == 0) {
            unknown_label(c, "keep", name);
            free(m);
            return -1;
        }
        c->rules = realloc(c->rules, sizeof *c->rules * (c->nrules + (size_t)nm));
        for (int j = 0; j < nm; j++)
            c->rules[c->nrules++] = (rule){.label = m[j], .top = top, .min = min};
    }
    free(m);
    return 0;
}

static void *classify_create(const cv_host *h, cv_ctx *ctx)
{
    classify *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->h = h;
    c->ctx = ctx;
    h->opt_load(ctx, &c->o);
    c->language = c->o.language;
    c->object = !c->language || c->o.key;
    c->key = c->o.key ? c->o.key : c->language ? "lang" : "classify";
    if (!c->key[0] || (c->language && c->object && (!strcmp(c->key, "lang") || !strcmp(c->key, "lang_script") ||
                                                    !strcmp(c->key, "lang_score")))) {
        h->error(ctx, "key '%s' is empty or one of lang, lang_script, lang_score (which language: true sets)", c->key);
        goto fail;
    }
    if (!(c->sh = shared_get(h, ctx, c->o.model)))
        goto fail;
    int nl = c->sh->nlabels;
    c->k = c->o.k < nl ? (int)c->o.k : nl;
    c->thr = calloc((size_t)nl, sizeof *c->thr);
    c->top = calloc((size_t)nl, sizeof *c->top);
    c->all = calloc((size_t)nl, sizeof *c->all);
    if (!c->thr || !c->top || !c->all)
        goto fail;
    if ((c->o.thresholds && load_thresholds(c, c->o.thresholds) < 0) || load_keep(c) < 0)
        goto fail;
    for (size_t i = 0; i < c->nrules; i++)
        if (c->rules[i].top)
            c->rules[i].min = c->thr[c->rules[i].label];
    return c;
fail:
    classify_destroy(c);
    return NULL;
}

/* The fewest digits that read back as the same float (%.9g always does);
 * rounded to 6 significant digits, as C++ streams print, it is exactly the
 * text of `fasttext predict-prob`. */
static int format_prob(char *out, size_t cap, float f)
{
    int n = 0;
    for (int p = 6; p <= 9; p++) {
        n = snprintf(out, cap, "%.*g", p, (double)f);
        if (strtof(out, NULL) == f)
            break;
    }
    return n;
}

static void add_scores(classify *c, const ft_pred *p, int n)
{
    cv_buf *j = &c->json;
    j->len = 0;
    buf_addc(j, '{');
    for (int i = 0; i < n; i++) {
        const label *l = &c->sh->labels[p[i].label];
        char num[32];
        if (i)
            buf_addc(j, ',');
        buf_add(j, l->json, l->json_len);
        buf_add(j, num, (size_t)format_prob(num, sizeof num, p[i].prob));
    }
    buf_addc(j, '}');
    buf_addc(j, '\0');
}

/* Does the document pass keep / thresholds?  The label probabilities beyond
 * the top k are computed only when a rule needs them. */
static int passes(classify *c, int n, int *all_n)
{
    if (c->nrules == 0)
        return !c->thresholds || (n > 0 && c->top[0].prob >= c->thr[c->top[0].label]);
    for (size_t r = 0; r < c->nrules; r++) {
        const rule *u = &c->rules[r];
        if (u->top) {
            if (n > 0 && c->top[0].label == u->label && c->top[0].prob >= u->min)
                return 1;
            continue;
        }
        const ft_pred *p = c->top;
        int np = n;
        if (n == c->k && c->k < c->sh->nlabels) { /* the label may be further down */
            if (*all_n < 0)
                *all_n = ft_predict(c->sh->model, c->line.p, c->line.len, c->sh->nlabels, c->all);
            p = c->all;
            np = *all_n;
        }
        for (int i = 0; i < np; i++)
            if (p[i].label == u->label && p[i].prob >= u->min)
                return 1;
    }
    return 0;
}

static cv_status classify_process(void *p, cv_doc *doc)
{
    classify *c = p;
    const cv_host *h = c->h;
    size_t len;
    const char *text = h->doc_text(doc, &len);
    /* One line, as fastText's tools read it: line breaks as spaces, then '\n'. */
    c->line.len = 0;
    buf_reserve(&c->line, len + 1);
    memcpy(c->line.p, text, len);
    for (char *s = c->line.p, *end = s + len; (s = memchr(s, '\n', (size_t)(end - s))); s++)
        *s = ' ';
    c->line.p[len] = '\n';
    c->line.len = len + 1;

    int n = ft_predict(c->sh->model, c->line.p, c->line.len, c->k, c->top);
    if (n < 0) {
        h->error(c->ctx, "fastText failed on this document");
        return CV_ERROR;
    }
    if (n == 0)
        h->count(c->ctx, "no_known_token", 1);
    add_scores(c, c->top, n);
    if (c->object)
        h->meta_set_json(doc, c->key, c->json.p);
    if (c->language) {
        const label *l = n ? &c->sh->labels[c->top[0].label] : NULL;
        char num[32] = "0";
        if (l)
            format_prob(num, sizeof num, c->top[0].prob);
        h->meta_set_string(doc, "lang", l ? l->lang : "und");
        if (l && l->script)
            h->meta_set_string(doc, "lang_script", l->script);
        h->meta_set_float(doc, "lang_score", strtod(num, NULL));
    }
    int all_n = -1;
    if (passes(c, n, &all_n))
        return CV_OK;
    h->doc_drop(doc, c->key, c->json.p);
    return CV_DROP;
}

static const cv_plugin classify_step = {
    CV_PLUGIN_HEADER,
    .name = "classify",
    .kind = CV_STEP,
    .version = "1.0.0",
    .description = "Score with a fastText classifier (quality or language ID): tag, and keep by label and probability",
    .create = classify_create,
    .destroy = classify_destroy,
    .process = classify_process,
    .optmap = optmap,
};

CONVERT_PLUGINS(&classify_step)
