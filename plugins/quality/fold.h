/* fold.h -- case folding of words without a call into utf8proc for most
 * scripts, and the stop-word lists as one hash table, for the stop-word
 * rule that looks up every word of every text. */
#ifndef CONVERT_QUALITY_FOLD_H
#define CONVERT_QUALITY_FOLD_H

#include <stddef.h>
#include <stdint.h>

#include "repetition.h"
#include "util.h"

/* The fold of every character that folds alone, the same way in any
 * context: no combining class, and a fold made of such characters.  Two-byte
 * ones (Latin, Greek, Cyrillic, Armenian, Hebrew, Arabic letters) and the
 * three-byte ones of the blocks below (punctuation, symbols, CJK). */
#define FOLD_PUNCT 0x2000 /* U+2000..U+2BFF: punctuation, currency, arrows, symbols */
#define FOLD_PUNCT_END 0x2C00
#define FOLD_CJK_PUNCT 0x3000 /* U+3000..U+30FF: CJK punctuation, kana */
#define FOLD_CJK_PUNCT_END 0x3100
#define FOLD_CJK 0x4E00 /* U+4E00..U+9FFF: CJK ideographs, their own fold */
#define FOLD_CJK_END 0xA000
#define FOLD_WIDE 0xFF00 /* U+FF00..U+FFEF: half- and full-width forms */
#define FOLD_WIDE_END 0xFFF0
#define FOLD_SLOTS (0x800 + (FOLD_PUNCT_END - FOLD_PUNCT) + (FOLD_CJK_PUNCT_END - FOLD_CJK_PUNCT) + (FOLD_WIDE_END - FOLD_WIDE))
typedef struct fold_table {
    unsigned char len[FOLD_SLOTS]; /* 0: utf8proc decides */
    char out[FOLD_SLOTS][6];
    int cjk; /* the ideographs fold to themselves */
} fold_table;

/* The slot of code point c in the table, or -1 (CJK ideographs have none). */
static inline int fold_slot(unsigned c)
{
    if (c < 0x800)
        return (int)c;
    if (c >= FOLD_PUNCT && c < FOLD_PUNCT_END)
        return (int)(0x800 + c - FOLD_PUNCT);
    if (c >= FOLD_CJK_PUNCT && c < FOLD_CJK_PUNCT_END)
        return (int)(0x800 + (FOLD_PUNCT_END - FOLD_PUNCT) + c - FOLD_CJK_PUNCT);
    if (c >= FOLD_WIDE && c < FOLD_WIDE_END)
        return (int)(0x800 + (FOLD_PUNCT_END - FOLD_PUNCT) + (FOLD_CJK_PUNCT_END - FOLD_CJK_PUNCT) + c - FOLD_WIDE);
    return -1;
}

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
