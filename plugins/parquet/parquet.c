/* parquet.c -- writer: Apache Parquet, one file per split.
 *
 * Columns: id, text (required strings), source (optional string), one typed
 * column per entry of `columns` (optional: a missing value is null), metadata
 * (the rest of the metadata as JSON text) and, when asked, spans as
 * list<struct<type, start, end, label, space_after>>.
 *
 * What the format needs and no more: PLAIN values, RLE levels, one v1 data
 * page per column chunk, ZSTD, min/max/null statistics, a Thrift footer.
 * Rows are buffered column by column until `row_group_size` bytes, then
 * written as a row group, so memory is bounded by that size per split file.
 * No Debian package writes Parquet from C (Arrow is not in bookworm). */
#include <jansson.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "convert/plugin.h"
#include "splitout.h"
#include "thrift.h"
#include "util.h"

typedef struct parquet_opts {
    const char *path, *spans, *compression;
    cv_strlist columns;
    int64_t zstd_level, row_group_size;
} parquet_opts;

static const cv_optmap parquet_optmap[] = {
    {.key = "path", .type = CV_OPT_STRING, .default_value = "{split}.parquet", .offset = offsetof(parquet_opts, path),
     .help = "file name under the output folder; {split} as in jsonl"},
    {.key = "columns", .type = CV_OPT_LIST,
     .default_value = "[lang:string, lang_score:double, title:string, date:string, url:string]",
     .offset = offsetof(parquet_opts, columns),
     .help = "typed metadata columns as KEY:TYPE (string, double, int64, bool); missing values are null, a value of "
             "another type fails the run; all other metadata goes to the JSON column 'metadata'"},
    {.key = "spans", .type = CV_OPT_STRING, .default_value = "none", .choices = "none|char|byte",
     .offset = offsetof(parquet_opts, spans),
     .help = "none, char or byte: a 'spans' column of {type, start, end, label, space_after}"},
    {.key = "compression", .type = CV_OPT_STRING, .default_value = "zstd", .choices = "zstd|none",
     .offset = offsetof(parquet_opts, compression), .help = "how the column pages are compressed"},
    {.key = "zstd_level", .type = CV_OPT_INT, .default_value = "3", .min = 1, .max = 19,
     .offset = offsetof(parquet_opts, zstd_level), .help = "1 (fastest) to 19 (smallest)"},
    /* At most 1G: a column chunk is one page, whose sizes Parquet stores in 32 bits. */
    {.key = "row_group_size", .type = CV_OPT_SIZE, .default_value = "16M", .min = 1, .max = 1 << 30,
     .offset = offsetof(parquet_opts, row_group_size),
     .help = "column data buffered per row group and split file: bounds memory"},
    {0},
};

/* Parquet's enums (parquet.thrift), the values this writer uses. */
enum { PQ_BOOLEAN = 0, PQ_INT64 = 2, PQ_DOUBLE = 5, PQ_BYTE_ARRAY = 6 };
enum { REQUIRED = 0, OPTIONAL = 1, REPEATED = 2 };
enum { CONVERTED_UTF8 = 0, CONVERTED_LIST = 3 };
enum { ENC_PLAIN = 0, ENC_RLE = 3 };
enum { CODEC_NONE = 0, CODEC_ZSTD = 6 };

#define STAT_MAX 64 /* longer strings give no min/max: chunk statistics of whole texts help no reader */

/* One leaf column. */
typedef struct colspec {
    char *name;         /* the leaf's name; typed columns: the metadata key */
    int type;           /* PQ_* */
    int optional;       /* top-level leaves: OPTIONAL rather than REQUIRED */
    int max_def, max_rep;
    int span_field;     /* spans leaves: 1 type, 2 start, 3 end, 4 label, 5 space_after */
} colspec;

/* A column's values for the open row group. */
typedef struct colbuf {
    cv_buf values, def, rep; /* PLAIN values (bools one byte each until written); levels one byte each */
    int64_t n, nulls;        /* level entries, nulls */
    int has_minmax, no_minmax;
    cv_buf smin, smax;
    double dmin, dmax;
    int64_t imin, imax;
} colbuf;

/* What the footer says of a written column chunk. */
typedef struct chunk {
    int64_t offset, compressed, uncompressed, n, nulls;
    int has_minmax;
    unsigned char min[STAT_MAX], max[STAT_MAX];
    size_t minlen, maxlen;
} chunk;

