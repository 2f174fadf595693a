/* ner.c -- step: named entities from gazetteers, over the segment step's tokens.
 *
 * Entries are sequences of words; every word also matches its inflected
 * forms, made by the suffix rules of the gazetteer file ("Putin" also
 * matches "Putina" and "Putinym").  At each token the longest entry wins; matches do
 * not overlap.  Entities become spans (type "entity", label) and the list
 * metadata.entities ([{"text", "label"}], first occurrence order, unique).
 *
 * Lookups are binary searches over sorted arrays built once at create(). */
#include <jansson.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "convert/plugin.h"
#include "util.h"
#include "yamlfile.h"

typedef struct ner_opts {
    const char *gazetteer;
    int metadata;
} ner_opts;

static const cv_optmap ner_optmap[] = {
    {.key = "gazetteer", .type = CV_OPT_PATH, .required = 1, .offset = offsetof(ner_opts, gazetteer),
     .help = "YAML file or folder: `entities: {LABEL: [names]}` and `inflect:` suffix rules"},
    {.key = "metadata", .type = CV_OPT_BOOL, .default_value = "true", .offset = offsetof(ner_opts, metadata),
     .help = "also list the entities in metadata.entities"},
    {0},
};

typedef struct form {
    char *text;
    uint32_t word; /* base word id */
} form;

typedef struct entry {
    uint32_t *words;
    uint32_t n;
    uint32_t label; /* index into labels */
} entry;

typedef struct ner {
    const cv_host *host;
    cv_ctx *ctx;
    ner_opts o;
    char **words; /* base words by id */
    size_t nwords;
    form *forms; /* sorted by text */
    size_t nforms;
    entry *entries; /* sorted by first word, then longer first */
    size_t nentries;
    char **labels;
    size_t nlabels;
    /* form text -> first index of its run in `forms`: an open-addressing
     * table (hash 0 marks an empty slot), so a token costs one hash and
     * usually one string compare instead of a binary search. */
    uint64_t *fhash;
    uint32_t *fidx;
    size_t fcap;
    cv_buf tmp, toks_text;
} ner;

static void ner_destroy(void *p)
{
    ner *n = p;
    for (size_t i = 0; i < n->nwords; i++)
        free(n->words[i]);
    for (size_t i = 0; i < n->nforms; i++)
        free(n->forms[i].text);
    for (size_t i = 0; i < n->nentries; i++)
        free(n->entries[i].words);
    for (size_t i = 0; i < n->nlabels; i++)
        free(n->labels[i]);
    free(n->words);
    free(n->forms);
    free(n->entries);
    free(n->labels);
    free(n->fhash);
    free(n->fidx);
    buf_free(&n->tmp);
    buf_free(&n->toks_text);
    free(n);
}

static void *grow(void *p, size_t n, size_t size)
{
    /* amortised: capacity doubles at powers of two */
    if (n && (n & (n - 1)))
        return p;
    void *q = xrealloc(p, (n ? n * 2 : 8) * size);
    return q;
}

static uint32_t word_id(ner *n, const char *w)
{
    for (size_t i = 0; i < n->nwords; i++) /* load time only; gazetteers of thousands are fine */
        if (!strcmp(n->words[i], w))
            return (uint32_t)i;
    n->words = grow(n->words, n->nwords, sizeof *n->words);
    n->words[n->nwords] = strdup(w);
    return (uint32_t)n->nwords++;
}

static uint32_t label_id(ner *n, const char *l)
{
    for (size_t i = 0; i < n->nlabels; i++)
        if (!strcmp(n->labels[i], l))
            return (uint32_t)i;
    n->labels = grow(n->labels, n->nlabels, sizeof *n->labels);
    n->labels[n->nlabels] = strdup(l);
    return (uint32_t)n->nlabels++;
}

static void add_form(ner *n, const char *text, uint32_t word)
{
    n->forms = grow(n->forms, n->nforms, sizeof *n->forms);
    n->forms[n->nforms++] = (form){strdup(text), word};
}

static int cmp_form(const void *a, const void *b)
{
    const form *x = a, *y = b;
    int c = strcmp(x->text, y->text);
    return c ? c : (x->word > y->word) - (x->word < y->word);
}

static int cmp_entry(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    if (x->words[0] != y->words[0])
        return x->words[0] < y->words[0] ? -1 : 1;
    if (x->n != y->n)
        return x->n > y->n ? -1 : 1; /* longer first */
    return memcmp(x->words, y->words, x->n * sizeof *x->words);
}

