/* lists.h -- the lists of the urlfilter step, read once, and the checks of
 * one URL against them.  Nothing here knows about the host API. */
#ifndef URL_LISTS_H
#define URL_LISTS_H

#include <stddef.h>
#include <stdint.h>

#include "strset.h"

typedef struct uf_config {
    const char *blocklist; /* UT1 layout: DIR/<category>/domains and /urls; may be NULL */
    const char *const *categories;
    size_t ncategories; /* 0: every category in the folder */
    const char *allow, *banned_words, *banned_subwords, *soft_banned_words, *false_positives; /* NULL: none */
    int64_t soft_threshold;
    int strict; /* a malformed line is an error, not a count */
} uf_config;

/* Words matched at every length the list has; a list holds up to this many lengths. */
#define UF_MAX_LENGTHS 64

typedef struct uf_words {
    strset set;
    uint8_t lengths[UF_MAX_LENGTHS];
    size_t nlengths;
} uf_words;

typedef struct uf_lists {
    strset domains, urls, allow_domains, allow_urls;
    uf_words words, subwords, soft, fps;
    char **categories;
    size_t ncategories;
    int64_t soft_threshold;
    uint64_t malformed, entries;
} uf_lists;

/* NULL with a message (naming the file and line) in err. */
uf_lists *uf_load(const uf_config *c, char *err, size_t errcap);
void uf_free(uf_lists *l);

typedef struct uf_verdict {
    const char *reason; /* NULL: pass; else a category, "banned_word", "banned_subword", "soft_banned_words" */
    int allowed;        /* it would have been dropped, but the allowlist has it */
    char detail[320];   /* the entry that matched */
} uf_verdict;

/* Buffers of one instance, reused from URL to URL. */
typedef struct uf_scratch {
    char *lower, *norm, *key;
    uint32_t *cover;
    size_t cap;
} uf_scratch;

void uf_check(const uf_lists *l, const char *url, size_t len, uf_scratch *s, uf_verdict *v);
void uf_scratch_free(uf_scratch *s);

#endif