typedef struct group {
    int64_t rows, bytes, compressed, offset;
    chunk *chunks;
} group;

typedef struct pqfile {
    cv_out *out;
    int64_t pos; /* bytes written */
    colbuf *cols;
    int64_t rows; /* in the open row group */
    size_t bytes; /* buffered */
    group *groups;
    size_t ngroups, cgroups;
    int64_t total_rows;
} pqfile;

enum { SPANS_NONE, SPANS_CHAR, SPANS_BYTE };
enum { COL_ID, COL_TEXT, COL_SOURCE, COL_TYPED }; /* typed columns, metadata, then the spans leaves */

typedef struct pqwriter {
    const cv_host *host;
    cv_ctx *ctx;
    splitout outs;
    pqfile files[SPLITOUT_MAX];
    colspec *specs;
    size_t nspecs, ntyped, col_meta, col_spans;
    int spans, codec, level;
    size_t group_size;
    cv_buf scratch, page;
} pqwriter;

/* ---- setup ---------------------------------------------------------------- */

static void add_spec(pqwriter *w, const char *name, int type, int optional, int max_def, int max_rep, int span_field)
{
    w->specs = xrealloc(w->specs, (w->nspecs + 1) * sizeof *w->specs);
    w->specs[w->nspecs++] = (colspec){strdup(name), type, optional, max_def, max_rep, span_field};
}

static void free_file(pqwriter *w, pqfile *f)
{
    for (size_t i = 0; f->cols && i < w->nspecs; i++) {
        buf_free(&f->cols[i].values);
        buf_free(&f->cols[i].def);
        buf_free(&f->cols[i].rep);
        buf_free(&f->cols[i].smin);
        buf_free(&f->cols[i].smax);
    }
    free(f->cols);
    for (size_t g = 0; g < f->ngroups; g++)
        free(f->groups[g].chunks);
    free(f->groups);
    *f = (pqfile){0};
}

static void parquet_destroy(void *p)
{
    pqwriter *w = p;
    for (size_t i = 0; i < SPLITOUT_MAX; i++)
        free_file(w, &w->files[i]);
    for (size_t i = 0; i < w->nspecs; i++)
        free(w->specs[i].name);
    free(w->specs);
    splitout_free(&w->outs);
    buf_free(&w->scratch);
    buf_free(&w->page);
    free(w);
}

static int type_of(const char *s)
{
    return !strcmp(s, "string") ? PQ_BYTE_ARRAY
         : !strcmp(s, "double") ? PQ_DOUBLE
         : !strcmp(s, "int64")  ? PQ_INT64
         : !strcmp(s, "bool")   ? PQ_BOOLEAN
                                : -1;
}

static const char *type_name(int t)
{
    return t == PQ_BYTE_ARRAY ? "string" : t == PQ_DOUBLE ? "double" : t == PQ_INT64 ? "int64" : "bool";
}

static void *parquet_create(const cv_host *h, cv_ctx *ctx)
{
    pqwriter *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->host = h;
    w->ctx = ctx;
    parquet_opts o;
    h->opt_load(ctx, &o);
    w->outs = (splitout){.host = h, .ctx = ctx, .pattern = o.path};
    w->spans = !strcmp(o.spans, "char") ? SPANS_CHAR : !strcmp(o.spans, "byte") ? SPANS_BYTE : SPANS_NONE;
    w->codec = !strcmp(o.compression, "zstd") ? CODEC_ZSTD : CODEC_NONE;
    w->level = (int)o.zstd_level;
    w->group_size = (size_t)o.row_group_size;
    add_spec(w, "id", PQ_BYTE_ARRAY, 0, 0, 0, 0);
    add_spec(w, "text", PQ_BYTE_ARRAY, 0, 0, 0, 0);
    add_spec(w, "source", PQ_BYTE_ARRAY, 1, 1, 0, 0);
    for (size_t i = 0; i < o.columns.n; i++) {
        const char *item = o.columns.items[i], *colon = strchr(item, ':');
        size_t klen = colon ? (size_t)(colon - item) : strlen(item);
        char key[128];
        int type = colon ? type_of(colon + 1) : PQ_BYTE_ARRAY;
        int clash = klen == 0 || klen >= sizeof key;
        if (!clash) {
            memcpy(key, item, klen);
            key[klen] = '\0';
            clash = !strcmp(key, "metadata") || !strcmp(key, "spans");
            for (size_t k = 0; k < w->nspecs && !clash; k++)
                clash = !strcmp(w->specs[k].name, key);
        }
        if (type < 0 || clash) {
            h->error(ctx, type < 0 ? "columns: '%s': the type must be string, double, int64 or bool"
                                   : "columns: '%s': empty, too long, or a name taken by another column",
                     item);
            parquet_destroy(w);
            return NULL;
        }
        add_spec(w, key, type, 1, 1, 0, 0);
        w->ntyped++;
    }
    w->col_meta = w->nspecs;
    add_spec(w, "metadata", PQ_BYTE_ARRAY, 0, 0, 0, 0);
    w->col_spans = w->nspecs;
    if (w->spans != SPANS_NONE) {
        /* required group spans (LIST) { repeated group list { required group element {...} } } */
        add_spec(w, "type", PQ_BYTE_ARRAY, 0, 1, 1, 1);
        add_spec(w, "start", PQ_INT64, 0, 1, 1, 2);
        add_spec(w, "end", PQ_INT64, 0, 1, 1, 3);
        add_spec(w, "label", PQ_BYTE_ARRAY, 0, 2, 1, 4);
        add_spec(w, "space_after", PQ_BOOLEAN, 0, 1, 1, 5);
    }
    return w;
}

