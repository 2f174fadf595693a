/* handoff.c -- documents between the phases of a phased run, one JSON line each.
 *
 * Everything a later step or writer can see survives: id, text (NUL bytes
 * too), size as read, metadata, spans, and the document's place in the whole
 * input.  JSON rather than a binary layout so that a user can read the work
 * files with jq when a phase goes wrong. */
#include "handoff.h"

#include <stdlib.h>
#include <string.h>

#include "doc.h"

int cv_handoff_write(cv_out *o, const cv_doc *d)
{
    json_t *spans = json_array();
    for (size_t i = 0; i < d->nspans; i++) {
        const cv_span *s = &d->spans[i];
        json_array_append_new(spans, json_pack("[I, I, s, s?, i]", (json_int_t)s->start, (json_int_t)s->end, s->type,
                                               s->label, (int)s->flags));
    }
    json_t *j = json_pack("{s:I, s:s, s:s%, s:I, s:O, s:o}", "ord", (json_int_t)d->ord, "id", d->id ? d->id : "",
                          "text", d->text, d->len, "bytes_in", (json_int_t)d->bytes_in, "meta", d->meta, "spans", spans);
    char *line = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    int rc = line && cv_out_write(o, line, strlen(line)) == 0 && cv_out_write(o, "\n", 1) == 0 ? 0 : -1;
    free(line);
    return rc;
}

int cv_handoff_read(FILE *f, const char *name, cv_doc *d, char **buf, size_t *cap, uint64_t *lineno, cv_err *err)
{
    ssize_t n = getline(buf, cap, f);
    if (n < 0)
        return ferror(f) ? (cv_err_set(err, "%s: read error", name), -1) : 0;
    ++*lineno;
    json_error_t je;
    json_t *j = json_loadb(*buf, (size_t)n, JSON_ALLOW_NUL, &je);
    json_t *text = json_object_get(j, "text"), *meta = json_object_get(j, "meta"), *spans = json_object_get(j, "spans");
    const char *id = json_string_value(json_object_get(j, "id"));
    if (!json_is_string(text) || !id || !json_is_object(meta) || !json_is_array(spans) ||
        !json_is_integer(json_object_get(j, "ord"))) {
        cv_err_set(err, "%s:%llu: not a hand-off document%s%s", name, (unsigned long long)*lineno, j ? "" : ": ",
                   j ? "" : je.text);
        json_decref(j);
        return -1;
    }
    d->ord = (uint64_t)json_integer_value(json_object_get(j, "ord"));
    d->bytes_in = (uint64_t)json_integer_value(json_object_get(j, "bytes_in"));
    cv_doc_set_id(d, id);
    cv_doc_set_text_unchecked(d, json_string_value(text), json_string_length(text)); /* jansson checked it */
    json_decref(d->meta);
    d->meta = json_incref(meta);
    size_t i;
    json_t *s;
    json_array_foreach(spans, i, s) {
        json_int_t start, end;
        const char *type, *label = NULL;
        int flags;
        if (json_unpack(s, "[I, I, s, s?, i]", &start, &end, &type, &label, &flags) < 0 || start < 0 || end < start ||
            (size_t)end > d->len) {
            cv_err_set(err, "%s:%llu: span %zu is not a span of the text", name, (unsigned long long)*lineno, i);
            json_decref(j);
            return -1;
        }
        cv_span sp = {(size_t)start, (size_t)end, type, label, (uint32_t)flags};
        cv_span_add(d, &sp);
    }
    json_decref(j);
    return 1;
}
