/* ngram.h -- an index of the word n-grams of benchmark items, and the scan
 * of a text against it.  Nothing here knows about the host API. */
#ifndef DC_NGRAM_H
#define DC_NGRAM_H

#include <stddef.h>
#include <stdint.h>

#define NG_MAX_N 64

/* Words as GPT-3's and NeMo Curator's decontamination compare them: lower
 * case; punctuation and symbols deleted ("U.S." is "us", "don't" "dont");
 * white space between words.  The hash of the next word of s[*pos..len),
 * or 0 at the end. */
uint64_t ng_next_word(const char *s, size_t len, size_t *pos, char **buf, size_t *cap);

typedef struct ng_row {
    uint32_t bench; /* index into the benchmark names */
    uint32_t line;  /* 1-based line of its file */
    char *snippet;  /* the row's first words, for the drop's detail */
} ng_row;

typedef struct ng_index {
    uint64_t *keys; /* 0: empty */
    uint32_t *rows;
    size_t cap, n;
    int ngram;
    uint64_t short_lengths; /* bit k: items of k words are indexed whole */
    uint64_t pow[NG_MAX_N + 1]; /* B^k, for rolling hashes */
    ng_row *row;
    size_t nrows, rowcap;
    uint64_t *filter; /* one bit per key's top bits: most windows are answered here, in cache */
    int filter_shift;
} ng_index;

void ng_init(ng_index *x, int ngram);
void ng_free(ng_index *x);
/* Index the item of `nwords` word hashes as row r: every n-gram, or the
 * whole item when it is shorter than n.  Returns the keys added. */
size_t ng_add_item(ng_index *x, const uint64_t *words, size_t nwords, uint32_t r);
/* Build the filter once every item is in (ng_find works without it). */
void ng_finish(ng_index *x);
/* The row of the first indexed n-gram (or whole short item) in s, or -1. */
int64_t ng_find(const ng_index *x, const char *s, size_t len, char **buf, size_t *cap);
size_t ng_bytes(const ng_index *x);

#endif