/* ---- buffering values ----------------------------------------------------- */

static void put_le(cv_buf *b, uint64_t v, int bytes)
{
    unsigned char t[8];
    for (int i = 0; i < bytes; i++)
        t[i] = (unsigned char)(v >> (8 * i));
    buf_add(b, t, (size_t)bytes);
}

static void levels(const colspec *s, colbuf *c, int def, int rep)
{
    if (s->max_def)
        buf_addc(&c->def, (char)def);
    if (s->max_rep)
        buf_addc(&c->rep, (char)rep);
    c->n++;
}

static void put_null(const colspec *s, colbuf *c, int def, int rep)
{
    levels(s, c, def, rep);
    c->nulls++;
}

static int bytes_less(const char *a, size_t alen, const char *b, size_t blen)
{
    int r = memcmp(a, b, alen < blen ? alen : blen);
    return r < 0 || (r == 0 && alen < blen);
}

static void put_string(const colspec *s, colbuf *c, int def, int rep, const char *p, size_t len)
{
    levels(s, c, def, rep);
    put_le(&c->values, len, 4);
    buf_add(&c->values, p, len);
    if (c->no_minmax)
        return;
    if (len > STAT_MAX) { /* min/max over some values only would be wrong: none at all */
        c->no_minmax = 1;
        c->has_minmax = 0;
        return;
    }
    if (!c->has_minmax || bytes_less(p, len, c->smin.p, c->smin.len)) {
        c->smin.len = 0;
        buf_add(&c->smin, p, len);
    }
    if (!c->has_minmax || bytes_less(c->smax.p, c->smax.len, p, len)) {
        c->smax.len = 0;
        buf_add(&c->smax, p, len);
    }
    c->has_minmax = 1;
}

static void put_int(const colspec *s, colbuf *c, int def, int rep, int64_t v)
{
    levels(s, c, def, rep);
    put_le(&c->values, (uint64_t)v, 8);
    if (!c->has_minmax || v < c->imin)
        c->imin = v;
    if (!c->has_minmax || v > c->imax)
        c->imax = v;
    c->has_minmax = 1;
}

static void put_double(const colspec *s, colbuf *c, int def, int rep, double v)
{
    levels(s, c, def, rep);
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    put_le(&c->values, bits, 8);
    if (v != v) /* NaN orders nowhere; readers expect it left out of min/max */
        return;
    if (!c->has_minmax || v < c->dmin)
        c->dmin = v;
    if (!c->has_minmax || v > c->dmax)
        c->dmax = v;
    c->has_minmax = 1;
}

static void put_bool(const colspec *s, colbuf *c, int def, int rep, int v)
{
    levels(s, c, def, rep);
    buf_addc(&c->values, (char)(v != 0));
}

/* ---- writing a row group -------------------------------------------------- */

static int out(pqwriter *w, pqfile *f, const void *p, size_t len)
{
    if (w->host->out_write(f->out, p, len) < 0) {
        w->host->error(w->ctx, "write failed");
        return -1;
    }
    f->pos += (int64_t)len;
    return 0;
}

