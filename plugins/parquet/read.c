/* read.c -- reader: Apache Parquet files and Hugging Face dataset folders.
 *
 * One row is one document: text_field is its text, id_field its id (else
 * FILE:ROW, rows counted from 0), the other columns (or those `columns`
 * names) its metadata, nested ones as JSON.  A row group is read at a time,
 * only the columns used, so memory is bounded by one row group's column
 * chunks whatever the file's size.  A folder is read file by file: the
 * dataset card's configs, else data/, else its own *.parquet (the writer's
 * output), each row keeping the split its file belongs to. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "convert/plugin.h"
#include "hfdir.h"
#include "pqread.h"
#include "util.h"

typedef struct pr_opts {
    const char *path, *text_field, *id_field, *config;
    cv_strlist columns;
    int64_t max_doc_bytes;
} pr_opts;

static const cv_optmap optmap[] = {
    {.key = "path", .type = CV_OPT_PATH, .offset = offsetof(pr_opts, path),
     .help = "(or -i) a .parquet file, or a dataset folder (its card's configs, "
             "data/{split}-NNNNN-of-NNNNN.parquet, or *.parquet)"},
    {.key = "text_field", .type = CV_OPT_STRING, .default_value = "text", .offset = offsetof(pr_opts, text_field),
     .help = "column holding the text (a string column)"},
    {.key = "id_field", .type = CV_OPT_STRING, .default_value = "id", .offset = offsetof(pr_opts, id_field),
     .help = "column holding the document id (missing or null: FILE:ROW, rows counted from 0)"},
    {.key = "columns", .type = CV_OPT_LIST, .offset = offsetof(pr_opts, columns),
     .help = "columns put into metadata (default: every column but text and id)"},
    {.key = "max_doc_bytes", .type = CV_OPT_SIZE, .default_value = "64M", .offset = offsetof(pr_opts, max_doc_bytes),
     .help = "longer texts are dropped (reason parquet:max_doc_bytes)"},
    {.key = "config", .type = CV_OPT_STRING, .offset = offsetof(pr_opts, config),
     .help = "a dataset folder's config (its card's configs:); default: the default one"},
    {0},
};

/* A top-level column the documents use. */
typedef struct field {
    int node;
    int leaf_lo, leaf_hi; /* its leaves */
    int role;             /* ROLE_* */
    int flat;             /* one primitive leaf, not repeated */
} field;

enum { ROLE_META, ROLE_TEXT, ROLE_ID };

typedef struct pqreader {
    const cv_host *host;
    cv_ctx *ctx;
    pr_opts o;
    const char *text_field, *id_field;
    int all_columns; /* columns unset: every one */
    int64_t max_doc;
    hf_files files;
    size_t next_file;
    /* the open file */
    const char *path, *split;
    int fd;
    uint64_t size;
    pq_meta m;
    int *leaf_lo, *leaf_hi; /* per node */
    field *fields;
    int nfields, text_at, id_at;
    int has_source, has_split; /* columns of those names, whatever their type */
    pq_col *cols; /* per leaf; only the used ones read */
    size_t *ent, *val; /* per leaf: the cursor */
    size_t *lo, *hi;   /* per leaf: the row's entries, for nested columns */
    int group;         /* the row group being read, -1 before the first */
    int64_t row, grow, grows; /* row in the file; row in the group; the group's rows */
    cv_buf json, err, scratch, where;
} pqreader;

/* ---- files ----------------------------------------------------------------- */

static void close_file(pqreader *r)
{
    if (r->fd >= 0)
        close(r->fd);
    r->fd = -1;
    for (int i = 0; r->cols && i < r->m.nleaves; i++)
        pq_col_free(&r->cols[i]);
    free(r->cols);
    free(r->ent);
    free(r->val);
    free(r->lo);
    free(r->hi);
    free(r->leaf_lo);
    free(r->leaf_hi);
    free(r->fields);
    r->cols = NULL;
    r->ent = r->val = r->lo = r->hi = NULL;
    r->leaf_lo = r->leaf_hi = NULL;
    r->fields = NULL;
    r->nfields = 0;
    pq_meta_free(&r->m);
    r->path = NULL;
}

static void parquet_reader_destroy(void *p)
{
    pqreader *r = p;
    close_file(r);
    hf_files_free(&r->files);
    buf_free(&r->json);
    buf_free(&r->err);
    buf_free(&r->scratch);
    buf_free(&r->where);
    free(r);
}

