/* jsonl.c -- JSON Lines in and out.
 *
 * The writer emits one object per line in the shape Hugging Face datasets,
 * datatrove and dolma read: {"id", "text", "source", "metadata": {...}},
 * UTF-8 unescaped, one file per split ("{split}" in the path).  The reader
 * takes any JSONL with configurable id and text fields; other fields become
 * metadata (scan.c reads the lines; gunzip.c inflates .gz, libarchive the
 * other compressions; a plain file is read with read()). */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arlib.h"
#include "convert/plugin.h"
#include "gunzip.h"
#include "scan.h"
#include "splitout.h"
#include "util.h"

/* ---- reader -------------------------------------------------------------- */

typedef struct jreader_opts {
    const char *path, *id_field, *text_field;
    int64_t max_doc_bytes;
} jreader_opts;

static const cv_optmap reader_optmap[] = {
    {.key = "path", .type = CV_OPT_PATH, .required = 1, .offset = offsetof(jreader_opts, path),
     .help = "a .jsonl file, optionally .gz/.zst/.xz/.bz2 compressed"},
    {.key = "id_field", .type = CV_OPT_STRING, .default_value = "id", .offset = offsetof(jreader_opts, id_field),
     .help = "field holding the document id (missing: the line number)"},
    {.key = "text_field", .type = CV_OPT_STRING, .default_value = "text", .offset = offsetof(jreader_opts, text_field),
     .help = "field holding the text"},
    {.key = "max_doc_bytes", .type = CV_OPT_SIZE, .default_value = "64M",
     .offset = offsetof(jreader_opts, max_doc_bytes), .help = "longer lines are dropped (reason jsonl:max_doc_bytes)"},
    {0},
};

typedef struct jreader {
    const cv_host *host;
    cv_ctx *ctx;
    gunzip *gz;        /* a .gz file, or NULL: */
    struct archive *a; /* libarchive's raw format, for any other compression */
    const arlib *ar;   /* its functions, loaded when a is needed */
    int fd;            /* or a plain file: read() into pending; else -1 */
    uint64_t fd_size, fd_read; /* its size when opened, and the bytes read from it */
    jreader_opts o;
    uint64_t lineno;
    const char *lp; /* the current line: in pending, line.p, or the document's text (long_line) */
    size_t ll;
    cv_buf line, pending; /* pending: bytes read past the current line */
    size_t pending_off;
    int eof, too_long;
} jreader;

static void jsonl_reader_destroy(void *p)
{
    jreader *r = p;
    if (r->a)
        r->ar->read_free(r->a);
    gunzip_close(r->gz);
    if (r->fd >= 0)
        close(r->fd);
    buf_free(&r->line);
    buf_free(&r->pending);
    free(r);
}

/* Whether the file's first byte past white space (and a UTF-8 byte order
 * mark) is '{': a JSONL file's, and no compressed format's first byte. */
