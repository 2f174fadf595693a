/* fold.h -- case folding of words without a call into utf8proc for most
 * scripts, and the stop-word lists as one hash table, for the stop-word
 * rule that looks up every word of every text. */
#ifndef CONVERT_QUALITY_FOLD_H
#define CONVERT_QUALITY_FOLD_H

#include <stddef.h>
#include <stdint.h>

#include "repetition.h"
#include "util.h"

/* The fold of every one- and two-byte character that folds alone, the same
 * way in any context: no combining class, and a fold made of such
 * characters (Latin, Greek, Cyrillic, Armenian, Hebrew, Arabic letters). */
typedef struct fold_table {
    unsigned char len[0x800]; /* 0: utf8proc decides */
    char out[0x800][6];
} fold_table;

void fold_table_init(fold_table *t);

/* s[0..len) as utf8proc_map(STABLE | COMPOSE | CASEFOLD) gives it, into b
 * (NUL-terminated, b->len its bytes); -1 where that fails. */
int fold_into(const fold_table *t, const char *s, size_t len, cv_buf *b);

/* Every stop-word list in one table: a word is folded and hashed once,
 * whatever the number of lists. */
typedef struct stop_index {
    struct stop_key {
        const char *word;
        uint64_t hash;
        int32_t hits; /* first of its (list, word) pairs in hit[], chained by next */
    } *keys;
    struct stop_hit {
        uint32_t list, word;
        int32_t next;
    } *hit;
    uint32_t *slots; /* key + 1; 0: empty */
    size_t nkeys, nhit, mask, nlists;
    size_t *off, *n, *longest; /* per list: its first byte in seen[], its words, its longest word */
    unsigned char *seen;
    size_t *found;
    cv_buf fold;
} stop_index;

/* lists[l][0..n[l]) are list l's folded words, distinct within a list. */
void stop_index_init(stop_index *ix, char **const *lists, const size_t *n, const size_t *longest, size_t nlists);
void stop_index_free(stop_index *ix);

/* The largest number of distinct words of one list among lists first..last-1
 * that the words w of s hold, folded.  A word longer than twice a list's
 * longest word plus 4 bytes is not looked up in that list. */
size_t stop_index_best(stop_index *ix, const fold_table *t, const char *s, const qword *w, size_t nw, size_t first,
                       size_t last);

#endif
