/* tokens.c -- writer: the tokenize step's ids as training shards.
 *
 * format: megatron  {split}.bin + {split}.idx, Megatron-LM's indexed dataset
 *                   (MMIDIDX version 1), read by Megatron-LM, NeMo, GPT-NeoX;
 * format: datatrove {split}.ds + {split}.ds.index + {split}.ds.metadata, as
 *                   datatrove's DocumentTokenizer writes them for nanotron.
 * One document is one sequence.  Memory stays flat: the per-document lengths
 * go to a temporary file and the index is written from it at the end.  A
 * document without tokens (empty text, no bos/eos) adds nothing and is
 * counted as empty_documents. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert/plugin.h"

typedef struct tokens_opts {
    const char *format, *prefix, *name;
} tokens_opts;

static const cv_optmap optmap[] = {
    {.key = "format", .type = CV_OPT_STRING, .default_value = "megatron", .choices = "megatron|datatrove",
     .offset = offsetof(tokens_opts, format),
     .help = "megatron ({split}.bin/.idx) or datatrove ({split}.ds/.ds.index/.ds.metadata)"},
    {.key = "prefix", .type = CV_OPT_STRING, .default_value = "", .offset = offsetof(tokens_opts, prefix),
     .help = "put before each file name (e.g. tokens/ for a folder)"},
    {.key = "name", .type = CV_OPT_STRING, .offset = offsetof(tokens_opts, name),
     .help = "tokenizer name written in datatrove's .ds.metadata (default: Unknown Tokenizer)"},
    {0},
};

#define MAX_SPLITS 16

typedef struct split_out {
    char *split;
    cv_out *data;
    FILE *lens; /* uint32 per document, read back by finish() */
    uint64_t docs, tokens;
} split_out;

typedef struct tokens_writer {
    const cv_host *host;
    cv_ctx *ctx;
    tokens_opts o;
    int datatrove;
    uint64_t vocab; /* 0 until the first document */
    int width;      /* bytes per id */
    split_out s[MAX_SPLITS];
    size_t n;
    unsigned char *buf;
    size_t cap;
} tokens_writer;

static void *tokens_create(const cv_host *h, cv_ctx *ctx)
{
    tokens_writer *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->host = h;
    w->ctx = ctx;
    h->opt_load(ctx, &w->o);
    w->datatrove = !strcmp(w->o.format, "datatrove");
    return w;
}

static void tokens_destroy(void *p)
{
    tokens_writer *w = p;
    for (size_t i = 0; i < w->n; i++) {
        free(w->s[i].split);
        if (w->s[i].lens)
            fclose(w->s[i].lens);
    }
    free(w->buf);
    free(w);
}

static cv_out *open_file(tokens_writer *w, const char *split, const char *ext)
{
    size_t n = strlen(w->o.prefix) + strlen(split) + strlen(ext) + 1;
    char *name = malloc(n);
    if (!name)
        return NULL;
    snprintf(name, n, "%s%s%s", w->o.prefix, split, ext);
    cv_out *o = w->host->out_open(w->ctx, name);
    free(name);
    return o;
}

static split_out *get_split(tokens_writer *w, const cv_doc *doc)
{
    const char *split = w->host->meta_get_string(doc, "split");
    if (!split || !*split)
        split = "train";
    for (size_t i = 0; i < w->n; i++)
        if (!strcmp(w->s[i].split, split))
            return &w->s[i];
    if (w->n == MAX_SPLITS || strchr(split, '/')) {
        w->host->error(w->ctx, "split '%s': more than %d splits, or a '/' in the name", split, MAX_SPLITS);
        return NULL;
    }
    split_out *s = &w->s[w->n];
    memset(s, 0, sizeof *s);
    if (!(s->split = strdup(split)) || !(s->lens = tmpfile())) {
        free(s->split);
        w->host->error(w->ctx, "cannot make a temporary file for the index of split '%s'", split);
        return NULL;
    }
    if (!(s->data = open_file(w, split, w->datatrove ? ".ds" : ".bin"))) {
        fclose(s->lens);
        free(s->split);
        return NULL;
    }
    w->n++;
    return s;
}

static int b64(int c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A'
           : c >= 'a' && c <= 'z' ? c - 'a' + 26
           : c >= '0' && c <= '9' ? c - '0' + 52
           : c == '+'             ? 62
           : c == '/'             ? 63
                                  : -1;
}

