/* warc.c -- reader: the records of a WARC file (WARC/1.0 and 1.1; plain,
 * gzip per record or whole, zstd) as documents.  response records are
 * parsed as HTTP (status, headers, chunked transfer, gzip/deflate content);
 * resource and conversion (WET) records are their own payload.  Other
 * records (request, metadata, revisit, warcinfo) are skipped and counted by
 * type.  Payloads are decoded to UTF-8 from their charset (charset.h).
 *
 * libarchive reads WARC/1.0 only, drops records whose URI ends in '/' and
 * hides the WARC headers, so records are parsed here. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "charset.h"
#include "convert/plugin.h"
#include "stream.h"
#include "util.h"

typedef struct warc_opts {
    const char *path;
    cv_strlist statuses, mime_types;
    int64_t max_doc_bytes;
} warc_opts;

static const cv_optmap warc_optmap[] = {
    {.key = "path", .type = CV_OPT_PATH, .required = 1, .offset = offsetof(warc_opts, path),
     .help = "a WARC file: .warc, .warc.gz (one member per record, or one) or .warc.zst"},
    {.key = "statuses", .type = CV_OPT_LIST, .default_value = "[200]", .offset = offsetof(warc_opts, statuses),
     .help = "HTTP statuses of response records read (others are skipped, counted as skipped:http_<status>)"},
    {.key = "mime_types", .type = CV_OPT_LIST, .default_value = "[text/html, application/xhtml+xml, text/plain]",
     .offset = offsetof(warc_opts, mime_types),
     .help = "payload types read (others are skipped, counted as skipped:mime); * reads every type"},
    {.key = "max_doc_bytes", .type = CV_OPT_SIZE, .default_value = "64M", .offset = offsetof(warc_opts, max_doc_bytes),
     .help = "a larger record, or a payload that inflates past it, is dropped (warc:max_doc_bytes)"},
    {0},
};

#define LINE_CAP 65536 /* a WARC or HTTP header line longer than this is garbage */

typedef struct header {
    char type[32], id[512], uri[8192], date[64], ctype[512], length[32];
} header;

typedef struct reader {
    const cv_host *host;
    cv_ctx *ctx;
    stream *s;
    warc_opts o;
    const char *source;
    int ended; /* a truncated file: nothing more to read */
    char line[LINE_CAP];
    cv_buf block, body, text;
} reader;

static void warc_destroy(void *p)
{
    reader *r = p;
    stream_close(r->s);
    buf_free(&r->block);
    buf_free(&r->body);
    buf_free(&r->text);
    free(r);
}

static void *warc_create(const cv_host *h, cv_ctx *ctx)
{
    reader *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->host = h;
    r->ctx = ctx;
    h->opt_load(ctx, &r->o);
    const char *slash = strrchr(r->o.path, '/');
    r->source = slash ? slash + 1 : r->o.path;
    char err[512];
    if (!(r->s = stream_open(r->o.path, err, sizeof err))) {
        h->error(ctx, "%s", err);
        free(r);
        return NULL;
    }
    return r;
}

static int blank(const char *l) { return !strcmp(l, "\r\n") || !strcmp(l, "\n"); }

static void chomp(char *l)
{
    size_t n = strlen(l);
    while (n && (l[n - 1] == '\n' || l[n - 1] == '\r'))
        l[--n] = '\0';
}

static void copy_value(char *dst, size_t cap, const char *v)
{
    while (*v == ' ' || *v == '\t')
        v++;
    snprintf(dst, cap, "%s", v);
}

/* Skip to the next line that starts a record; its text stays in r->line.
 * 1: found, 0: the end, -1: error. */
static int resync(reader *r, uint64_t from)
{
    uint64_t skipped = 0;
    for (;;) {
        long n = stream_line(r->s, r->line, sizeof r->line);
        if (n <= 0) {
            if (skipped)
                r->host->count(r->ctx, "skipped:garbage_bytes", skipped);
            return (int)n;
        }
        if (!strncmp(r->line, "WARC/", 5)) {
            if (skipped) {
                r->host->count(r->ctx, "skipped:garbage_bytes", skipped);
                r->host->log(r->ctx, CV_LOG_WARN, "%s: %llu bytes that are not a WARC record at byte offset %llu",
                             r->o.path, (unsigned long long)skipped, (unsigned long long)from);
            }
            return 1;
        }
        if (!blank(r->line)) /* the line ends that close a record are no garbage */
            skipped += (uint64_t)n;
    }
}