static int starts_with_object(const char *path)
{
    unsigned char head[4096];
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t n = fread(head, 1, sizeof head, f), i = 0;
    fclose(f);
    if (n >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF)
        i = 3;
    while (i < n && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'))
        i++;
    return i < n && head[i] == '{';
}

/* A regular file, read with read() up to its size now: 0, or -1 (not
 * regular: a pipe is libarchive's, which has read from it already). */
static int open_plain(jreader *r)
{
    struct stat sb;
    r->fd = open(r->o.path, O_RDONLY | O_CLOEXEC);
    if (r->fd >= 0 && fstat(r->fd, &sb) == 0 && S_ISREG(sb.st_mode)) {
        r->fd_size = (uint64_t)sb.st_size;
        return 0;
    }
    if (r->fd >= 0)
        close(r->fd);
    r->fd = -1;
    return -1;
}

static void *jsonl_reader_create(const cv_host *host, cv_ctx *ctx)
{
    jreader *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->host = host;
    r->ctx = ctx;
    r->fd = -1;
    host->opt_load(ctx, &r->o);
    const char *why;
    if ((r->gz = gunzip_open(r->o.path, &why)) || why) {
        if (!r->gz) {
            host->error(ctx, "cannot read '%s': %s", r->o.path, why);
            jsonl_reader_destroy(r);
            return NULL;
        }
        return r;
    }
    struct stat sb;
    int regular = stat(r->o.path, &sb) == 0 && S_ISREG(sb.st_mode);
    if (regular && sb.st_size == 0) {
        r->eof = 1; /* an empty file is an empty JSONL file, not an unknown format (libarchive's view) */
        return r;
    }
    if (regular && starts_with_object(r->o.path) && open_plain(r) == 0)
        return r; /* plain JSONL: libarchive is not even loaded */
    if (!(r->ar = arlib_get(&why))) {
        host->error(ctx, "cannot read '%s': %s", r->o.path, why);
        jsonl_reader_destroy(r);
        return NULL;
    }
    r->a = r->ar->read_new();
    r->ar->read_support_filter_all(r->a);
    r->ar->read_support_format_raw(r->a);
    struct archive_entry *e;
    if (r->ar->read_open_filename(r->a, r->o.path, 1 << 16) != ARCHIVE_OK ||
        r->ar->read_next_header(r->a, &e) != ARCHIVE_OK) {
        host->error(ctx, "cannot read '%s': %s", r->o.path, r->ar->error_string(r->a));
        jsonl_reader_destroy(r);
        return NULL;
    }
    if (r->ar->filter_count(r->a) == 1 && r->ar->filter_code(r->a, 0) == ARCHIVE_FILTER_NONE &&
        open_plain(r) == 0) {
        r->ar->read_free(r->a); /* not compressed: read plainly */
        r->a = NULL;
    }
    return r;
}

/* What one read() or inflate takes: small enough to stay in the cache that
 * memchr() and the copy into the document then read it from.  A mapping of
 * the whole file was read from cold pages, a fault each 64 KiB and a TLB
 * miss each page. */
#define READ_BYTES ((size_t)1 << 16)

/* The next READ_BYTES of input into pending.  1: some, 0: end, -1: error. */
static int refill(jreader *r)
{
    r->pending.len = r->pending_off = 0;
    buf_reserve(&r->pending, READ_BYTES);
    ssize_t n;
    if (r->fd >= 0) {
        /* Up to the size at open: lines a writer appends meanwhile (and its
         * half-written last one) are not this run's, whenever it reads. */
        size_t want = r->fd_size - r->fd_read < READ_BYTES ? (size_t)(r->fd_size - r->fd_read) : READ_BYTES;
        n = 0;
        while (want && (n = read(r->fd, r->pending.p, want)) < 0 && errno == EINTR)
            ;
    } else {
        n = r->gz ? gunzip_read(r->gz, r->pending.p, READ_BYTES) : r->ar->read_data(r->a, r->pending.p, READ_BYTES);
    }
    if (n < 0) {
        r->host->error(r->ctx, "'%s': %s", r->o.path,
                       r->fd >= 0 ? strerror(errno) : r->gz ? gunzip_error(r->gz) : r->ar->error_string(r->a));
        return -1;
    }
    if (r->fd >= 0)
        r->fd_read += (uint64_t)n;
    if (r->fd >= 0 && n == 0 && r->fd_read < r->fd_size) {
        /* Cut short under us (rewritten, truncated): what is missing would go unread and uncounted. */
        r->host->error(r->ctx, "'%s' shrank while it was read: %llu of its %llu bytes were there", r->o.path,
                       (unsigned long long)r->fd_read, (unsigned long long)r->fd_size);
        return -1;
    }
    if (n == 0)
        r->eof = 1;
    r->pending.len = (size_t)n;
    return n > 0;
}

/* Whether a line of n bytes is over max_doc_bytes (dropped with that reason). */
static int over_max(const jreader *r, uint64_t n) { return r->o.max_doc_bytes > 0 && n > (uint64_t)r->o.max_doc_bytes; }

/* A plain file's line that goes on past the buffer: its end found first,
 * then the line read once, straight into doc's text (gathered a read at a
 * time, a long line cost its bytes twice more, in fresh pages).  As
 * next_line. */
static int long_line(jreader *r, cv_doc *doc)
{
    uint64_t start = r->fd_read - (r->pending.len - r->pending_off), len = r->pending.len - r->pending_off;
    for (;;) {
        int got = refill(r);
        if (got < 0)
            return -1;
        if (!got)
            break; /* the last line, with no newline */
        const char *nl = memchr(r->pending.p, '\n', r->pending.len);
        if (nl) {
            len += (uint64_t)(nl - r->pending.p);
            r->pending_off = (size_t)(nl - r->pending.p) + 1;
            break;
        }
        len += r->pending.len;
    }
    r->lp = "";
    r->ll = 0;
    if (over_max(r, len) || len > SIZE_MAX / 4) {
        r->too_long = 1;
        return 1;
    }
    char *room = r->host->doc_text_room(doc, (size_t)len, 0);
    if (!room) {
        r->host->error(r->ctx, "out of memory for a line of %llu bytes", (unsigned long long)len);
        return -1;
    }
    for (size_t got = 0; got < len;) {
        ssize_t n = pread(r->fd, room + got, (size_t)len - got, (off_t)(start + got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            r->host->error(r->ctx, "'%s' shrank while it was read: %s", r->o.path,
                           n < 0 ? strerror(errno) : "a line's bytes were gone");
            return -1;
        }
        got += (size_t)n;
    }
    r->lp = room;
    r->ll = (size_t)len;
    return 1;
}

/* Next line into r->lp, r->ll (without the newline).  1: a line, 0: end, -1: error. */
static int next_line(jreader *r, cv_doc *doc)
{
    r->lp = r->line.p;
    r->line.len = r->ll = 0;
    r->too_long = 0;
    for (;;) {
        if (r->pending_off < r->pending.len) {
            const char *s = r->pending.p + r->pending_off;
            size_t left = r->pending.len - r->pending_off;
            const char *nl = memchr(s, '\n', left);
            size_t take = nl ? (size_t)(nl - s) : left;
            if (!nl && !r->line.len && !r->too_long && r->fd >= 0 && !r->eof)
                return long_line(r, doc);
            if (nl && !r->line.len && !r->too_long) { /* the whole line is in the buffer: no copy */
                r->lp = s;
                r->ll = take;
                r->too_long = over_max(r, take);
                r->pending_off += take + 1;
                return 1;
            }
            if (over_max(r, r->line.len + take))
                r->too_long = 1; /* keep scanning to the newline, store nothing more */
            else
                buf_add(&r->line, s, take);
            r->pending_off += take + (nl ? 1 : 0);
            r->lp = r->line.p;
            r->ll = r->line.len;
            if (nl)
                return 1;
        }
        if (r->eof)
            return r->line.len || r->too_long ? 1 : 0;
        if (refill(r) < 0)
            return -1;
    }
}

/* One line being parsed (jsonl_reader_prepare): its own scratch, as
 * several workers parse lines at once. */
typedef struct line_ctx {
    const jreader *r;
    cv_doc *doc;
    char *text; /* the document's buffer, which holds the raw line: the text is decoded to its start */
    ssize_t text_len; /* -1: no text member yet */
    cv_buf scratch;   /* a member's raw JSON or decoded id */
    const char *why;  /* a member that is JSON but not what it should be */
} line_ctx;

/* A member's raw JSON, NUL-terminated, into the line's scratch. */
static const char *raw(line_ctx *lc, const char *val, size_t vlen)
{
    lc->scratch.len = 0;
    buf_add(&lc->scratch, val, vlen);
    buf_addc(&lc->scratch, '\0');
    return lc->scratch.p;
}

static int meta_member(void *p, const char *key, const char *val, size_t vlen)
{
    line_ctx *lc = p;
    if (lc->r->host->meta_set_json(lc->doc, key, raw(lc, val, vlen)) < 0) {
        lc->why = "a value that is not valid UTF-8";
        return 1;
    }
    return 0;
}

/* A JSON number that is a whole number.  Bounded by vlen: a line ends in
 * no NUL, and its last value may end the buffer. */
static int integer(const char *val, size_t vlen)
{
    size_t i = val[0] == '-';
    while (i < vlen && val[i] >= '0' && val[i] <= '9')
        i++;
    return i == vlen && i > (size_t)(val[0] == '-');
}

static int on_member(void *p, const char *key, const char *val, size_t vlen)
{
    line_ctx *lc = p;
    const jreader *r = lc->r;
    const cv_host *h = r->host;
    if (!strcmp(key, r->o.text_field)) {
        if (val[0] != '"')
            return 0; /* not a string: no text */
        /* In place, to the buffer's start: decoding never writes past what it
         * has read, and the members before this one are done with.  The core
         * checks its UTF-8. */
        lc->text_len = jscan_string(val, vlen, lc->text);
        if (lc->text_len < 0) {
            lc->why = "an escape that is no character (a lone surrogate)";
            return 1;
        }
        return 0;
    }
    if (!strcmp(key, r->o.id_field)) {
        if (val[0] == '"') {
            lc->scratch.len = 0;
            buf_reserve(&lc->scratch, vlen + 1);
            ssize_t n = jscan_string(val, vlen, lc->scratch.p);
            if (n < 0 || memchr(lc->scratch.p, '\0', (size_t)n) || !jscan_utf8_valid(lc->scratch.p, (size_t)n)) {
                lc->why = "an id that is not valid UTF-8";
                return 1;
            }
            lc->scratch.p[n] = '\0';
            h->doc_set_id(lc->doc, lc->scratch.p);
        } else if (integer(val, vlen)) {
            h->doc_set_id(lc->doc, raw(lc, val, vlen)); /* an integer id, as written */
        }
        return 0;
    }
    if (!strcmp(key, "metadata") && val[0] == '{') {
        const char *why;
        int rc = jscan_object(val, vlen, meta_member, lc, &why);
        return rc < 0 ? (lc->why = why, 1) : rc;
    }
    return meta_member(p, key, val, vlen);
}

/* The read turn only finds the line and keeps it in the document; parsing
 * it, three quarters of reading, is jsonl_reader_prepare's, on any worker. */
static cv_status jsonl_reader_next(void *p, cv_doc *doc)
{
    jreader *r = p;
    const cv_host *h = r->host;
    for (;;) {
        int got = next_line(r, doc);
        if (got <= 0)
            return got == 0 ? CV_END : CV_ERROR;
        r->lineno++;
        if (r->lineno == 1 && r->ll >= 3 && !memcmp(r->lp, "\xEF\xBB\xBF", 3)) {
            r->lp += 3; /* a byte order mark, as Windows tools write: not part of the first object */
            r->ll -= 3;
            r->too_long = over_max(r, r->ll);
        }
        char lineid[64];
        snprintf(lineid, sizeof lineid, "%s:%llu", r->o.path, (unsigned long long)r->lineno);
        size_t sp = 0; /* a line in pending ends in no NUL: no strspn() */
        while (sp < r->ll && (r->lp[sp] == ' ' || r->lp[sp] == '\t' || r->lp[sp] == '\r'))
            sp++;
        if (!r->too_long && sp == r->ll)
            continue; /* blank lines are not documents */
        h->doc_set_id(doc, lineid);
        h->meta_set_string(doc, "source", r->o.path);
        if (r->too_long) {
            h->doc_drop(doc, "max_doc_bytes", NULL);
            return CV_DROP;
        }
        char *room = h->doc_text_room(doc, r->ll, 0);
        if (!room) {
            h->error(r->ctx, "out of memory for a line of %zu bytes", r->ll);
            return CV_ERROR;
        }
        if (room != r->lp) /* (long_line read it in place, or to just before a byte order mark) */
            memmove(room, r->lp, r->ll);
        return CV_OK;
    }
}

/* The line next() kept, parsed: id, metadata, and the text in its place. */
static void jsonl_reader_prepare(const void *p, cv_doc *doc)
{
    const jreader *r = p;
    const cv_host *h = r->host;
    size_t ll;
    h->doc_text(doc, &ll);
    line_ctx lc = {.r = r, .doc = doc, .text = h->doc_text_room(doc, ll, 0), .text_len = -1}; /* the line, writable */
    if (!lc.text) {
        h->doc_drop(doc, "invalid_json", "out of memory");
        return;
    }
    const char *why = NULL;
    int rc = jscan_object(lc.text, ll, on_member, &lc, &why);
    buf_free(&lc.scratch);
    h->doc_text_room(doc, lc.text_len > 0 ? (size_t)lc.text_len : 0, 0);
    if (rc)
        h->doc_drop(doc, "invalid_json", rc < 0 ? why : lc.why);
    else if (lc.text_len < 0)
        h->doc_drop(doc, "no_text", r->o.text_field);
}

static const cv_plugin jsonl_reader = {
    CV_PLUGIN_HEADER,
    .name = "jsonl",
    .kind = CV_READER,
    .version = "1.0.0",
    .description = "Reads JSON Lines (optionally compressed): one document per line",
    .optmap = reader_optmap,
    .create = jsonl_reader_create,
    .destroy = jsonl_reader_destroy,
    .next = jsonl_reader_next,
    .prepare = jsonl_reader_prepare,
};

/* ---- writer -------------------------------------------------------------- */

typedef struct jwriter_opts {
    const char *path, *spans;
} jwriter_opts;

static const cv_optmap writer_optmap[] = {
    {.key = "path", .type = CV_OPT_STRING, .default_value = "{split}.jsonl", .offset = offsetof(jwriter_opts, path),
     .help = "file name under the output folder; {split} becomes the document's split (train when none); "
             "a .gz or .zst ending compresses"},
    {.key = "spans", .type = CV_OPT_STRING, .default_value = "none", .choices = "none|char|byte",
     .offset = offsetof(jwriter_opts, spans),
     .help = "write spans (sentences, tokens, entities): none, char (offsets in Unicode code points) or byte"},
    {0},
};

enum { SPANS_NONE, SPANS_CHAR, SPANS_BYTE };

typedef struct jwriter {
    const cv_host *host;
    cv_ctx *ctx;
    int spans;
    splitout outs;
    cv_buf line;
} jwriter;

static void jsonl_writer_destroy(void *p)
{
    jwriter *w = p;
    splitout_free(&w->outs);
    buf_free(&w->line);
    free(w);
}

static void *jsonl_writer_create(const cv_host *host, cv_ctx *ctx)
{
    jwriter *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->host = host;
    w->ctx = ctx;
    jwriter_opts o;
    host->opt_load(ctx, &o);
    w->outs = (splitout){.host = host, .ctx = ctx, .pattern = o.path};
    w->spans = !strcmp(o.spans, "char") ? SPANS_CHAR : !strcmp(o.spans, "byte") ? SPANS_BYTE : SPANS_NONE;
    return w;
}

/* "spans": {"<type>": [{"start", "end", "label"?, "space_after"?}...]...},
 * written by hand: a document has thousands of token spans. */
static void add_spans(jwriter *w, const cv_doc *doc, const char *text, size_t len)
{
    const cv_host *h = w->host;
    size_t n = h->span_count(doc);
    uint32_t *chars = NULL; /* byte offset -> code point offset, built once per document */
    if (n && w->spans == SPANS_CHAR)
        chars = utf8_char_offsets(text, len);
    /* Group by type, in order of first appearance; a handful of types. */
    const char *types[16];
    size_t ntypes = 0;
    for (size_t i = 0; i < n && ntypes < 16; i++) {
        cv_span s;
        h->span_get(doc, i, &s);
        size_t t = 0;
        while (t < ntypes && types[t] != s.type && strcmp(types[t], s.type)) /* interned: usually the same pointer */
            t++;
        if (t == ntypes)
            types[ntypes++] = s.type;
    }
    buf_adds(&w->line, ",\"spans\":{");
    for (size_t t = 0; t < ntypes; t++) {
        if (t)
            buf_addc(&w->line, ',');
        buf_add_json(&w->line, types[t], strlen(types[t]));
        buf_adds(&w->line, ":[");
        int first = 1;
        for (size_t i = 0; i < n; i++) {
            cv_span s;
            h->span_get(doc, i, &s);
            if (s.type != types[t] && strcmp(s.type, types[t]))
                continue;
            buf_adds(&w->line, first ? "{\"start\":" : ",{\"start\":");
            first = 0;
            buf_add_uint(&w->line, chars ? chars[s.start] : s.start);
            buf_adds(&w->line, ",\"end\":");
            buf_add_uint(&w->line, chars ? chars[s.end] : s.end);
            if (s.label) {
                buf_adds(&w->line, ",\"label\":");
                buf_add_json(&w->line, s.label, strlen(s.label));
            }
            if (s.flags & CV_SPAN_NO_SPACE_AFTER)
                buf_adds(&w->line, ",\"space_after\":false");
            buf_addc(&w->line, '}');
        }
        buf_addc(&w->line, ']');
    }
    buf_addc(&w->line, '}');
    free(chars);
}

/* End of the JSON value starting at s[i] (compact, well-formed: jansson
 * wrote it): strings skip their escapes, brackets nest. */
static size_t value_end(const char *s, size_t len, size_t i)
{
    int depth = 0;
    for (; i < len; i++) {
        char c = s[i];
        if (c == '"') {
            for (i++; i < len && s[i] != '"'; i++)
                i += s[i] == '\\';
            if (depth == 0)
                return i + 1;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (depth-- == 0)
                return i; /* the end of the enclosing object */
            if (depth == 0)
                return i + 1;
        } else if (c == ',' && depth == 0) {
            return i;
        }
    }
    return len;
}

/* Remove the top-level member named key from a compact JSON object that
 * meta_dump() returned; the new length.  Splicing the text saves parsing
 * and re-printing the metadata (the entity list can be long) per document. */
static size_t drop_member(char *s, size_t len, const char *key)
{
    size_t klen = strlen(key);
    for (size_t i = 1; i < len && s[i] == '"';) { /* i: the start of a member's key */
        size_t colon = value_end(s, len, i), end = value_end(s, len, colon + 1);
        if (colon - i == klen + 2 && !memcmp(s + i + 1, key, klen)) {
            size_t from = i, to = end;
            if (s[to] == ',')
                to++; /* "key":v, -> drop the comma after */
            else if (s[from - 1] == ',')
                from--; /* the last member: drop the comma before */
            memmove(s + from, s + to, len - to + 1);
            return len - (to - from);
        }
        i = s[end] == ',' ? end + 1 : len;
    }
    return len;
}

/* A text goes out escaped a part at a time, each part written once the
 * line holds this much: a long document's line is never whole in memory
 * (one more buffer of its size, and a pass over it that misses the caches). */
#define TEXT_PART ((size_t)256 << 10)

static int flush_line(jwriter *w, cv_out *out)
{
    int rc = w->host->out_write(out, w->line.p, w->line.len);
    w->line.len = 0;
    return rc;
}

static cv_status jsonl_writer_write(void *p, const cv_doc *doc)
{
    jwriter *w = p;
    const cv_host *h = w->host;
    size_t len;
    const char *text = h->doc_text(doc, &len);
    cv_out *out = splitout_get(&w->outs, doc, NULL);
    if (!out)
        return CV_ERROR;
    /* source moves from metadata to the top level, where dolma and datatrove look */
    const char *source = h->meta_get_string(doc, "source");
    char *meta = h->meta_dump(doc, NULL);
    const char *id = h->doc_id(doc);
    w->line.len = 0;
    buf_adds(&w->line, "{\"id\":");
    buf_add_json(&w->line, id, strlen(id));
    buf_adds(&w->line, ",\"text\":\"");
    int bad = 0;
    for (size_t at = 0, n; at < len; at += n) {
        n = len - at < TEXT_PART ? len - at : TEXT_PART;
        buf_add_json_chars(&w->line, text + at, n);
        if (w->line.len >= TEXT_PART)
            bad |= flush_line(w, out) < 0;
    }
    buf_addc(&w->line, '"');
    buf_adds(&w->line, ",\"source\":");
    if (source)
        buf_add_json(&w->line, source, strlen(source));
    else
        buf_adds(&w->line, "null");
    buf_adds(&w->line, ",\"metadata\":");
    if (meta) {
        size_t mlen = strlen(meta);
        if (source)
            mlen = drop_member(meta, mlen, "source");
        buf_add(&w->line, meta, mlen);
    } else {
        buf_adds(&w->line, "{}");
    }
    h->free(meta);
    if (w->spans != SPANS_NONE)
        add_spans(w, doc, text, len);
    buf_adds(&w->line, "}\n");
    if (flush_line(w, out) < 0 || bad) {
        h->error(w->ctx, "write failed");
        return CV_ERROR;
    }
    return CV_OK;
}

static const cv_plugin jsonl_writer = {
    CV_PLUGIN_HEADER,
    .name = "jsonl",
    .kind = CV_WRITER,
    .version = "1.0.0",
    .description = "Writes JSON Lines for Hugging Face datasets / datatrove / dolma, one file per split",
    .optmap = writer_optmap,
    .create = jsonl_writer_create,
    .destroy = jsonl_writer_destroy,
    .write = jsonl_writer_write,
};

CONVERT_PLUGINS(&jsonl_reader, &jsonl_writer)