static int read_at(pqreader *r, void *buf, size_t len, uint64_t off)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = pread(r->fd, (char *)buf + got, len - got, (off_t)(off + got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            r->host->error(r->ctx, "'%s': %s at byte %llu", r->path, n < 0 ? strerror(errno) : "unexpected end of file",
                           (unsigned long long)(off + got));
            return -1;
        }
        got += (size_t)n;
    }
    return 0;
}

static void leaf_ranges(pqreader *r, int node, int *next)
{
    const pq_node *n = &r->m.nodes[node];
    r->leaf_lo[node] = *next;
    if (n->leaf >= 0)
        (*next)++;
    for (int k = 0; k < n->nchildren; k++)
        leaf_ranges(r, n->children[k], next);
    r->leaf_hi[node] = *next;
}

static int wanted(const pqreader *r, const char *name)
{
    if (r->all_columns)
        return 1;
    for (size_t i = 0; i < r->o.columns.n; i++)
        if (!strcmp(r->o.columns.items[i], name))
            return 1;
    return 0;
}

static const char *physical_name(int t)
{
    static const char *const names[] = {"BOOLEAN", "INT32", "INT64", "INT96", "FLOAT", "DOUBLE", "BYTE_ARRAY",
                                        "FIXED_LEN_BYTE_ARRAY"};
    return t >= 0 && t < 8 ? names[t] : "a group";
}