/* The header block after a WARC/x line.  0, or -1 with a message. */
static int read_header(reader *r, header *hd)
{
    memset(hd, 0, sizeof *hd);
    for (;;) {
        long n = stream_line(r->s, r->line, sizeof r->line);
        if (n <= 0)
            return -1;
        if (blank(r->line))
            return 0;
        chomp(r->line);
        char *colon = strchr(r->line, ':');
        if (!colon)
            continue; /* a continuation line or junk: no field we need spans lines */
        *colon = '\0';
        const char *k = r->line, *v = colon + 1;
        if (!strcasecmp(k, "WARC-Type"))
            copy_value(hd->type, sizeof hd->type, v);
        else if (!strcasecmp(k, "WARC-Record-ID"))
            copy_value(hd->id, sizeof hd->id, v);
        else if (!strcasecmp(k, "WARC-Target-URI"))
            copy_value(hd->uri, sizeof hd->uri, v);
        else if (!strcasecmp(k, "WARC-Date"))
            copy_value(hd->date, sizeof hd->date, v);
        else if (!strcasecmp(k, "Content-Type"))
            copy_value(hd->ctype, sizeof hd->ctype, v);
        else if (!strcasecmp(k, "Content-Length"))
            copy_value(hd->length, sizeof hd->length, v);
    }
}

/* The mime type of a Content-Type value, lower-cased, without parameters. */
static void mime_of(const char *ct, char *out, size_t cap)
{
    size_t n = 0;
    while (*ct == ' ')
        ct++;
    while (*ct && *ct != ';' && *ct != ' ' && n + 1 < cap)
        out[n++] = (char)((*ct >= 'A' && *ct <= 'Z') ? *ct++ + 32 : *ct++);
    out[n] = '\0';
}

static int wanted_mime(reader *r, const char *mime)
{
    for (size_t i = 0; i < r->o.mime_types.n; i++) {
        const char *m = r->o.mime_types.items[i];
        if (!strcmp(m, "*") || !strcasecmp(m, mime))
            return 1;
    }
    return 0;
}

static int wanted_status(reader *r, int status)
{
    for (size_t i = 0; i < r->o.statuses.n; i++)
        if (atoi(r->o.statuses.items[i]) == status)
            return 1;
    return 0;
}

/* Transfer-Encoding: chunked, from src into dst.  0, or -1 when malformed. */
static int dechunk(const char *src, size_t len, cv_buf *dst)
{
    dst->len = 0;
    size_t i = 0;
    while (i < len) {
        char *end;
        unsigned long long n = strtoull(src + i, &end, 16);
        if (end == src + i)
            return -1;
        const char *nl = memchr(src + i, '\n', len - i);
        if (!nl)
            return -1;
        i = (size_t)(nl - src) + 1;
        if (n == 0)
            return 0;
        if (n > len - i)
            n = len - i; /* a cut last chunk: keep what there is */
        buf_add(dst, src + i, (size_t)n);
        i += (size_t)n;
        if (i < len && src[i] == '\r')
            i++;
        if (i < len && src[i] == '\n')
            i++;
    }
    return 0;
}

/* Content-Encoding: gzip or deflate (zlib or raw).  0, 1 past the cap, -1 corrupt. */
static int inflate_body(const char *src, size_t len, cv_buf *dst, int64_t cap)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        z_stream z = {0};
        if (inflateInit2(&z, attempt ? -15 : 15 + 32) != Z_OK)
            return -1;
        dst->len = 0;
        z.next_in = (Bytef *)src;
        z.avail_in = (uInt)len;
        int rc;
        do {
            buf_reserve(dst, 65536);
            z.next_out = (Bytef *)dst->p + dst->len;
            z.avail_out = (uInt)(dst->cap - dst->len - 1);
            size_t before = z.avail_out;
            rc = inflate(&z, Z_NO_FLUSH);
            dst->len += before - z.avail_out;
            if ((int64_t)dst->len > cap) {
                inflateEnd(&z);
                return 1;
            }
        } while (rc == Z_OK && (z.avail_in > 0 || z.avail_out == 0));
        inflateEnd(&z);
        if (rc == Z_STREAM_END || (rc == Z_OK && dst->len > 0) || (rc == Z_BUF_ERROR && dst->len > 0))
            return 0; /* a cut stream keeps what inflated */
    }
    return -1;
}

static void strip_id(char *id)
{
    size_t n = strlen(id);
    if (n >= 2 && id[0] == '<' && id[n - 1] == '>') {
        memmove(id, id + 1, n - 2);
        id[n - 2] = '\0';
    }
}

/* The document's id and the record's metadata. */
static void describe(reader *r, cv_doc *doc, const header *hd)
{
    const cv_host *h = r->host;
    if (hd->id[0])
        h->doc_set_id(doc, hd->id);
    h->meta_set_string(doc, "source", r->source);
    if (hd->uri[0])
        h->meta_set_string(doc, "url", hd->uri);
    if (hd->date[0])
        h->meta_set_string(doc, "warc_date", hd->date);
}

/* The HTTP message in r->block: status, Content-Type, and the body in *body.
 * -1 with the drop reason in *why. */