static cv_status tokens_write(void *p, const cv_doc *doc)
{
    tokens_writer *w = p;
    const char *v = w->host->meta_get_string(doc, "token_ids"), *colon;
    char *end;
    if (!v || !(colon = strchr(v, ':'))) {
        w->host->error(w->ctx, "document '%s' has no metadata.token_ids: put the tokenize step before this writer",
                       w->host->doc_id(doc));
        return CV_ERROR;
    }
    unsigned long long vocab = strtoull(v, &end, 10);
    if (end != colon || !vocab || vocab > 0xffffffffull) {
        w->host->error(w->ctx, "document '%s': metadata.token_ids is not the tokenize step's", w->host->doc_id(doc));
        return CV_ERROR;
    }
    if (!w->vocab) {
        w->vocab = vocab;
        /* Megatron: uint16 below 65500 ids, else int32; datatrove: uint16 up to 65536 */
        w->width = w->datatrove ? (vocab > 65536 ? 4 : 2) : (vocab < 65500 ? 2 : 4);
    } else if (w->vocab != vocab) {
        w->host->error(w->ctx, "document '%s': ids of a vocabulary of %llu, after %llu: one writer, one tokenizer",
                       w->host->doc_id(doc), vocab, (unsigned long long)w->vocab);
        return CV_ERROR;
    }
    const char *s = colon + 1;
    size_t len = strlen(s), nbytes = len / 4 * 3;
    if (nbytes + 4 > w->cap) {
        unsigned char *b = realloc(w->buf, nbytes + 4);
        if (!b)
            return CV_ERROR;
        w->buf = b;
        w->cap = nbytes + 4;
    }
    size_t o = 0;
    for (size_t i = 0; i + 4 <= len; i += 4) {
        int a = b64(s[i]), b = b64(s[i + 1]), c = s[i + 2] == '=' ? 0 : b64(s[i + 2]),
            d = s[i + 3] == '=' ? 0 : b64(s[i + 3]);
        if (a < 0 || b < 0 || c < 0 || d < 0) {
            w->host->error(w->ctx, "document '%s': metadata.token_ids is not base64", w->host->doc_id(doc));
            return CV_ERROR;
        }
        unsigned x = (unsigned)a << 18 | (unsigned)b << 12 | (unsigned)c << 6 | (unsigned)d;
        w->buf[o++] = (unsigned char)(x >> 16);
        if (s[i + 2] != '=')
            w->buf[o++] = (unsigned char)(x >> 8);
        if (s[i + 3] != '=')
            w->buf[o++] = (unsigned char)x;
    }
    if (o % 4) {
        w->host->error(w->ctx, "document '%s': metadata.token_ids is cut short", w->host->doc_id(doc));
        return CV_ERROR;
    }
    size_t n = o / 4;
    if (!n) {
        w->host->count(w->ctx, "empty_documents", 1);
        return CV_OK;
    }
    if (n > 0x7fffffff) {
        w->host->error(w->ctx, "document '%s': %zu tokens, more than a sequence can hold", w->host->doc_id(doc), n);
        return CV_ERROR;
    }
    split_out *sp = get_split(w, doc);
    if (!sp)
        return CV_ERROR;
    if (w->width == 2) /* little-endian uint32 to little-endian uint16, in place */
        for (size_t i = 0; i < n; i++) {
            uint32_t id = (uint32_t)w->buf[4 * i] | (uint32_t)w->buf[4 * i + 1] << 8;
            w->buf[2 * i] = (unsigned char)id;
            w->buf[2 * i + 1] = (unsigned char)(id >> 8);
        }
    uint32_t n32 = (uint32_t)n;
    if (w->host->out_write(sp->data, w->buf, n * (size_t)w->width) || fwrite(&n32, 4, 1, sp->lens) != 1) {
        w->host->error(w->ctx, "write failed for split '%s'", sp->split);
        return CV_ERROR;
    }
    sp->docs++;
    sp->tokens += n;
    return CV_OK;
}

static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* Stream an index array computed from the lengths, in blocks. */
enum { SIZES, POINTERS, DOC_INDEX, DOC_ENDS };

