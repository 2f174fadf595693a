/* handoff.c -- documents between the phases of a phased run.
 *
 * Everything a later step or writer can see survives: id, text (NUL bytes
 * too), size as read, metadata, spans, and the document's place in the whole
 * input.  Length-prefixed binary, in the machine's byte order (the phases of
 * one run share a build): JSON with jansson was half of a sign task's time,
 * escaping and unescaping every byte of the text.
 *
 *   "CVH1" ord:u64 bytes_in:u64 id:str text:str8 meta:str nspans:u32
 *   then per span: start:u64 end:u64 flags:u32 type:str label:str
 *   str: u32 length + bytes (0xFFFFFFFF: NULL); str8: u64 length + bytes;
 *   meta is the metadata object as JSON text. */
#include "handoff.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "doc.h"

#define MAGIC "CVH1"
#define NO_STR 0xFFFFFFFFu

/* A record's fields gather here and go out in as few writes as its size
 * allows: a write per field was a tenth of a sign task. */
typedef struct rec {
    cv_out *o;
    size_t n;
    int bad;
    char buf[4096];
} rec;

static void flush(rec *r)
{
    if (r->n && !r->bad)
        r->bad = cv_out_write(r->o, r->buf, r->n) < 0;
    r->n = 0;
}

static void put(rec *r, const void *p, size_t n)
{
    if (r->n + n > sizeof r->buf) {
        flush(r);
        if (n > sizeof r->buf) {
            r->bad = r->bad || cv_out_write(r->o, p, n) < 0;
            return;
        }
    }
    memcpy(r->buf + r->n, p, n);
    r->n += n;
}

static void put_str(rec *r, const char *s)
{
    uint32_t n = s ? (uint32_t)strlen(s) : NO_STR;
    put(r, &n, sizeof n);
    if (s)
        put(r, s, n);
}

int cv_handoff_write(cv_out *o, const cv_doc *d)
{
    uint64_t len = d->len, ord = d->ord, in = d->bytes_in;
    uint32_t nspans = (uint32_t)d->nspans;
    char *meta = json_dumps(d->meta, JSON_COMPACT);
    if (!meta)
        return -1;
    rec r;
    r.o = o;
    r.n = 0;
    r.bad = 0;
    put(&r, MAGIC, 4);
    put(&r, &ord, sizeof ord);
    put(&r, &in, sizeof in);
    put_str(&r, d->id ? d->id : "");
    put(&r, &len, sizeof len);
    put(&r, d->text, d->len);
    put_str(&r, meta);
    put(&r, &nspans, sizeof nspans);
    free(meta);
    for (size_t i = 0; i < d->nspans; i++) {
        const cv_span *s = &d->spans[i];
        uint64_t start = s->start, end = s->end;
        uint32_t flags = s->flags;
        put(&r, &start, sizeof start);
        put(&r, &end, sizeof end);
        put(&r, &flags, sizeof flags);
        put_str(&r, s->type);
        put_str(&r, s->label);
    }
    flush(&r);
    return r.bad ? -1 : 0;
}

struct cv_handoff_in {
    FILE *f;
    char *name;
    char *buf; /* strings and texts as they are read */
    size_t cap;
    uint64_t left;  /* bytes of the file not read yet: no length read from it may ask for more
                     * (a damaged file would have us allocate terabytes) */
    uint64_t count; /* records read */
};

cv_handoff_in *cv_handoff_open(const char *path, cv_err *err)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f || fstat(fileno(f), &st) < 0) {
        cv_err_set(err, "cannot open '%s': %s", path, strerror(errno));
        if (f)
            fclose(f);
        return NULL;
    }
    cv_handoff_in *h = cv_xcalloc(1, sizeof *h);
    h->f = f;
    h->name = cv_xstrdup(path);
    h->left = (uint64_t)st.st_size;
    return h;
}

void cv_handoff_close(cv_handoff_in *h)
{
    if (!h)
        return;
    fclose(h->f);
    free(h->name);
    free(h->buf);
    free(h);
}

/* n bytes into p; -1 when the file has fewer. */
static int take(cv_handoff_in *h, void *p, size_t n)
{
    if (n > h->left || (n && fread(p, 1, n, h->f) != n))
        return -1;
    h->left -= n;
    return 0;
}

/* n bytes into h->buf, NUL-terminated. */
static int take_buf(cv_handoff_in *h, uint64_t n)
{
    if (n > h->left)
        return -1;
    if (h->cap < (size_t)n + 1) {
        h->cap = (size_t)n + 1;
        h->buf = cv_xrealloc(h->buf, h->cap);
    }
    if (take(h, h->buf, (size_t)n) < 0)
        return -1;
    h->buf[n] = '\0';
    return 0;
}

/* A string of at most max bytes into h->buf; 1 NULL, 0 ok, -1 bad. */
static int get_str(cv_handoff_in *h, size_t max)
{
    uint32_t n;
    if (take(h, &n, sizeof n) < 0)
        return -1;
    if (n == NO_STR)
        return 1;
    return n > max ? -1 : take_buf(h, n);
}

int cv_handoff_next(cv_handoff_in *h, cv_doc *d, cv_err *err)
{
    if (h->left == 0)
        return 0;
    char magic[4];
    uint64_t ord, in, len;
    uint32_t nspans;
    const char *why = "cut short";
    if (take(h, magic, 4) < 0)
        goto bad;
    if (memcmp(magic, MAGIC, 4)) {
        why = "not a hand-off record";
        goto bad;
    }
    if (take(h, &ord, sizeof ord) || take(h, &in, sizeof in) || get_str(h, 1u << 30))
        goto bad;
    cv_doc_set_id(d, h->buf);
    if (take(h, &len, sizeof len) || take_buf(h, len))
        goto bad;
    if (cv_doc_set_text(d, h->buf, (size_t)len) < 0) { /* checked by sign; again, as a damaged file may hold anything */
        why = "its text is not valid UTF-8";
        goto bad;
    }
    if (get_str(h, 1u << 30))
        goto bad;
    json_error_t je;
    json_t *meta = json_loads(h->buf, 0, &je);
    if (!json_is_object(meta)) {
        json_decref(meta);
        why = "its metadata is not a JSON object";
        goto bad;
    }
    json_decref(d->meta);
    d->meta = meta;
    d->ord = ord;
    d->bytes_in = in;
    if (take(h, &nspans, sizeof nspans) || nspans > h->left / 28)
        goto bad; /* a span takes 28 bytes at least */
    for (uint32_t i = 0; i < nspans; i++) {
        uint64_t start, end;
        uint32_t flags;
        if (take(h, &start, sizeof start) || take(h, &end, sizeof end) || take(h, &flags, sizeof flags) ||
            get_str(h, 1u << 20))
            goto bad;
        char *type = cv_xstrdup(h->buf);
        int has_label = get_str(h, 1u << 20);
        cv_span s = {(size_t)start, (size_t)end, type, has_label == 0 ? h->buf : NULL, flags};
        int rc = has_label < 0 ? -1 : cv_span_add(d, &s);
        free(type);
        if (rc < 0) {
            why = "a span is not a span of the text";
            goto bad;
        }
    }
    h->count++;
    return 1;
bad:
    cv_err_set(err, "%s: document %llu: %s", h->name, (unsigned long long)h->count + 1,
               ferror(h->f) ? "read error" : why);
    return -1;
}