static int parse_http(reader *r, int *status, char *ctype, size_t ctcap, const char **body, size_t *blen,
                      const char **why)
{
    const char *b = r->block.p, *end = b + r->block.len;
    const char *nl = memchr(b, '\n', r->block.len);
    if (!nl || strncmp(b, "HTTP/", 5)) {
        *why = "bad_http";
        return -1;
    }
    const char *sp = memchr(b, ' ', (size_t)(nl - b));
    *status = sp ? atoi(sp + 1) : 0;
    int chunked = 0, gzip = 0;
    ctype[0] = '\0';
    const char *p = nl + 1;
    for (;;) {
        nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) { /* headers without an end: no body */
            p = end;
            break;
        }
        size_t n = (size_t)(nl - p);
        if (n == 0 || (n == 1 && p[0] == '\r')) {
            p = nl + 1;
            break;
        }
        char hl[8192];
        size_t k = n < sizeof hl - 1 ? n : sizeof hl - 1;
        memcpy(hl, p, k);
        hl[k] = '\0';
        chomp(hl);
        char *colon = strchr(hl, ':');
        if (colon) {
            *colon = '\0';
            const char *v = colon + 1;
            while (*v == ' ')
                v++;
            if (!strcasecmp(hl, "Content-Type"))
                snprintf(ctype, ctcap, "%s", v);
            else if (!strcasecmp(hl, "Transfer-Encoding") && strcasestr(v, "chunked"))
                chunked = 1;
            else if (!strcasecmp(hl, "Content-Encoding")) {
                if (strcasestr(v, "gzip") || strcasestr(v, "deflate"))
                    gzip = 1;
                else if (strcasecmp(v, "identity") && *v) {
                    *why = "unsupported_encoding";
                    return -1;
                }
            }
        }
        p = nl + 1;
    }
    *body = p;
    *blen = (size_t)(end - p);
    if (chunked) {
        if (dechunk(*body, *blen, &r->body) < 0) {
            *why = "bad_chunked";
            return -1;
        }
        *body = r->body.p ? r->body.p : "";
        *blen = r->body.len;
    }
    if (gzip) {
        cv_buf tmp = {0}; /* the source may be r->body itself (dechunked): inflate from a copy */
        buf_add(&tmp, *body, *blen);
        int rc = inflate_body(tmp.p, tmp.len, &r->body, r->o.max_doc_bytes);
        buf_free(&tmp);
        if (rc != 0) {
            *why = rc > 0 ? "max_doc_bytes" : "bad_content_encoding";
            return -1;
        }
        *body = r->body.p ? r->body.p : "";
        *blen = r->body.len;
    }
    return 0;
}

/* Count a record that is no document and move past its block: 0, or -1
 * when the file ends inside it (nothing after it can be read). */
static int skip_record(reader *r, const char *counter, uint64_t clen)
{
    r->host->count(r->ctx, counter, 1);
    if (stream_skip(r->s, clen) == 0)
        return 0;
    r->ended = 1;
    return -1;
}