/* Levels as the RLE/bit-packed hybrid, runs only, behind their 4-byte length. */
static void put_levels(cv_buf *b, const cv_buf *lv)
{
    size_t at = b->len;
    put_le(b, 0, 4);
    const unsigned char *v = (const unsigned char *)lv->p;
    for (size_t i = 0, j; i < lv->len; i = j) {
        for (j = i; j < lv->len && v[j] == v[i]; j++)
            ;
        tc_varint(b, (uint64_t)(j - i) << 1);
        buf_addc(b, (char)v[i]);
    }
    uint32_t n = (uint32_t)(b->len - at - 4);
    for (int k = 0; k < 4; k++)
        b->p[at + (size_t)k] = (char)(n >> (8 * k));
}

static void stat_bytes(unsigned char *dst, size_t *len, const colspec *s, const colbuf *c, int max)
{
    uint64_t bits;
    if (s->type == PQ_BYTE_ARRAY) {
        const cv_buf *b = max ? &c->smax : &c->smin;
        memcpy(dst, b->p, b->len);
        *len = b->len;
        return;
    }
    if (s->type == PQ_DOUBLE) {
        double d = max ? c->dmax : c->dmin;
        memcpy(&bits, &d, sizeof bits);
    } else {
        bits = (uint64_t)(max ? c->imax : c->imin);
    }
    for (int i = 0; i < 8; i++)
        dst[i] = (unsigned char)(bits >> (8 * i));
    *len = 8;
}

static int write_chunk(pqwriter *w, pqfile *f, size_t i, chunk *ch)
{
    const colspec *s = &w->specs[i];
    colbuf *c = &f->cols[i];
    cv_buf *body = &w->scratch;
    body->len = 0;
    if (s->max_rep)
        put_levels(body, &c->rep);
    if (s->max_def)
        put_levels(body, &c->def);
    if (s->type == PQ_BOOLEAN) { /* bit-packed, least significant bit first */
        for (size_t k = 0; k < c->values.len; k += 8) {
            unsigned char byte = 0;
            for (size_t b = 0; b < 8 && k + b < c->values.len; b++)
                byte |= (unsigned char)(c->values.p[k + b] << b);
            buf_addc(body, (char)byte);
        }
    } else {
        buf_add(body, c->values.p, c->values.len);
    }
    const char *data = body->p;
    size_t dlen = body->len;
    if (w->codec == CODEC_ZSTD) {
        w->page.len = 0;
        buf_reserve(&w->page, ZSTD_compressBound(body->len));
        size_t z = ZSTD_compress(w->page.p, w->page.cap, body->p, body->len, w->level);
        if (ZSTD_isError(z)) {
            w->host->error(w->ctx, "zstd: %s", ZSTD_getErrorName(z));
            return -1;
        }
        data = w->page.p;
        dlen = z;
    }
    cv_buf hdr = {0};
    tc t;
    tc_init(&t, &hdr);
    tc_begin(&t); /* PageHeader */
    tc_i32(&t, 1, 0); /* DATA_PAGE */
    tc_i32(&t, 2, (int32_t)body->len);
    tc_i32(&t, 3, (int32_t)dlen);
    tc_struct(&t, 5); /* DataPageHeader */
    tc_i32(&t, 1, (int32_t)c->n);
    tc_i32(&t, 2, ENC_PLAIN);
    tc_i32(&t, 3, ENC_RLE);
    tc_i32(&t, 4, ENC_RLE);
    tc_end(&t);
    tc_end(&t);
    *ch = (chunk){.offset = f->pos, .n = c->n, .nulls = c->nulls, .has_minmax = c->has_minmax && !c->no_minmax,
                  .compressed = (int64_t)(hdr.len + dlen), .uncompressed = (int64_t)(hdr.len + body->len)};
    if (ch->has_minmax) {
        stat_bytes(ch->min, &ch->minlen, s, c, 0);
        stat_bytes(ch->max, &ch->maxlen, s, c, 1);
    }
    int rc = out(w, f, hdr.p, hdr.len) == 0 && out(w, f, data, dlen) == 0 ? 0 : -1;
    buf_free(&hdr);
    c->values.len = c->def.len = c->rep.len = 0;
    c->n = c->nulls = 0;
    c->has_minmax = c->no_minmax = 0;
    return rc;
}

