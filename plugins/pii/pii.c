/* pii.c -- step: replaces e-mail addresses, public IP addresses and (with
 * phones: true) phone numbers by placeholders, or marks them with spans.
 *
 * What counts as each kind is in detect.c; the words it reads around a
 * number ("Tel.:", "version", currency names) in the cues file.  Counts per kind go to the
 * report and to metadata.pii, so a user sees how much was removed and where. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "convert/plugin.h"
#include "detect.h"
#include "shared.h"
#include "util.h"

typedef struct pii_opts {
    int emails, ips, phones, fake;
    const char *repl[PII_NKINDS]; /* email, ip, phone */
    const char *mode, *key, *cues;
} pii_opts;

static const cv_optmap optmap[] = {
    {.key = "emails", .type = CV_OPT_BOOL, .default_value = "true", .help = "replace e-mail addresses",
     .offset = offsetof(pii_opts, emails)},
    {.key = "ips", .type = CV_OPT_BOOL, .default_value = "true",
     .help = "replace globally routable IPv4 and IPv6 addresses (private, loopback, ... stay)",
     .offset = offsetof(pii_opts, ips)},
    {.key = "phones", .type = CV_OPT_BOOL, .default_value = "false",
     .help = "replace phone numbers (international and common national formats)", .offset = offsetof(pii_opts, phones)},
    {.key = "fake", .type = CV_OPT_BOOL, .default_value = "false",
     .help = "replace by fixed fake values of the same kind instead of <EMAIL>, <IP>, <PHONE>",
     .offset = offsetof(pii_opts, fake)},
    {.key = "email_replacement", .type = CV_OPT_STRING,
     .help = "what an e-mail address becomes (default <EMAIL>, or email@example.com with fake)",
     .offset = offsetof(pii_opts, repl[PII_EMAIL])},
    {.key = "ip_replacement", .type = CV_OPT_STRING,
     .help = "what an IP address becomes (default <IP>, or 192.0.2.1 with fake)",
     .offset = offsetof(pii_opts, repl[PII_IP])},
    {.key = "phone_replacement", .type = CV_OPT_STRING,
     .help = "what a phone number becomes (default <PHONE>, or +1-202-555-0100 with fake)",
     .offset = offsetof(pii_opts, repl[PII_PHONE])},
    {.key = "mode", .type = CV_OPT_STRING, .default_value = "replace", .choices = "replace|spans",
     .help = "replace: rewrite the text; spans: keep it and add a 'pii' span per value", .offset = offsetof(pii_opts, mode)},
    {.key = "key", .type = CV_OPT_STRING, .default_value = "pii", .help = "metadata key for the counts per kind",
     .offset = offsetof(pii_opts, key)},
    {.key = "cues", .type = CV_OPT_PATH, .default_value = "pii/cues.yaml",
     .help = "YAML word lists read around numbers: version words, phone cues, currencies (config/pii/cues.yaml)",
     .offset = offsetof(pii_opts, cues)},
    {0},
};

static const char *const kind_names[PII_NKINDS] = {"email", "ip", "phone"};
static const char *const placeholders[PII_NKINDS] = {"<EMAIL>", "<IP>", "<PHONE>"};
/* example.com and the documentation ranges are reserved for exactly this,
 * and 555-01xx numbers are fictional: a second pass finds nothing new. */
static const char *const fakes[PII_NKINDS] = {"email@example.com", "192.0.2.1", "+1-202-555-0100"};

typedef struct pii {
    const cv_host *host;
    cv_ctx *ctx;
    unsigned kinds;
    int spans;
    const char *repl[PII_NKINDS];
    size_t repl_len[PII_NKINDS];
    pii_opts o;
    pii_cues *cues; /* shared by the instances: see shared.h */
    pii_hits hits;
    cv_buf out;
} pii;

static void *build_cues(void *path, char *err, size_t errcap) { return pii_cues_load(path, err, errcap); }