static int load(ner *n, const char *file, json_t **rules)
{
    char err[1024];
    json_t *root = yaml_file_load(file, err, sizeof err);
    if (!root) {
        n->host->error(n->ctx, "%s", err);
        return -1;
    }
    json_t *ents = json_object_get(root, "entities"), *list, *v;
    const char *label;
    size_t i;
    if (ents && !json_is_object(ents)) {
        n->host->error(n->ctx, "%s: 'entities' must map labels to lists of names", file);
        json_decref(root);
        return -1;
    }
    json_object_foreach(ents, label, list) {
        uint32_t lid = label_id(n, label);
        json_array_foreach(list, i, v) {
            const char *name = json_string_value(v);
            if (!name || !name[0])
                continue;
            entry e = {.label = lid};
            char *copy = strdup(name), *save = NULL;
            for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
                e.words = grow(e.words, e.n, sizeof *e.words);
                e.words[e.n++] = word_id(n, w);
            }
            free(copy);
            if (!e.n)
                continue;
            n->entries = grow(n->entries, n->nentries, sizeof *n->entries);
            n->entries[n->nentries++] = e;
        }
    }
    json_t *inflect = json_object_get(root, "inflect");
    if (inflect) {
        const char *lang;
        json_object_foreach(inflect, lang, list) json_array_foreach(list, i, v) json_array_append(*rules, v);
    }
    json_decref(root);
    return 0;
}

/* Every base word in all its forms: itself and what the suffix rules make. */
static void expand(ner *n, json_t *rules)
{
    for (size_t w = 0; w < n->nwords; w++) {
        const char *base = n->words[w];
        size_t blen = strlen(base);
        add_form(n, base, (uint32_t)w);
        size_t i;
        json_t *r;
        json_array_foreach(rules, i, r) {
            const char *strip = json_string_value(json_object_get(r, "strip"));
            json_t *adds = json_object_get(r, "add");
            size_t slen = strip ? strlen(strip) : 0;
            if (slen > blen || (slen && strcmp(base + blen - slen, strip)) || blen - slen == 0)
                continue;
            size_t k;
            json_t *a;
            json_array_foreach(adds, k, a) {
                const char *add = json_string_value(a);
                if (!add)
                    continue;
                n->tmp.len = 0;
                buf_add(&n->tmp, base, blen - slen);
                buf_adds(&n->tmp, add);
                add_form(n, n->tmp.p, (uint32_t)w);
            }
        }
    }
    qsort(n->forms, n->nforms, sizeof *n->forms, cmp_form);
    /* Drop repeated (form, word) pairs: rules may make the same form twice. */
    size_t out = 0;
    for (size_t i = 0; i < n->nforms; i++) {
        if (out && !cmp_form(&n->forms[out - 1], &n->forms[i])) {
            free(n->forms[i].text);
            continue;
        }
        n->forms[out++] = n->forms[i];
    }
    n->nforms = out;
    qsort(n->entries, n->nentries, sizeof *n->entries, cmp_entry);
    n->fcap = 64;
    while (n->fcap < 2 * n->nforms)
        n->fcap *= 2;
    n->fhash = xcalloc(n->fcap, sizeof *n->fhash);
    n->fidx = xcalloc(n->fcap, sizeof *n->fidx);
    for (size_t i = 0; i < n->nforms; i++) {
        if (i && !strcmp(n->forms[i - 1].text, n->forms[i].text))
            continue; /* the run starts at its first index */
        uint64_t h = XXH3_64bits(n->forms[i].text, strlen(n->forms[i].text)) | 1;
        size_t k = h & (n->fcap - 1);
        while (n->fhash[k])
            k = (k + 1) & (n->fcap - 1);
        n->fhash[k] = h;
        n->fidx[k] = (uint32_t)i;
    }
}

static void *ner_create(const cv_host *h, cv_ctx *ctx)
{
    ner *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->host = h;
    n->ctx = ctx;
    h->opt_load(ctx, &n->o);
    const char *path = n->o.gazetteer;
    char **files;
    int count = yaml_paths(path, &files);
    if (count < 0) {
        h->error(ctx, "gazetteer '%s': no such file or folder", path);
        ner_destroy(n);
        return NULL;
    }
    json_t *rules = json_array();
    int rc = 0;
    for (int i = 0; i < count && rc == 0; i++)
        rc = load(n, files[i], &rules);
    paths_free(files);
    if (rc == 0)
        expand(n, rules);
    json_decref(rules);
    if (rc < 0) {
        ner_destroy(n);
        return NULL;
    }
    return n;
}

/* The range of forms equal to `text`: [*lo, *hi), empty when none. */
static void find_forms(const ner *n, const char *text, size_t *lo, size_t *hi)
{
    *lo = *hi = 0;
    uint64_t h = XXH3_64bits(text, strlen(text)) | 1;
    for (size_t k = h & (n->fcap - 1); n->fhash[k]; k = (k + 1) & (n->fcap - 1)) {
        if (n->fhash[k] != h || strcmp(n->forms[n->fidx[k]].text, text))
            continue;
        size_t b = n->fidx[k];
        *lo = b;
        while (b < n->nforms && !strcmp(n->forms[b].text, text))
            b++;
        *hi = b;
        return;
    }
}