static int flush_group(pqwriter *w, pqfile *f)
{
    if (f->rows == 0)
        return 0;
    if (f->ngroups == f->cgroups) {
        f->cgroups = f->cgroups ? 2 * f->cgroups : 8;
        f->groups = xrealloc(f->groups, f->cgroups * sizeof *f->groups);
    }
    group *g = &f->groups[f->ngroups++];
    *g = (group){.rows = f->rows, .offset = f->pos, .chunks = xcalloc(w->nspecs, sizeof(chunk))};
    for (size_t i = 0; i < w->nspecs; i++) {
        if (write_chunk(w, f, i, &g->chunks[i]) < 0)
            return -1;
        g->bytes += g->chunks[i].uncompressed;
        g->compressed += g->chunks[i].compressed;
    }
    f->total_rows += f->rows;
    f->rows = 0;
    f->bytes = 0;
    return 0;
}

/* ---- the footer ----------------------------------------------------------- */

static void schema_leaf(tc *t, const colspec *s)
{
    tc_begin(t);
    tc_i32(t, 1, s->type);
    tc_i32(t, 3, s->max_rep ? (s->span_field == 4 ? OPTIONAL : REQUIRED) : s->optional ? OPTIONAL : REQUIRED);
    tc_str(t, 4, s->name);
    if (s->type == PQ_BYTE_ARRAY) {
        tc_i32(t, 6, CONVERTED_UTF8);
        tc_struct(t, 10); /* LogicalType: STRING */
        tc_struct(t, 1);
        tc_end(t);
        tc_end(t);
    }
    tc_end(t);
}

static void schema_group(tc *t, const char *name, int repetition, int children, int list)
{
    tc_begin(t);
    tc_i32(t, 3, repetition);
    tc_str(t, 4, name);
    tc_i32(t, 5, children);
    if (list) {
        tc_i32(t, 6, CONVERTED_LIST);
        tc_struct(t, 10); /* LogicalType: LIST */
        tc_struct(t, 3);
        tc_end(t);
        tc_end(t);
    }
    tc_end(t);
}

static void column_meta(tc *t, const pqwriter *w, size_t i, const chunk *ch)
{
    const colspec *s = &w->specs[i];
    tc_begin(t); /* ColumnChunk */
    tc_i64(t, 2, ch->offset);
    tc_struct(t, 3); /* ColumnMetaData */
    tc_i32(t, 1, s->type);
    tc_list(t, 2, TC_I32, 2);
    tc_elem_i32(t, ENC_PLAIN);
    tc_elem_i32(t, ENC_RLE);
    if (s->max_rep) {
        tc_list(t, 3, TC_BINARY, 4);
        tc_elem_str(t, "spans");
        tc_elem_str(t, "list");
        tc_elem_str(t, "element");
    } else {
        tc_list(t, 3, TC_BINARY, 1);
    }
    tc_elem_str(t, s->name);
    tc_i32(t, 4, w->codec);
    tc_i64(t, 5, ch->n);
    tc_i64(t, 6, ch->uncompressed);
    tc_i64(t, 7, ch->compressed);
    tc_i64(t, 9, ch->offset);
    tc_struct(t, 12); /* Statistics */
    tc_i64(t, 3, ch->nulls);
    if (ch->has_minmax) {
        tc_bin(t, 5, ch->max, ch->maxlen);
        tc_bin(t, 6, ch->min, ch->minlen);
    }
    tc_end(t);
    tc_end(t);
    tc_end(t);
}