/* Open file number i: footer, schema, the fields used.  0, or -1 after error(). */
static int open_file(pqreader *r, size_t i)
{
    const cv_host *h = r->host;
    r->path = r->files.v[i].path;
    r->split = r->files.v[i].split;
    r->fd = open(r->path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (r->fd < 0 || fstat(r->fd, &st) < 0) {
        h->error(r->ctx, "cannot open '%s': %s", r->path, strerror(errno));
        return -1;
    }
    r->size = (uint64_t)st.st_size;
    unsigned char tail[8], head[4];
    if (r->size < 12) {
        h->error(r->ctx, "'%s': not a Parquet file (%llu bytes, too short for one)", r->path,
                 (unsigned long long)r->size);
        return -1;
    }
    if (read_at(r, head, 4, 0) < 0 || read_at(r, tail, 8, r->size - 8) < 0)
        return -1;
    if (!memcmp(tail + 4, "PARE", 4)) {
        h->error(r->ctx, "'%s': encrypted Parquet (footer magic PARE) is not supported", r->path);
        return -1;
    }
    if (memcmp(head, "PAR1", 4) || memcmp(tail + 4, "PAR1", 4)) {
        h->error(r->ctx, "'%s': not a Parquet file (no PAR1 magic at its %s)", r->path,
                 memcmp(head, "PAR1", 4) ? "start" : "end");
        return -1;
    }
    uint64_t flen = (uint64_t)tail[0] | (uint64_t)tail[1] << 8 | (uint64_t)tail[2] << 16 | (uint64_t)tail[3] << 24;
    if (flen > r->size - 12) {
        h->error(r->ctx, "'%s': footer length %llu is past the file's %llu bytes", r->path, (unsigned long long)flen,
                 (unsigned long long)r->size);
        return -1;
    }
    uint8_t *footer = malloc(flen + 1);
    if (!footer || read_at(r, footer, flen, r->size - 8 - flen) < 0) {
        if (!footer)
            h->error(r->ctx, "'%s': out of memory for a footer of %llu bytes", r->path, (unsigned long long)flen);
        free(footer);
        return -1;
    }
    char why[256];
    int rc = pq_meta_parse(footer, flen, r->size - 8 - flen, &r->m, why, sizeof why);
    free(footer);
    if (rc < 0) {
        h->error(r->ctx, "'%s': %s", r->path, why);
        return -1;
    }
    pq_meta *m = &r->m;
    r->leaf_lo = calloc((size_t)m->nnodes, sizeof(int));
    r->leaf_hi = calloc((size_t)m->nnodes, sizeof(int));
    size_t nl = (size_t)m->nleaves + 1;
    r->cols = calloc(nl, sizeof *r->cols);
    r->ent = calloc(nl, sizeof *r->ent);
    r->val = calloc(nl, sizeof *r->val);
    r->lo = calloc(nl, sizeof *r->lo);
    r->hi = calloc(nl, sizeof *r->hi);
    const pq_node *root = &m->nodes[0];
    r->fields = calloc((size_t)root->nchildren + 1, sizeof *r->fields);
    if (!r->leaf_lo || !r->leaf_hi || !r->cols || !r->ent || !r->val || !r->lo || !r->hi || !r->fields) {
        h->error(r->ctx, "'%s': out of memory", r->path);
        return -1;
    }
    int next = 0;
    leaf_ranges(r, 0, &next);
    r->text_at = r->id_at = -1;
    r->has_source = r->has_split = 0;
    for (int k = 0; k < root->nchildren; k++) {
        int node = root->children[k];
        const pq_node *n = &m->nodes[node];
        int role = !strcmp(n->name, r->text_field) ? ROLE_TEXT : !strcmp(n->name, r->id_field) ? ROLE_ID : ROLE_META;
        if (role == ROLE_META && !wanted(r, n->name))
            continue;
        if (role == ROLE_TEXT && r->text_at >= 0)
            continue; /* a second column of the same name: the first one counts */
        if (role == ROLE_ID && r->id_at >= 0)
            continue;
        r->has_source |= role == ROLE_META && !strcmp(n->name, "source");
        r->has_split |= role == ROLE_META && !strcmp(n->name, "split");
        field *f = &r->fields[r->nfields];
        *f = (field){.node = node, .leaf_lo = r->leaf_lo[node], .leaf_hi = r->leaf_hi[node], .role = role,
                     .flat = n->leaf >= 0 && n->repetition != REP_REPEATED};
        if (role == ROLE_TEXT) {
            if (!f->flat || (n->type != PT_BYTE_ARRAY && n->type != PT_FIXED)) {
                h->error(r->ctx, "'%s': text_field '%s' is %s, not a string column", r->path, n->name,
                         f->flat ? physical_name(n->type) : "a nested column");
                return -1;
            }
            r->text_at = r->nfields;
        }
        if (role == ROLE_ID) {
            if (!f->flat) /* a list or struct is no id: metadata instead */
                f->role = ROLE_META;
            else
                r->id_at = r->nfields;
        }
        r->nfields++;
    }
    if (r->text_at < 0) {
        h->error(r->ctx, "'%s': no column '%s' (text_field) among its %d columns", r->path, r->text_field,
                 root->nchildren);
        return -1;
    }
    r->group = -1;
    r->grow = r->grows = 0;
    r->row = 0;
    return 0;
}

/* Read and decode the used column chunks of row group g.  0, or -1 after error(). */
static int load_group(pqreader *r, int g)
{
    const pq_group *grp = &r->m.groups[g];
    if (!grp->chunks) { /* a row group of no rows may list no columns (meta.c refuses it with rows) */
        r->group = g;
        r->grow = r->grows = 0;
        return 0;
    }
    for (int k = 0; k < r->nfields; k++) {
        const field *f = &r->fields[k];
        for (int l = f->leaf_lo; l < f->leaf_hi; l++) {
            const pq_chunk *ch = &grp->chunks[l];
            const pq_node *leaf = &r->m.nodes[r->m.leaves[l]];
            pq_leaf_path(&r->m, l, &r->where);
            if (ch->skip) {
                r->host->error(r->ctx, "'%s': row group %d, column '%s': its data is in another file", r->path, g,
                               r->where.p);
                return -1;
            }
            if ((uint64_t)ch->size > SIZE_MAX / 2) {
                r->host->error(r->ctx, "'%s': row group %d, column '%s': a column chunk of %lld bytes", r->path, g,
                               r->where.p, (long long)ch->size);
                return -1;
            }
            void *data = malloc((size_t)ch->size + 16);
            if (!data) {
                r->host->error(r->ctx, "'%s': out of memory", r->path);
                return -1;
            }
            if (read_at(r, data, (size_t)ch->size, (uint64_t)ch->start) < 0) {
                free(data);
                return -1;
            }
            if (pq_col_read(&r->cols[l], data, (size_t)ch->size, leaf, ch, &r->err) < 0) {
                r->host->error(r->ctx, "'%s': row group %d, column '%s': %s", r->path, g, r->where.p,
                               r->err.len ? r->err.p : "out of memory");
                return -1;
            }
            const pq_col *c = &r->cols[l];
            size_t rows = c->n;
            if (leaf->max_rep) {
                rows = 0;
                for (size_t e = 0; e < c->n; e++)
                    rows += c->rep[e] == 0;
            }
            if ((int64_t)rows != grp->rows) {
                r->host->error(r->ctx, "'%s': row group %d, column '%s': %zu rows, the row group says %lld", r->path, g,
                               r->where.p, rows, (long long)grp->rows);
                return -1;
            }
            r->ent[l] = r->val[l] = 0;
        }
    }
    r->group = g;
    r->grow = 0;
    r->grows = grp->rows;
    return 0;
}

/* ---- values as JSON ------------------------------------------------------- */

static void add_str(cv_buf *b, const char *s, size_t len) { buf_add_json(b, s, len); }

static int utf8_ok(const char *s, size_t len); /* below */

/* Bytes as a JSON string; invalid UTF-8 bytes become U+FFFD. */
static void add_bytes(cv_buf *b, const char *s, size_t len, cv_buf *tmp)
{
    if (utf8_ok(s, len)) {
        add_str(b, s, len);
        return;
    }
    tmp->len = 0;
    for (size_t i = 0; i < len;) {
        size_t j = i;
        while (j < len && utf8_ok(s + i, j + 1 - i) == 0 && j - i < 4)
            j++;
        if (j < len && j - i < 4) {
            buf_add(tmp, s + i, j + 1 - i);
            i = j + 1;
        } else {
            buf_add(tmp, "\xEF\xBF\xBD", 3);
            i++;
        }
    }
    add_str(b, tmp->p, tmp->len);
}

/* 1 when s is valid UTF-8 and holds no NUL (what the core's strings take). */
static int utf8_ok(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned c = u[i];
        if (c >= 0x01 && c < 0x80) {
            i++;
            continue;
        }
        int n = c >= 0xC2 && c <= 0xDF ? 1 : c >= 0xE0 && c <= 0xEF ? 2 : c >= 0xF0 && c <= 0xF4 ? 3 : -1;
        if (n < 0 || (size_t)n >= len - i)
            return 0;
        unsigned c1 = u[i + 1];
        if ((c1 & 0xC0) != 0x80 || (c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 > 0x9F) ||
            (c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 > 0x8F))
            return 0;
        for (int k = 2; k <= n; k++)
            if ((u[i + (size_t)k] & 0xC0) != 0x80)
                return 0;
        i += (size_t)n + 1;
    }
    return 1;
}