static int token_is(const ner *n, const char *text, uint32_t word)
{
    size_t lo, hi;
    find_forms(n, text, &lo, &hi);
    for (size_t i = lo; i < hi; i++)
        if (n->forms[i].word == word)
            return 1;
    return 0;
}

static cv_status ner_process(void *p, cv_doc *doc)
{
    ner *n = p;
    const cv_host *h = n->host;
    size_t len;
    const char *text = h->doc_text(doc, &len);
    size_t nspans = h->span_count(doc), ntok = 0;
    cv_span *toks = xmalloc((nspans ? nspans : 1) * sizeof *toks);
    size_t *toff = xmalloc((nspans ? nspans : 1) * sizeof *toff);
    char **tt = xmalloc((nspans ? nspans : 1) * sizeof *tt);
    n->toks_text.len = 0;
    for (size_t i = 0; i < nspans; i++) { /* token texts, NUL-separated, in one buffer */
        cv_span s;
        h->span_get(doc, i, &s);
        if (s.type[0] != 't' || strcmp(s.type, "token"))
            continue;
        toks[ntok] = s;
        toff[ntok++] = n->toks_text.len;
        buf_add(&n->toks_text, text + s.start, s.end - s.start);
        buf_addc(&n->toks_text, '\0');
    }
    for (size_t i = 0; i < ntok; i++)
        tt[i] = n->toks_text.p + toff[i];
    if (ntok == 0 && len > 0)
        h->count(n->ctx, "documents_without_tokens", 1);
    /* metadata.entities: unique (text, label) pairs; few per document, so a
     * linear check against the ones found so far is fine. */
    cv_span *found = xmalloc((nspans ? nspans : 1) * sizeof *found);
    size_t nfound = 0;
    for (size_t i = 0; i < ntok;) {
        const entry *best = NULL;
        size_t lo, hi;
        find_forms(n, tt[i], &lo, &hi);
        for (size_t f = lo; f < hi; f++) {
            /* entries starting with this word: a binary search for the first */
            uint32_t w = n->forms[f].word;
            size_t a = 0, b = n->nentries;
            while (a < b) {
                size_t m = (a + b) / 2;
                if (n->entries[m].words[0] < w)
                    a = m + 1;
                else
                    b = m;
            }
            for (size_t e = a; e < n->nentries && n->entries[e].words[0] == w; e++) {
                const entry *en = &n->entries[e];
                if (best && en->n <= best->n)
                    continue;
                if (i + en->n > ntok)
                    continue;
                size_t k = 1;
                while (k < en->n && token_is(n, tt[i + k], en->words[k]))
                    k++;
                if (k == en->n)
                    best = en;
            }
        }
        if (!best) {
            i++;
            continue;
        }
        cv_span s = {toks[i].start, toks[i + best->n - 1].end, "entity", n->labels[best->label], 0};
        h->span_add(doc, &s);
        int seen = 0;
        for (size_t k = 0; k < nfound && !seen; k++)
            seen = found[k].label == s.label && found[k].end - found[k].start == s.end - s.start &&
                   !memcmp(text + found[k].start, text + s.start, s.end - s.start);
        if (!seen)
            found[nfound++] = s;
        h->count(n->ctx, n->labels[best->label], 1);
        i += best->n;
    }
    if (n->o.metadata) {
        n->tmp.len = 0;
        buf_addc(&n->tmp, '[');
        for (size_t k = 0; k < nfound; k++) {
            buf_adds(&n->tmp, k ? ",{\"text\":" : "{\"text\":");
            buf_add_json(&n->tmp, text + found[k].start, found[k].end - found[k].start);
            buf_adds(&n->tmp, ",\"label\":");
            buf_add_json(&n->tmp, found[k].label, strlen(found[k].label));
            buf_addc(&n->tmp, '}');
        }
        buf_addc(&n->tmp, ']');
        h->meta_set_json(doc, "entities", n->tmp.p);
    }
    free(found);
    free(toff);
    free(tt);
    free(toks);
    return CV_OK;
}

static const cv_plugin ner_step = {
    CV_PLUGIN_HEADER,
    .name = "ner",
    .kind = CV_STEP,
    .version = "1.0.0",
    .description = "Gazetteer entities (PER, LOC, ORG, MISC or your labels) with inflected forms, longest match",
    .optmap = ner_optmap,
    .create = ner_create,
    .destroy = ner_destroy,
    .process = ner_process,
};

CONVERT_PLUGINS(&ner_step)