static int write_footer(pqwriter *w, pqfile *f)
{
    cv_buf b = {0};
    tc t;
    tc_init(&t, &b);
    size_t top = w->col_spans + (w->spans != SPANS_NONE);
    tc_begin(&t); /* FileMetaData */
    tc_i32(&t, 1, 1);
    tc_list(&t, 2, TC_STRUCT, (uint32_t)(1 + w->nspecs + (w->spans != SPANS_NONE ? 3 : 0)));
    schema_group(&t, "schema", REQUIRED, (int)top, 0);
    for (size_t i = 0; i < w->col_spans; i++)
        schema_leaf(&t, &w->specs[i]);
    if (w->spans != SPANS_NONE) {
        schema_group(&t, "spans", REQUIRED, 1, 1);
        schema_group(&t, "list", REPEATED, 1, 0);
        schema_group(&t, "element", REQUIRED, 5, 0);
        for (size_t i = w->col_spans; i < w->nspecs; i++)
            schema_leaf(&t, &w->specs[i]);
    }
    tc_i64(&t, 3, f->total_rows);
    tc_list(&t, 4, TC_STRUCT, (uint32_t)f->ngroups);
    for (size_t g = 0; g < f->ngroups; g++) {
        const group *gr = &f->groups[g];
        tc_begin(&t); /* RowGroup */
        tc_list(&t, 1, TC_STRUCT, (uint32_t)w->nspecs);
        for (size_t i = 0; i < w->nspecs; i++)
            column_meta(&t, w, i, &gr->chunks[i]);
        tc_i64(&t, 2, gr->bytes);
        tc_i64(&t, 3, gr->rows);
        tc_i64(&t, 5, gr->offset);
        tc_i64(&t, 6, gr->compressed);
        tc_end(&t);
    }
    tc_str(&t, 6, "convert parquet writer 1.0.0");
    tc_list(&t, 7, TC_STRUCT, (uint32_t)w->nspecs); /* ColumnOrder: TypeDefinedOrder for every leaf */
    for (size_t i = 0; i < w->nspecs; i++) {
        tc_begin(&t);
        tc_struct(&t, 1);
        tc_end(&t);
        tc_end(&t);
    }
    tc_end(&t);
    uint32_t n = (uint32_t)b.len;
    put_le(&b, n, 4);
    buf_add(&b, "PAR1", 4);
    int rc = out(w, f, b.p, b.len);
    buf_free(&b);
    return rc;
}

/* ---- the callbacks -------------------------------------------------------- */

static pqfile *file_for(pqwriter *w, const cv_doc *doc)
{
    cv_out *o = splitout_get(&w->outs, doc, NULL);
    if (!o)
        return NULL;
    for (size_t i = 0; i < SPLITOUT_MAX; i++)
        if (w->files[i].out == o)
            return &w->files[i];
    for (size_t i = 0; i < SPLITOUT_MAX; i++)
        if (!w->files[i].out) {
            pqfile *f = &w->files[i];
            f->out = o;
            f->cols = xcalloc(w->nspecs, sizeof *f->cols);
            return out(w, f, "PAR1", 4) == 0 ? f : NULL;
        }
    return NULL; /* splitout refuses more splits than there are files */
}

static void add_spans(pqwriter *w, pqfile *f, const cv_doc *doc, const char *text, size_t len)
{
    const cv_host *h = w->host;
    colbuf *c = f->cols + w->col_spans;
    const colspec *s = w->specs + w->col_spans;
    size_t n = h->span_count(doc);
    if (n == 0) { /* an empty list: one entry per leaf, defined only down to the list */
        for (int k = 0; k < 5; k++)
            levels(&s[k], &c[k], 0, 0);
        return;
    }
    uint32_t *chars = w->spans == SPANS_CHAR ? utf8_char_offsets(text, len) : NULL;
    for (size_t i = 0; i < n; i++) {
        cv_span sp;
        h->span_get(doc, i, &sp);
        int rep = i > 0;
        put_string(&s[0], &c[0], 1, rep, sp.type, strlen(sp.type));
        put_int(&s[1], &c[1], 1, rep, (int64_t)(chars ? chars[sp.start] : sp.start));
        put_int(&s[2], &c[2], 1, rep, (int64_t)(chars ? chars[sp.end] : sp.end));
        if (sp.label)
            put_string(&s[3], &c[3], 2, rep, sp.label, strlen(sp.label));
        else
            put_null(&s[3], &c[3], 1, rep);
        put_bool(&s[4], &c[4], 1, rep, !(sp.flags & CV_SPAN_NO_SPACE_AFTER));
    }
    free(chars);
}

static const char *json_type_name(const json_t *v)
{
    return json_is_string(v) ? "a string" : json_is_integer(v) ? "an integer" : json_is_real(v) ? "a number"
         : json_is_boolean(v) ? "a boolean" : json_is_object(v) ? "an object" : "an array";
}