static int write_array(tokens_writer *w, split_out *s, cv_out *out, int what)
{
    unsigned char blk[8 * 4096];
    uint32_t lens[4096];
    uint64_t acc = 0, k = 0;
    if (what == DOC_INDEX) { /* 0, 1, ..., docs: one sequence per document */
        size_t o = 0;
        for (uint64_t i = 0; i <= s->docs; i++) {
            put_u64(blk + o, i);
            if ((o += 8) == sizeof blk) {
                if (w->host->out_write(out, blk, o))
                    return -1;
                o = 0;
            }
        }
        return o ? w->host->out_write(out, blk, o) : 0;
    }
    rewind(s->lens);
    size_t got;
    while ((got = fread(lens, 4, 4096, s->lens)) > 0) {
        size_t o = 0;
        for (size_t i = 0; i < got; i++, k++) {
            if (what == SIZES) {
                for (int b = 0; b < 4; b++)
                    blk[o++] = (unsigned char)(lens[i] >> (8 * b));
            } else if (what == POINTERS) { /* byte offset where the sequence starts */
                put_u64(blk + o, acc * (uint64_t)w->width);
                o += 8;
                acc += lens[i];
            } else { /* datatrove: the token position where each document ends */
                acc += lens[i];
                put_u64(blk + o, acc);
                o += 8;
            }
        }
        if (w->host->out_write(out, blk, o))
            return -1;
    }
    return ferror(s->lens) || k != s->docs ? -1 : 0;
}

static int finish_split(tokens_writer *w, split_out *s)
{
    if (w->datatrove) {
        cv_out *idx = open_file(w, s->split, ".ds.index"), *meta = open_file(w, s->split, ".ds.metadata");
        if (!idx || !meta || write_array(w, s, idx, DOC_ENDS))
            return -1;
        /* datatrove: "name|token size", the count, and the count in humanize.metric's words */
        char text[512], human[64];
        double t = (double)s->tokens;
        const char *units = " kMGTPEZY";
        int u = 0;
        while (t >= 1000 && u < 8)
            t /= 1000, u++;
        if (u == 0)
            snprintf(human, sizeof human, "%llu T", (unsigned long long)s->tokens);
        else
            snprintf(human, sizeof human, "%.*f %cT", t >= 100 ? 0 : t >= 10 ? 1 : 2, t, units[u]);
        int n = snprintf(text, sizeof text, "%s|%d\n%llu\n%s", w->o.name ? w->o.name : "Unknown Tokenizer", w->width,
                         (unsigned long long)s->tokens, human);
        return w->host->out_write(meta, text, (size_t)n);
    }
    cv_out *idx = open_file(w, s->split, ".idx");
    if (!idx)
        return -1;
    unsigned char head[9 + 8 + 1 + 8 + 8];
    memcpy(head, "MMIDIDX\0\0", 9);
    put_u64(head + 9, 1);                  /* version */
    head[17] = w->width == 2 ? 8 : 4;      /* DType code: uint16 8, int32 4 */
    put_u64(head + 18, s->docs);           /* sequences */
    put_u64(head + 26, s->docs + 1);       /* document_indices entries */
    return w->host->out_write(idx, head, sizeof head) || write_array(w, s, idx, SIZES) ||
                   write_array(w, s, idx, POINTERS) || write_array(w, s, idx, DOC_INDEX)
               ? -1
               : 0;
}

static cv_status tokens_finish(void *p)
{
    tokens_writer *w = p;
    for (size_t i = 0; i < w->n; i++) {
        if (finish_split(w, &w->s[i])) {
            w->host->error(w->ctx, "writing the index of split '%s' failed", w->s[i].split);
            return CV_ERROR;
        }
        w->host->count(w->ctx, "documents", w->s[i].docs);
        w->host->count(w->ctx, "tokens", w->s[i].tokens);
    }
    return CV_OK;
}

static const cv_plugin tokens_writer_desc = {
    CV_PLUGIN_HEADER,
    .name = "tokens",
    .kind = CV_WRITER,
    .version = "1.0.0",
    .description = "Token ids as Megatron-LM (.bin/.idx) or datatrove/nanotron (.ds) shards",
    .optmap = optmap,
    .create = tokens_create,
    .destroy = tokens_destroy,
    .write = tokens_write,
    .finish = tokens_finish,
};

CONVERT_PLUGINS(&tokens_writer_desc)
