/* doc.h -- the document: the one struct every stage works on. */
#ifndef CV_DOC_H
#define CV_DOC_H

#include <jansson.h>
#include <stdint.h>

#include "convert/plugin.h"

struct cv_doc {
    uint64_t seq; /* position in this run's input; orders output whatever the thread count */
    uint64_t ord; /* place in the whole input across shards and phases (host->doc_order) */
    size_t at;    /* index of the next step to run (pipeline.c) */
    size_t prepared; /* 1 + index of the serial step whose prepare() ran on it, 0: none */
    char *id;
    char *text; /* always NUL-terminated */
    size_t len, cap;
    uint64_t bytes_in; /* size as read, for the report */
    json_t *meta;      /* an object */
    cv_span *spans;
    size_t nspans, cspans;
    char **strs; /* interned span types and labels: a handful per document */
    size_t nstrs;
    char *drop_reason; /* "plugin:reason" once dropped */
    char *drop_detail;
    const char *stage; /* plugin name of the stage running it, for drop reasons */
    void *scratch;     /* a serial step's prepare() result, for its process() */
    void (*scratch_free)(void *p);
    void *retired; /* the scratch of a step done with it, freed with the document (see cv_doc_retire_scratch) */
    void (*retired_free)(void *p);
    unsigned char reading;   /* inside a reader's next(): doc_text_room() may be used */
    unsigned char unchecked; /* text from doc_text_room(), UTF-8 not checked yet */
    unsigned char settled;   /* the reader's share after next() is done (pipeline.c settle_doc) */
    unsigned text_flags;     /* CV_TEXT_* of the last doc_text_room() */
};

cv_doc *cv_doc_new(void);
void cv_doc_free(cv_doc *d);

/* The document half of the host table. */
const char *cv_doc_id(const cv_doc *d);
uint64_t cv_doc_order(const cv_doc *d);
int cv_doc_set_id(cv_doc *d, const char *id);
const char *cv_doc_text(const cv_doc *d, size_t *len);
int cv_doc_set_text(cv_doc *d, const char *text, size_t len);
int cv_doc_set_text_unchecked(cv_doc *d, const char *text, size_t len);
char *cv_doc_text_room(cv_doc *d, size_t len, unsigned flags);
/* The check doc_text_room() put off: a text that is not valid UTF-8 is
 * repaired or the document dropped (reason under d->stage).  Returns the
 * bytes repaired. */
size_t cv_doc_check_text(cv_doc *d);
void cv_doc_drop(cv_doc *d, const char *reason, const char *detail);
int cv_meta_set_string(cv_doc *d, const char *key, const char *value);
int cv_meta_set_int(cv_doc *d, const char *key, int64_t value);
int cv_meta_set_float(cv_doc *d, const char *key, double value);
int cv_meta_set_bool(cv_doc *d, const char *key, int value);
int cv_meta_set_json(cv_doc *d, const char *key, const char *json);
const char *cv_meta_get_string(const cv_doc *d, const char *key);
char *cv_meta_dump(const cv_doc *d, const char *key);
void cv_doc_set_scratch(cv_doc *d, void *p, void (*free_fn)(void *p));
/* The step that had the scratch is done with it: no one sees it again, and
 * it is freed with the document, by the thread that frees that. */
void cv_doc_retire_scratch(cv_doc *d);
void *cv_doc_scratch(const cv_doc *d);
int cv_span_add(cv_doc *d, const cv_span *s);
size_t cv_span_count(const cv_doc *d);
int cv_span_get(const cv_doc *d, size_t i, cv_span *out);

#endif