static cv_status parquet_write(void *p, const cv_doc *doc)
{
    pqwriter *w = p;
    const cv_host *h = w->host;
    char *dump = h->meta_dump(doc, NULL);
    json_t *meta = dump ? json_loads(dump, 0, NULL) : json_object();
    h->free(dump);
    if (!json_is_object(meta)) {
        json_decref(meta);
        h->error(w->ctx, "its metadata could not be read");
        return CV_ERROR;
    }
    /* Type errors first, so a failing document leaves no half row behind. */
    for (size_t k = 0; k < w->ntyped; k++) {
        const colspec *s = &w->specs[COL_TYPED + k];
        json_t *v = json_object_get(meta, s->name);
        int ok = !v || json_is_null(v) || (s->type == PQ_BYTE_ARRAY && json_is_string(v)) ||
                 (s->type == PQ_DOUBLE && json_is_number(v)) || (s->type == PQ_INT64 && json_is_integer(v)) ||
                 (s->type == PQ_BOOLEAN && json_is_boolean(v));
        if (!ok) {
            h->error(w->ctx, "metadata.%s is %s, but its column is declared %s (columns: %s:%s)", s->name,
                     json_type_name(v), type_name(s->type), s->name, type_name(s->type));
            json_decref(meta);
            return CV_ERROR;
        }
    }
    pqfile *f = file_for(w, doc);
    if (!f) {
        json_decref(meta);
        return CV_ERROR;
    }
    size_t len;
    const char *text = h->doc_text(doc, &len), *id = h->doc_id(doc);
    put_string(&w->specs[COL_ID], &f->cols[COL_ID], 0, 0, id, strlen(id));
    put_string(&w->specs[COL_TEXT], &f->cols[COL_TEXT], 0, 0, text, len);
    json_t *src = json_object_get(meta, "source");
    if (json_is_string(src))
        put_string(&w->specs[COL_SOURCE], &f->cols[COL_SOURCE], 1, 0, json_string_value(src),
                   json_string_length(src));
    else
        put_null(&w->specs[COL_SOURCE], &f->cols[COL_SOURCE], 0, 0);
    if (json_is_string(src)) /* at the top level, as in jsonl */
        json_object_del(meta, "source");
    for (size_t k = 0; k < w->ntyped; k++) {
        const colspec *s = &w->specs[COL_TYPED + k];
        colbuf *c = &f->cols[COL_TYPED + k];
        json_t *v = json_object_get(meta, s->name);
        if (!v || json_is_null(v))
            put_null(s, c, 0, 0);
        else if (s->type == PQ_BYTE_ARRAY)
            put_string(s, c, 1, 0, json_string_value(v), json_string_length(v));
        else if (s->type == PQ_DOUBLE)
            put_double(s, c, 1, 0, json_number_value(v));
        else if (s->type == PQ_INT64)
            put_int(s, c, 1, 0, (int64_t)json_integer_value(v));
        else
            put_bool(s, c, 1, 0, json_is_true(v));
        if (v)
            json_object_del(meta, s->name);
    }
    char *rest = json_dumps(meta, JSON_COMPACT);
    json_decref(meta);
    if (!rest)
        abort();
    put_string(&w->specs[w->col_meta], &f->cols[w->col_meta], 0, 0, rest, strlen(rest));
    free(rest);
    if (w->spans != SPANS_NONE)
        add_spans(w, f, doc, text, len);
    f->rows++;
    size_t bytes = 0;
    for (size_t i = 0; i < w->nspecs; i++)
        bytes += f->cols[i].values.len + f->cols[i].def.len + f->cols[i].rep.len;
    f->bytes = bytes;
    if (f->bytes >= w->group_size && flush_group(w, f) < 0)
        return CV_ERROR;
    return CV_OK;
}

static cv_status parquet_finish(void *p)
{
    pqwriter *w = p;
    for (size_t i = 0; i < SPLITOUT_MAX; i++) {
        pqfile *f = &w->files[i];
        if (f->out && (flush_group(w, f) < 0 || write_footer(w, f) < 0))
            return CV_ERROR;
    }
    return CV_OK;
}

static const cv_plugin parquet_writer = {
    CV_PLUGIN_HEADER,
    .name = "parquet",
    .kind = CV_WRITER,
    .version = "1.0.0",
    .description = "Writes Apache Parquet (ZSTD, typed metadata columns, spans), one file per split",
    .optmap = parquet_optmap,
    .create = parquet_create,
    .destroy = parquet_destroy,
    .write = parquet_write,
    .finish = parquet_finish,
};

extern const cv_plugin parquet_reader; /* read.c */

CONVERT_PLUGINS(&parquet_writer, &parquet_reader)