static void free_cues(void *c) { pii_cues_free(c); }

static void pii_destroy(void *v)
{
    pii *p = v;
    if (p->cues)
        shared_put(p->cues);
    pii_hits_free(&p->hits);
    buf_free(&p->out);
    free(p);
}

static void *pii_create(const cv_host *h, cv_ctx *ctx)
{
    pii *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->host = h;
    p->ctx = ctx;
    h->opt_load(ctx, &p->o);
    const pii_opts *o = &p->o;
    p->kinds = (o->emails ? 1u << PII_EMAIL : 0) | (o->ips ? 1u << PII_IP : 0) | (o->phones ? 1u << PII_PHONE : 0);
    for (int k = 0; k < PII_NKINDS; k++) {
        p->repl[k] = o->repl[k] ? o->repl[k] : o->fake ? fakes[k] : placeholders[k];
        p->repl_len[k] = strlen(p->repl[k]);
    }
    p->spans = !strcmp(o->mode, "spans");
    char err[1024] = "";
    cv_buf key = {0};
    buf_adds(&key, "pii-cues:");
    buf_adds(&key, o->cues);
    p->cues = shared_get(key.p, build_cues, (void *)o->cues, free_cues, err, sizeof err);
    buf_free(&key);
    if (!p->cues) {
        h->error(ctx, "%s", err);
        pii_destroy(p);
        return NULL;
    }
    return p;
}

static cv_status pii_process(void *v, cv_doc *doc)
{
    pii *p = v;
    const cv_host *h = p->host;
    size_t len;
    const char *text = h->doc_text(doc, &len);
    p->hits.n = 0;
    pii_find(text, len, p->kinds, p->cues, &p->hits);
    if (p->hits.n == 0)
        return CV_OK;

    uint64_t count[PII_NKINDS] = {0};
    for (size_t i = 0; i < p->hits.n; i++)
        count[p->hits.v[i].kind]++;
    cv_buf meta = {0};
    buf_addc(&meta, '{');
    for (int k = 0; k < PII_NKINDS; k++) {
        if (!count[k])
            continue;
        h->count(p->ctx, kind_names[k], count[k]);
        if (meta.len > 1)
            buf_addc(&meta, ',');
        buf_add_json(&meta, kind_names[k], strlen(kind_names[k]));
        buf_addc(&meta, ':');
        buf_add_uint(&meta, count[k]);
    }
    buf_addc(&meta, '}');
    h->count(p->ctx, "documents", 1);

    if (p->spans) {
        for (size_t i = 0; i < p->hits.n; i++) {
            cv_span sp = {p->hits.v[i].start, p->hits.v[i].end, "pii", kind_names[p->hits.v[i].kind], 0};
            h->span_add(doc, &sp);
        }
    } else {
        p->out.len = 0;
        size_t at = 0;
        for (size_t i = 0; i < p->hits.n; i++) {
            const pii_hit *x = &p->hits.v[i];
            buf_add(&p->out, text + at, x->start - at);
            buf_add(&p->out, p->repl[x->kind], p->repl_len[x->kind]);
            at = x->end;
        }
        buf_add(&p->out, text + at, len - at);
        /* The document's own text cut where a value starts and ends (always
         * at a whole character) and replacements from the YAML config, which
         * is UTF-8: valid by construction. */
        h->doc_set_text_unchecked(doc, p->out.p, p->out.len);
    }
    h->meta_set_json(doc, p->o.key, meta.p);
    buf_free(&meta);
    return CV_OK;
}

static const cv_plugin pii_step = {
    CV_PLUGIN_HEADER,
    .name = "pii",
    .kind = CV_STEP,
    .version = "1.0.0",
    .description = "Replaces e-mail addresses, public IP addresses and phone numbers",
    .optmap = optmap,
    .create = pii_create,
    .destroy = pii_destroy,
    .process = pii_process,
};

CONVERT_PLUGINS(&pii_step)
