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

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "doc.h"

#define MAGIC "CVH1"
#define NO_STR 0xFFFFFFFFu

static int put(cv_out *o, const void *p, size_t n) { return n ? cv_out_write(o, p, n) : 0; }

static int put_str(cv_out *o, const char *s)
{
    uint32_t n = s ? (uint32_t)strlen(s) : NO_STR;
    return put(o, &n, sizeof n) || (s && put(o, s, n));
}

int cv_handoff_write(cv_out *o, const cv_doc *d)
{
    uint64_t len = d->len, ord = d->ord, in = d->bytes_in;
    uint32_t nspans = (uint32_t)d->nspans;
    char *meta = json_dumps(d->meta, JSON_COMPACT);
    int bad = !meta || put(o, MAGIC, 4) || put(o, &ord, sizeof ord) || put(o, &in, sizeof in) ||
              put_str(o, d->id ? d->id : "") || put(o, &len, sizeof len) || put(o, d->text, d->len) ||
              put_str(o, meta) || put(o, &nspans, sizeof nspans);
    free(meta);
    for (size_t i = 0; i < d->nspans && !bad; i++) {
        const cv_span *s = &d->spans[i];
        uint64_t start = s->start, end = s->end;
        uint32_t flags = s->flags;
        bad = put(o, &start, sizeof start) || put(o, &end, sizeof end) || put(o, &flags, sizeof flags) ||
              put_str(o, s->type) || put_str(o, s->label);
    }
    return bad ? -1 : 0;
}

/* Bytes left in f: no length read from it may ask for more (a damaged file
 * would have us allocate terabytes). */
static uint64_t left(FILE *f)
{
    struct stat st;
    long at = ftell(f);
    return fstat(fileno(f), &st) == 0 && at >= 0 && st.st_size >= at ? (uint64_t)(st.st_size - at) : 0;
}

/* A string of at most max bytes into *buf (grown as needed); 1 NULL, 0 ok, -1 bad. */
static int get_str(FILE *f, char **buf, size_t *cap, size_t max)
{
    uint32_t n;
    if (fread(&n, sizeof n, 1, f) != 1)
        return -1;
    if (n == NO_STR)
        return 1;
    if (n > max || n > left(f))
        return -1;
    if (*cap < (size_t)n + 1) {
        *cap = (size_t)n + 1;
        *buf = cv_xrealloc(*buf, *cap);
    }
    if (n && fread(*buf, 1, n, f) != n)
        return -1;
    (*buf)[n] = '\0';
    return 0;
}

int cv_handoff_read(FILE *f, const char *name, cv_doc *d, char **buf, size_t *cap, uint64_t *count, cv_err *err)
{
    char magic[4];
    size_t got = fread(magic, 1, 4, f);
    if (got == 0 && feof(f))
        return 0;
    uint64_t ord, in, len;
    uint32_t nspans;
    const char *why = "cut short";
    if (got != 4 || memcmp(magic, MAGIC, 4)) {
        why = "not a hand-off record";
        goto bad;
    }
    if (fread(&ord, sizeof ord, 1, f) != 1 || fread(&in, sizeof in, 1, f) != 1 || get_str(f, buf, cap, 1u << 30))
        goto bad;
    cv_doc_set_id(d, *buf);
    if (fread(&len, sizeof len, 1, f) != 1 || len > left(f))
        goto bad;
    if (*cap < (size_t)len + 1) {
        *cap = (size_t)len + 1;
        *buf = cv_xrealloc(*buf, *cap);
    }
    if (len && fread(*buf, 1, (size_t)len, f) != len)
        goto bad;
    if (cv_doc_set_text(d, *buf, (size_t)len) < 0) { /* checked by sign; again, as a damaged file may hold anything */
        why = "its text is not valid UTF-8";
        goto bad;
    }
    if (get_str(f, buf, cap, 1u << 30))
        goto bad;
    json_error_t je;
    json_t *meta = json_loads(*buf, 0, &je);
    if (!json_is_object(meta)) {
        json_decref(meta);
        why = "its metadata is not a JSON object";
        goto bad;
    }
    json_decref(d->meta);
    d->meta = meta;
    d->ord = ord;
    d->bytes_in = in;
    if (fread(&nspans, sizeof nspans, 1, f) != 1 || nspans > left(f) / 28)
        goto bad; /* a span takes 28 bytes at least */
    for (uint32_t i = 0; i < nspans; i++) {
        uint64_t start, end;
        uint32_t flags;
        if (fread(&start, sizeof start, 1, f) != 1 || fread(&end, sizeof end, 1, f) != 1 ||
            fread(&flags, sizeof flags, 1, f) != 1 || get_str(f, buf, cap, 1u << 20))
            goto bad;
        char *type = cv_xstrdup(*buf);
        int has_label = get_str(f, buf, cap, 1u << 20);
        cv_span s = {(size_t)start, (size_t)end, type, has_label == 0 ? *buf : NULL, flags};
        int rc = has_label < 0 ? -1 : cv_span_add(d, &s);
        free(type);
        if (rc < 0) {
            why = "a span is not a span of the text";
            goto bad;
        }
    }
    ++*count;
    return 1;
bad:
    cv_err_set(err, "%s: document %llu: %s", name, (unsigned long long)*count + 1, ferror(f) ? "read error" : why);
    return -1;
}