static void add_fmt_num(cv_buf *b, double d, int is_float)
{
    char tmp[40];
    if (!isfinite(d)) {
        buf_adds(b, "null");
        return;
    }
    for (int prec = is_float ? 6 : 15; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, d);
        if (is_float ? strtof(tmp, NULL) == (float)d : strtod(tmp, NULL) == d)
            break;
    }
    buf_adds(b, tmp);
}

/* Days since 1970-01-01 to a civil date (proleptic Gregorian). */
static void civil(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    unsigned doe = (unsigned)(days - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static void add_date(cv_buf *b, int64_t days)
{
    int64_t y;
    unsigned m, d;
    char tmp[48];
    civil(days, &y, &m, &d);
    snprintf(tmp, sizeof tmp, "%04lld-%02u-%02u", (long long)y, m, d);
    buf_adds(b, tmp);
}

/* Time of day from a count of units (1 ms, 2 us, 3 ns); the fraction only when not zero. */
static void add_clock(cv_buf *b, int64_t v, int unit)
{
    static const int64_t per_sec[] = {1, 1000, 1000000, 1000000000};
    static const int digits[] = {0, 3, 6, 9};
    if (unit < 1 || unit > 3)
        unit = 1;
    int64_t ps = per_sec[unit], secs = v / ps, frac = v % ps;
    char tmp[48];
    snprintf(tmp, sizeof tmp, "%02lld:%02lld:%02lld", (long long)(secs / 3600), (long long)(secs / 60 % 60),
             (long long)(secs % 60));
    buf_adds(b, tmp);
    if (frac) {
        int nd = digits[unit];
        while (frac % 10 == 0) {
            frac /= 10;
            nd--;
        }
        snprintf(tmp, sizeof tmp, ".%0*lld", nd, (long long)frac);
        buf_adds(b, tmp);
    }
}

static void add_timestamp(cv_buf *b, int64_t v, int unit, int utc)
{
    static const int64_t per_day[] = {86400000LL, 86400000LL, 86400000000LL, 86400000000000LL};
    if (unit < 1 || unit > 3)
        unit = 1;
    int64_t pd = per_day[unit], days = v / pd, rest = v % pd;
    if (rest < 0) {
        rest += pd;
        days--;
    }
    buf_addc(b, '"');
    add_date(b, days);
    buf_addc(b, 'T');
    add_clock(b, rest, unit);
    if (utc)
        buf_addc(b, 'Z');
    buf_addc(b, '"');
}

/* A decimal's unscaled value as digits with the point put in. */
static void add_decimal(cv_buf *b, __int128 v, int scale)
{
    char digits[64];
    int n = 0, neg = v < 0;
    unsigned __int128 u = neg ? (unsigned __int128)(-(v + 1)) + 1 : (unsigned __int128)v;
    do {
        digits[n++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u && n < 60);
    if (scale < 0 || scale > 38)
        scale = 0;
    while (n <= scale)
        digits[n++] = '0';
    if (neg)
        buf_addc(b, '-');
    for (int i = n - 1; i >= 0; i--) {
        buf_addc(b, digits[i]);
        if (i == scale && scale > 0)
            buf_addc(b, '.');
    }
}

static double half_to_double(unsigned h)
{
    int e = (h >> 10) & 0x1F;
    double m = h & 0x3FF;
    double v = e == 0 ? ldexp(m, -24) : e == 31 ? (m ? NAN : INFINITY) : ldexp(m + 1024, e - 25);
    return h & 0x8000 ? -v : v;
}

static void add_value(pqreader *r, cv_buf *b, const pq_node *n, const pq_val *v)
{
    char tmp[64];
    switch (n->kind) {
    case K_BOOL:
        buf_adds(b, v->i ? "true" : "false");
        return;
    case K_INT:
        snprintf(tmp, sizeof tmp, "%lld", (long long)v->i);
        buf_adds(b, tmp);
        return;
    case K_UINT:
        buf_add_uint(b, n->type == PT_INT32 ? (uint64_t)(uint32_t)v->i : (uint64_t)v->i);
        return;
    case K_FLOAT:
        add_fmt_num(b, v->d, n->type == PT_FLOAT);
        return;
    case K_DATE:
        buf_addc(b, '"');
        add_date(b, v->i);
        buf_addc(b, '"');
        return;
    case K_TIME:
        buf_addc(b, '"');
        add_clock(b, v->i, n->type == PT_INT32 ? 1 : n->unit ? n->unit : 2);
        buf_addc(b, '"');
        return;
    case K_TIMESTAMP:
        add_timestamp(b, v->i, n->unit, n->utc);
        return;
    case K_INT96:
        add_timestamp(b, v->i, 3, 0);
        return;
    case K_DECIMAL:
        if (n->type == PT_INT32 || n->type == PT_INT64) {
            add_decimal(b, v->i, n->scale);
        } else if (v->s.len >= 1 && v->s.len <= 16) {
            const unsigned char *p = (const unsigned char *)v->s.p;
            unsigned __int128 u = p[0] & 0x80 ? ~(unsigned __int128)0 : 0;
            for (uint32_t i = 0; i < v->s.len; i++)
                u = (u << 8) | p[i];
            add_decimal(b, (__int128)u, n->scale);
        } else {
            buf_adds(b, "null");
        }
        return;
    case K_UUID: {
        const unsigned char *p = (const unsigned char *)v->s.p;
        int k = 0;
        k += snprintf(tmp + k, sizeof tmp - (size_t)k, "\"");
        for (int i = 0; i < 16; i++)
            k += snprintf(tmp + k, sizeof tmp - (size_t)k, "%s%02x", i == 4 || i == 6 || i == 8 || i == 10 ? "-" : "",
                          p[i]);
        snprintf(tmp + k, sizeof tmp - (size_t)k, "\"");
        buf_adds(b, tmp);
        return;
    }
    case K_FLOAT16: {
        const unsigned char *p = (const unsigned char *)v->s.p;
        add_fmt_num(b, half_to_double((unsigned)p[0] | (unsigned)p[1] << 8), 1);
        return;
    }
    case K_STRING:
    case K_BYTES:
        add_bytes(b, v->s.p, v->s.len, &r->scratch);
        return;
    }
}

/* ---- rows: record assembly -------------------------------------------------- */

static int def_at(const pqreader *r, int leaf, size_t e)
{
    const pq_node *n = &r->m.nodes[r->m.leaves[leaf]];
    return n->max_def ? r->cols[leaf].def[e] : 0;
}

static void emit(pqreader *r, cv_buf *b, int node, size_t *lo, size_t *hi);

/* A repeated node's elements between lo and hi, as a JSON array; each
 * element by elem(node as one instance). */
static void emit_repeated(pqreader *r, cv_buf *b, int node, size_t *lo, size_t *hi, int inner)
{
    const pq_node *n = &r->m.nodes[node];
    int l0 = r->leaf_lo[node], l1 = r->leaf_hi[node];
    buf_addc(b, '[');
    if (l1 > l0 && lo[l0] < hi[l0] && def_at(r, l0, lo[l0]) >= n->max_def) {
        size_t nl = (size_t)(l1 - l0);
        size_t *cur = calloc(2 * nl, sizeof *cur), *end = cur + nl;
        if (!cur)
            abort();
        for (int l = l0; l < l1; l++)
            cur[l - l0] = lo[l];
        size_t *save_lo = malloc(2 * nl * sizeof *save_lo), *save_hi = save_lo + nl;
        if (!save_lo)
            abort();
        for (int l = l0; l < l1; l++) {
            save_lo[l - l0] = lo[l];
            save_hi[l - l0] = hi[l];
        }
        int first = 1;
        while (cur[0] < save_hi[0]) {
            for (int l = l0; l < l1; l++) {
                size_t e = cur[l - l0] + 1;
                const uint8_t *rep = r->cols[l].rep;
                while (e < save_hi[l - l0] && rep[e] > n->max_rep)
                    e++;
                end[l - l0] = e;
                lo[l] = cur[l - l0];
                hi[l] = e;
            }
            if (!first)
                buf_addc(b, ',');
            first = 0;
            emit(r, b, inner >= 0 ? inner : node, lo, hi);
            int stuck = 1;
            for (int l = l0; l < l1; l++) {
                stuck &= end[l - l0] == cur[l - l0];
                cur[l - l0] = end[l - l0] > save_hi[l - l0] ? save_hi[l - l0] : end[l - l0];
            }
            if (stuck)
                break;
        }
        for (int l = l0; l < l1; l++) {
            lo[l] = save_lo[l - l0];
            hi[l] = save_hi[l - l0];
        }
        free(cur);
        free(save_lo);
    }
    buf_addc(b, ']');
}

/* The value at node for one instance (its leaves' entries lo..hi). */
static void emit(pqreader *r, cv_buf *b, int node, size_t *lo, size_t *hi)
{
    const pq_node *n = &r->m.nodes[node];
    int l0 = r->leaf_lo[node];
    if (l0 == r->leaf_hi[node] || lo[l0] >= hi[l0]) {
        buf_adds(b, "null");
        return;
    }
    int def = def_at(r, l0, lo[l0]);
    if (n->leaf >= 0) {
        if (def == n->max_def)
            add_value(r, b, n, &r->cols[l0].vals[r->val[l0]++]);
        else
            buf_adds(b, "null");
        return;
    }
    if (def < n->max_def) {
        buf_adds(b, "null");
        return;
    }
    if ((n->is_list || n->is_map) && n->nchildren == 1 &&
        r->m.nodes[n->children[0]].repetition == REP_REPEATED) {
        int rep = n->children[0];
        const pq_node *rn = &r->m.nodes[rep];
        if (n->is_map && rn->nchildren == 2) { /* key_value { key, value }: an object */
            cv_buf inner = {0};
            emit_repeated(r, &inner, rep, lo, hi, -1);
            buf_addc(&inner, '\0');
            json_t *pairs = json_loads(inner.p, JSON_DECODE_ANY, NULL);
            buf_free(&inner);
            json_t *obj = json_object();
            size_t i;
            json_t *kv;
            json_array_foreach(pairs, i, kv)
            {
                json_t *k = json_object_get(kv, r->m.nodes[rn->children[0]].name);
                json_t *v = json_object_get(kv, r->m.nodes[rn->children[1]].name);
                char *ks = json_is_string(k) ? NULL : json_dumps(k, JSON_ENCODE_ANY | JSON_COMPACT);
                json_object_set(obj, ks ? ks : json_string_value(k), v ? v : json_null());
                free(ks);
            }
            char *s = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
            buf_adds(b, s ? s : "{}");
            free(s);
            json_decref(obj);
            json_decref(pairs);
            return;
        }
        /* LIST: three levels (list { element }) or the older two (repeated element). */
        int inner = rn->leaf < 0 && rn->nchildren == 1 && strcmp(rn->name, "array") &&
                            strcmp(rn->name, n->name) != 0 && !(strlen(rn->name) > 6 && !strcmp(rn->name + strlen(rn->name) - 6, "_tuple"))
                        ? rn->children[0]
                        : -1;
        emit_repeated(r, b, rep, lo, hi, inner);
        return;
    }
    buf_addc(b, '{');
    for (int k = 0; k < n->nchildren; k++) {
        const pq_node *c = &r->m.nodes[n->children[k]];
        if (k)
            buf_addc(b, ',');
        add_str(b, c->name, strlen(c->name));
        buf_addc(b, ':');
        if (c->repetition == REP_REPEATED)
            emit_repeated(r, b, n->children[k], lo, hi, -1);
        else
            emit(r, b, n->children[k], lo, hi);
    }
    buf_addc(b, '}');
}

/* The leaves of a nested field: this row's entries, lo..hi. */
static void row_ranges(pqreader *r, const field *f)
{
    for (int l = f->leaf_lo; l < f->leaf_hi; l++) {
        const pq_col *c = &r->cols[l];
        size_t e = r->ent[l];
        r->lo[l] = e;
        e++;
        if (c->rep)
            while (e < c->n && c->rep[e] != 0)
                e++;
        r->hi[l] = e;
        r->ent[l] = e;
    }
}

/* A flat field's value this row: NULL for null. */
static const pq_val *flat_value(pqreader *r, const field *f)
{
    int l = f->leaf_lo;
    const pq_node *n = &r->m.nodes[f->node];
    size_t e = r->ent[l]++;
    if (n->max_def && r->cols[l].def[e] != n->max_def)
        return NULL;
    return &r->cols[l].vals[r->val[l]++];
}

static const char *cstr(pqreader *r, const pq_val *v)
{
    r->scratch.len = 0;
    buf_add(&r->scratch, v->s.p, v->s.len);
    buf_addc(&r->scratch, '\0');
    return r->scratch.p;
}

/* Set metadata key to the JSON in r->json; a "metadata" object is merged (as in jsonl). */
static void set_json(pqreader *r, cv_doc *doc, const char *key)
{
    const cv_host *h = r->host;
    buf_addc(&r->json, '\0');
    h->meta_set_json(doc, key, r->json.p);
}

static void merge_metadata(pqreader *r, cv_doc *doc, const char *text, size_t len)
{
    json_t *o = json_loadb(text, len, 0, NULL);
    if (!json_is_object(o)) {
        r->json.len = 0;
        add_bytes(&r->json, text, len, &r->scratch);
        set_json(r, doc, "metadata");
        json_decref(o);
        return;
    }
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        if (s)
            r->host->meta_set_json(doc, k, s);
        free(s);
    }
    json_decref(o);
}

static void meta_field(pqreader *r, cv_doc *doc, const field *f)
{
    const cv_host *h = r->host;
    const pq_node *n = &r->m.nodes[f->node];
    if (!f->flat) {
        row_ranges(r, f);
        r->json.len = 0;
        if (n->repetition == REP_REPEATED)
            emit_repeated(r, &r->json, f->node, r->lo, r->hi, -1);
        else
            emit(r, &r->json, f->node, r->lo, r->hi);
        set_json(r, doc, n->name);
        return;
    }
    const pq_val *v = flat_value(r, f);
    if (!v) {
        h->meta_set_json(doc, n->name, "null");
        return;
    }
    switch (n->kind) {
    case K_STRING:
    case K_BYTES:
        if (!strcmp(n->name, "metadata")) {
            merge_metadata(r, doc, v->s.p, v->s.len);
            return;
        }
        if (utf8_ok(v->s.p, v->s.len)) {
            h->meta_set_string(doc, n->name, cstr(r, v));
            return;
        }
        break;
    case K_INT:
        h->meta_set_int(doc, n->name, v->i);
        return;
    case K_BOOL:
        h->meta_set_bool(doc, n->name, (int)v->i);
        return;
    default:
        break;
    }
    r->json.len = 0;
    add_value(r, &r->json, n, v);
    set_json(r, doc, n->name);
}

/* ---- the callbacks ---------------------------------------------------------- */

static void *parquet_reader_create(const cv_host *host, cv_ctx *ctx)
{
    pqreader *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->host = host;
    r->ctx = ctx;
    r->fd = -1;
    host->opt_load(ctx, &r->o);
    r->text_field = r->o.text_field;
    r->id_field = r->o.id_field;
    r->max_doc = r->o.max_doc_bytes;
    r->all_columns = !host->opt_is_set(ctx, "columns"); /* columns: [] is none */
    char why[512];
    if (!r->o.path) {
        host->error(ctx, "no input: set path, or give -i FILE");
        parquet_reader_destroy(r);
        return NULL;
    }
    if (hf_files_find(r->o.path, r->o.config, &r->files, why, sizeof why) < 0) {
        host->error(ctx, "%s", why);
        parquet_reader_destroy(r);
        return NULL;
    }
    return r;
}

static cv_status parquet_reader_next(void *p, cv_doc *doc)
{
    pqreader *r = p;
    const cv_host *h = r->host;
    for (;;) {
        if (!r->path) {
            if (r->next_file >= r->files.n)
                return CV_END;
            if (open_file(r, r->next_file++) < 0)
                return CV_ERROR;
        }
        if (r->grow >= r->grows) {
            if (r->group + 1 >= r->m.ngroups) {
                close_file(r);
                continue;
            }
            for (int l = 0; l < r->m.nleaves; l++)
                pq_col_reset(&r->cols[l]);
            if (load_group(r, r->group + 1) < 0)
                return CV_ERROR;
            continue;
        }
        break;
    }
    int64_t row = r->row++;
    r->grow++;
    if ((row & 1023) == 0)
        h->progress(r->ctx, r->next_file - 1, r->files.n);
    const pq_val *text = NULL;
    int has_id = 0, too_long = 0;
    for (int k = 0; k < r->nfields; k++) {
        const field *f = &r->fields[k];
        if (f->role == ROLE_TEXT) {
            text = flat_value(r, f);
            if (text && r->max_doc > 0 && text->s.len > (uint64_t)r->max_doc) {
                too_long = 1;
            } else if (text) {
                char *room = h->doc_text_room(doc, text->s.len, 0);
                if (!room) {
                    h->error(r->ctx, "'%s': out of memory for a text of %u bytes", r->path, text->s.len);
                    return CV_ERROR;
                }
                memcpy(room, text->s.p, text->s.len);
            }
        } else if (f->role == ROLE_ID) {
            const pq_val *v = flat_value(r, f);
            const pq_node *n = &r->m.nodes[f->node];
            if (!v)
                continue;
            if ((n->type == PT_BYTE_ARRAY || n->type == PT_FIXED) && n->kind != K_DECIMAL && n->kind != K_UUID) {
                if (utf8_ok(v->s.p, v->s.len) && v->s.len)
                    has_id = h->doc_set_id(doc, cstr(r, v)) == 0;
            } else {
                r->json.len = 0;
                add_value(r, &r->json, n, v);
                buf_addc(&r->json, '\0');
                const char *s = r->json.p;
                size_t len = strlen(s);
                if (len >= 2 && s[0] == '"') { /* a date, a uuid: without the quotes */
                    r->json.p[len - 1] = '\0';
                    s++;
                }
                has_id = h->doc_set_id(doc, s) == 0;
            }
        } else {
            meta_field(r, doc, f);
        }
    }
    if (!has_id) {
        r->json.len = 0;
        buf_adds(&r->json, r->path);
        buf_addc(&r->json, ':');
        buf_add_uint(&r->json, (uint64_t)row);
        buf_addc(&r->json, '\0');
        h->doc_set_id(doc, r->json.p);
    }
    if (!r->has_source)
        h->meta_set_string(doc, "source", r->path);
    if (r->split && !r->has_split)
        h->meta_set_string(doc, "split", r->split);
    if (too_long) {
        h->doc_drop(doc, "max_doc_bytes", NULL);
        return CV_DROP;
    }
    if (!text) {
        h->doc_drop(doc, "no_text", r->text_field);
        return CV_DROP;
    }
    return CV_OK;
}

const cv_plugin parquet_reader = {
    CV_PLUGIN_HEADER,
    .name = "parquet",
    .kind = CV_READER,
    .version = "1.0.0",
    .description = "Reads Apache Parquet files and Hugging Face dataset folders: one document per row",
    .create = parquet_reader_create,
    .destroy = parquet_reader_destroy,
    .next = parquet_reader_next,
    .optmap = optmap,
};
