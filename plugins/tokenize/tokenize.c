/* tokenize.c -- step: the ids of each document under the user's tokenizer.
 *
 * metadata.tokens gets the count and metadata.token_ids the ids, written
 * "VOCAB:BASE64" (the vocabulary size, then base64 of the ids as
 * little-endian uint32): what the tokens writer reads.  A special token
 * written in the text is ordinary text; only bos:/eos: add special tokens.
 * The loaded tokenizer is shared by the instances of one stage (one per
 * worker thread): a 250K-entry vocabulary is loaded once. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert/plugin.h"
#include "shared.h"
#include "tok.h"

typedef struct tokenize_opts {
    const char *tokenizer, *pattern, *bos, *eos;
    int ids;
} tokenize_opts;

static const cv_optmap optmap[] = {
    {.key = "tokenizer", .type = CV_OPT_PATH, .required = 1, .offset = offsetof(tokenize_opts, tokenizer),
     .help = "tokenizer.json (BPE), a tiktoken rank file (cl100k_base.tiktoken ...) or a SentencePiece .model"},
    {.key = "pattern", .type = CV_OPT_STRING, .offset = offsetof(tokenize_opts, pattern),
     .help = "pre-tokenizer regex of a tiktoken rank file not named after an OpenAI encoding"},
    {.key = "bos", .type = CV_OPT_STRING, .offset = offsetof(tokenize_opts, bos),
     .help = "special token put before every document, e.g. <|begin_of_text|>"},
    {.key = "eos", .type = CV_OPT_STRING, .offset = offsetof(tokenize_opts, eos),
     .help = "special token put after every document, e.g. <|end_of_text|>"},
    {.key = "ids", .type = CV_OPT_BOOL, .default_value = "true", .offset = offsetof(tokenize_opts, ids),
     .help = "write metadata.token_ids (the tokens writer needs them)"},
    {0},
};

typedef struct tokenize {
    const cv_host *host;
    tk_tokenizer *tok; /* shared by the instances of this stage (pluginkit/shared.h) */
    tk_encoder *enc;
    int64_t bos, eos;
    int ids;
    tk_ids buf;
    char *b64;
    size_t b64_cap;
} tokenize;

typedef struct load_arg {
    const char *path, *pattern;
} load_arg;

static void *load(void *arg, char *err, size_t errcap)
{
    const load_arg *a = arg;
    return tk_load(a->path, a->pattern, err, errcap);
}

static void unload(void *t) { tk_free(t); }

static void tokenize_destroy(void *p)
{
    tokenize *k = p;
    if (!k)
        return;
    tk_encoder_free(k->enc);
    if (k->tok)
        shared_put(k->tok);
    free(k->buf.v);
    free(k->b64);
    free(k);
}

static int special_id(tokenize *k, cv_ctx *ctx, const tokenize_opts *o, const char *opt, const char *s, int64_t *id)
{
    *id = -1;
    if (!s)
        return 0;
    if ((*id = tk_token_id(k->tok, s)) < 0) {
        k->host->error(ctx, "%s: '%s' is not a token of %s", opt, s, o->tokenizer);
        return -1;
    }
    return 0;
}

static void *tokenize_create(const cv_host *h, cv_ctx *ctx)
{
    tokenize *k = calloc(1, sizeof *k);
    char err[1024];
    if (!k)
        return NULL;
    k->host = h;
    tokenize_opts o;
    h->opt_load(ctx, &o);
    k->ids = o.ids;
    size_t kl = strlen(o.tokenizer) + (o.pattern ? strlen(o.pattern) : 0) + 16;
    char *key = malloc(kl);
    if (!key) {
        tokenize_destroy(k);
        return NULL;
    }
    snprintf(key, kl, "tokenize\n%s\n%s", o.tokenizer, o.pattern ? o.pattern : "");
    load_arg la = {o.tokenizer, o.pattern};
    k->tok = shared_get(key, load, &la, unload, err, sizeof err);
    free(key);
    if (!k->tok) {
        h->error(ctx, "%s", err);
        tokenize_destroy(k);
        return NULL;
    }
    if (special_id(k, ctx, &o, "bos", o.bos, &k->bos) || special_id(k, ctx, &o, "eos", o.eos, &k->eos) ||
        !(k->enc = tk_encoder_new(k->tok))) {
        tokenize_destroy(k);
        return NULL;
    }
    return k;
}

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static cv_status tokenize_process(void *p, cv_doc *doc)
{
    tokenize *k = p;
    size_t len;
    const char *text = k->host->doc_text(doc, &len);
    k->buf.n = 0;
    if (k->bos >= 0)
        tk_ids_push(&k->buf, (uint32_t)k->bos);
    if (tk_encode(k->enc, text, len, &k->buf))
        return CV_ERROR;
    if (k->eos >= 0)
        tk_ids_push(&k->buf, (uint32_t)k->eos);
    k->host->meta_set_int(doc, "tokens", (int64_t)k->buf.n);
    if (!k->ids)
        return CV_OK;
    size_t nb = k->buf.n * 4, need = (nb + 2) / 3 * 4 + 16;
    if (need > k->b64_cap) {
        char *b = realloc(k->b64, need);
        if (!b)
            return CV_ERROR;
        k->b64 = b;
        k->b64_cap = need;
    }
    const uint32_t *v = k->buf.v;
    char *o = k->b64 + sprintf(k->b64, "%u:", tk_vocab_size(k->tok));
    /* little-endian bytes of the ids, three at a time */
#define BYTE(i) ((unsigned)(v[(i) >> 2] >> (8 * ((i)&3))) & 0xffu)
    size_t i = 0;
    for (; i + 3 <= nb; i += 3) {
        unsigned x = BYTE(i) << 16 | BYTE(i + 1) << 8 | BYTE(i + 2);
        *o++ = B64[x >> 18], *o++ = B64[x >> 12 & 63], *o++ = B64[x >> 6 & 63], *o++ = B64[x & 63];
    }
    if (i < nb) {
        unsigned x = BYTE(i) << 16 | (i + 1 < nb ? BYTE(i + 1) << 8 : 0);
        *o++ = B64[x >> 18], *o++ = B64[x >> 12 & 63];
        *o++ = i + 1 < nb ? B64[x >> 6 & 63] : '=';
        *o++ = '=';
    }
#undef BYTE
    *o = 0;
    k->host->meta_set_string(doc, "token_ids", k->b64);
    return CV_OK;
}

static const cv_plugin tokenize_step = {
    CV_PLUGIN_HEADER,
    .name = "tokenize",
    .kind = CV_STEP,
    .version = "1.0.0",
    .description = "Token ids under a tokenizer.json, tiktoken rank file or SentencePiece .model (reference ids)",
    .optmap = optmap,
    .create = tokenize_create,
    .destroy = tokenize_destroy,
    .process = tokenize_process,
};

CONVERT_PLUGINS(&tokenize_step)