static cv_status warc_next(void *p, cv_doc *doc)
{
    reader *r = p;
    const cv_host *h = r->host;
    for (;;) {
        if (r->ended)
            return CV_END;
        uint64_t at = stream_offset(r->s);
        int found = resync(r, at);
        if (found < 0) {
            h->error(r->ctx, "%s: %s (records before it were read)", r->o.path, stream_error(r->s));
            return CV_ERROR;
        }
        if (!found)
            return CV_END;
        at = stream_offset(r->s) - strlen(r->line);
        if (strncmp(r->line, "WARC/1.0", 8) && strncmp(r->line, "WARC/1.1", 8)) {
            h->count(r->ctx, "skipped:unknown_version", 1);
            continue;
        }
        header hd;
        if (read_header(r, &hd) < 0) {
            h->log(r->ctx, CV_LOG_WARN, "%s: the record at byte offset %llu ends inside its header", r->o.path,
                   (unsigned long long)at);
            h->count(r->ctx, "skipped:truncated_header", 1);
            r->ended = 1;
            return CV_END;
        }
        char *lend;
        unsigned long long clen = strtoull(hd.length, &lend, 10);
        /* digits only: strtoull takes "-6" for 2^64 - 6 */
        if (!hd.length[0] || *lend || hd.length[strspn(hd.length, "0123456789")] || clen > (1ULL << 62)) {
            h->log(r->ctx, CV_LOG_WARN, "%s: the record at byte offset %llu has no valid Content-Length", r->o.path,
                   (unsigned long long)at);
            h->count(r->ctx, "skipped:no_content_length", 1);
            continue; /* resync finds the next record */
        }
        int doc_type = !strcasecmp(hd.type, "response") || !strcasecmp(hd.type, "resource") ||
                       !strcasecmp(hd.type, "conversion");
        if (!doc_type) {
            char counter[64];
            snprintf(counter, sizeof counter, "skipped:%s", hd.type[0] ? hd.type : "untyped");
            for (char *c = counter; *c; c++)
                *c = (char)((*c >= 'A' && *c <= 'Z') ? *c + 32 : *c);
            if (skip_record(r, counter, clen) < 0)
                return CV_END;
            continue;
        }
        strip_id(hd.id);
        strip_id(hd.uri); /* wget writes WARC/1.0 URIs in <> */
        if (!strncmp(hd.uri, "metadata:", 9) || !strncmp(hd.uri, "dns:", 4)) { /* the crawler's own notes */
            if (skip_record(r, "skipped:crawler_metadata", clen) < 0)
                return CV_END;
            continue;
        }
        h->progress(r->ctx, stream_file_offset(r->s), stream_file_size(r->s));
        char detail[64];
        snprintf(detail, sizeof detail, "byte offset %llu", (unsigned long long)at);
        if ((int64_t)clen > r->o.max_doc_bytes) {
            int ok = stream_skip(r->s, clen) == 0;
            r->ended = !ok;
            describe(r, doc, &hd);
            h->doc_drop(doc, "max_doc_bytes", detail);
            return CV_DROP;
        }
        r->block.len = 0;
        buf_reserve(&r->block, (size_t)clen);
        long got = stream_read(r->s, r->block.p, (size_t)clen);
        if (got < 0 || (unsigned long long)got < clen) {
            h->log(r->ctx, CV_LOG_WARN, "%s: the record at byte offset %llu is cut short (%s)", r->o.path,
                   (unsigned long long)at, got < 0 ? stream_error(r->s) : "the file ends");
            r->ended = 1;
            describe(r, doc, &hd);
            h->doc_drop(doc, "truncated", detail);
            return CV_DROP;
        }
        r->block.len = (size_t)got;
        r->block.p[r->block.len] = '\0';
        /* Two line ends close a record; anything else means its Content-Length was wrong. */
        long n1 = stream_line(r->s, r->line, sizeof r->line);
        int closed = n1 > 0 && blank(r->line);
        long n2 = closed ? stream_line(r->s, r->line, sizeof r->line) : 0;
        closed = closed && (n2 == 0 || blank(r->line));
        if (!closed) {
            h->log(r->ctx, CV_LOG_WARN, "%s: the record at byte offset %llu does not end where its Content-Length "
                                        "says",
                   r->o.path, (unsigned long long)at);
            describe(r, doc, &hd);
            h->doc_drop(doc, "bad_content_length", detail);
            return CV_DROP;
        }
        const char *body = r->block.p;
        size_t blen = r->block.len;
        char ctype[512], mime[128], csbuf[64];
        int status = 0;
        const char *why = NULL;
        if (!strcasecmp(hd.type, "response") && strcasestr(hd.ctype, "application/http")) {
            if (parse_http(r, &status, ctype, sizeof ctype, &body, &blen, &why) < 0) {
                describe(r, doc, &hd);
                h->doc_drop(doc, why, NULL);
                return CV_DROP;
            }
            if (!wanted_status(r, status)) { /* not a page: skipped, like requests, counted by status */
                char counter[32];
                snprintf(counter, sizeof counter, "skipped:http_%d", status);
                h->count(r->ctx, counter, 1);
                continue;
            }
        } else {
            snprintf(ctype, sizeof ctype, "%s", hd.ctype);
        }
        mime_of(ctype, mime, sizeof mime);
        if (!wanted_mime(r, mime[0] ? mime : "application/octet-stream")) {
            h->count(r->ctx, "skipped:mime", 1);
            continue;
        }
        describe(r, doc, &hd);
        if (status)
            h->meta_set_int(doc, "http_status", status);
        if (mime[0])
            h->meta_set_string(doc, "content_type", mime);
        const char *used, *how;
        charset_decode(body, blen, charset_param(ctype, csbuf, sizeof csbuf), strstr(mime, "html") != NULL,
                       &r->text, &used, &how);
        h->meta_set_string(doc, "charset", used);
        char *room = h->doc_text_room(doc, r->text.len, CV_TEXT_REPAIR);
        if (!room) {
            h->error(r->ctx, "out of memory");
            return CV_ERROR;
        }
        memcpy(room, r->text.p ? r->text.p : "", r->text.len);
        return CV_OK;
    }
}

static const cv_plugin warc_reader = {
    CV_PLUGIN_HEADER,
    .name = "warc",
    .kind = CV_READER,
    .version = "1.0.0",
    .description = "Reads WARC/1.0 and 1.1 crawls (plain, .gz, .zst): HTTP responses, resources and WET text",
    .optmap = warc_optmap,
    .create = warc_create,
    .destroy = warc_destroy,
    .next = warc_next,
};

CONVERT_PLUGINS(&warc_reader)
