/* repetition.h -- Gopher's repetition measures (Rae et al., 2021, table A1),
 * computed as datatrove's GopherRepetitionFilter computes them, so that the
 * numbers carry over: paragraphs are the pieces of the stripped text between
 * runs of two or more newlines, lines the pieces between runs of newlines,
 * lengths are in code points, and every fraction of characters is over the
 * whole text's length.  Words are datatrove's word tokenizer's job there
 * (NLTK or spaCy); here they are the whitespace-separated chunks with the
 * punctuation at their edges split off, one token per mark. */
#ifndef CV_QUALITY_REPETITION_H
#define CV_QUALITY_REPETITION_H

#include <stddef.h>
#include <stdint.h>

/* 8 bytes a word: a long text has millions of them, each first-touched
 * once; their hashes are kept a distinct word each (rep_scratch's wph). */
typedef struct qword {
    uint32_t off, len; /* bytes in the text */
} qword;

/* Word tokens of s: *words grows as needed (free() it); their number (none
 * in a text over 4 GB, which max_doc_bytes never lets through). */
size_t rep_words(const char *s, size_t len, qword **words, size_t *cap);

#define REP_TOP_MIN 2 /* top n-gram fractions for n = 2..4 */
#define REP_TOP_MAX 4
#define REP_DUP_MIN 5 /* duplicate n-gram fractions for n = 5..10 */
#define REP_DUP_MAX 10

typedef struct repetition {
    double dup_line_frac, dup_para_frac, dup_line_char_frac, dup_para_char_frac;
    double top_gram[REP_TOP_MAX - REP_TOP_MIN + 1];
    double dup_gram[REP_DUP_MAX - REP_DUP_MIN + 1];
} repetition;

/* A hash table and buffers reused across documents.  The table grows
 * with the number of distinct elements, not of elements, so a long text of
 * few distinct n-grams keeps it in cache; the buffers only grow, so a long
 * text faults their pages in once (name_cap: bytes). */
typedef struct rep_scratch {
    struct rep_slot *slots, *spare; /* the table, and where it is rehashed to when it doubles */
    size_t cap, spare_cap;           /* slots allocated */
    size_t size, used;               /* slots in use (a power of two), elements in them */
    uint32_t *wid, *cls;             /* a number a word; the classes of the n-grams (those of the n-1-grams before) */
    uint64_t *wph;                   /* polynomial hashes of the bytes: a word number's (a short text: a word's) */
    uint64_t *keys, *hp;             /* n-grams split into parts: their keys (then classes), bytes' hashes and positions */
    uint16_t *pt;                    /* each n-gram's part */
    uint32_t *cnt;                   /* how often each class occurs, or its first n-gram */
    uint64_t *seen;                  /* a bit a class */
    size_t *at, *cur;                /* where each part starts, where its next n-gram goes */
    size_t *pst, *pen;               /* paragraphs' or lines' starts and ends (rep_measure's pieces) */
    size_t pst_cap, pen_cap;
    size_t wid_cap, wph_cap, cls_cap, keys_cap, hp_cap, pt_cap, cnt_cap, seen_cap, at_cap, cur_cap;
} rep_scratch;

/* datatrove's find_duplicates over the pieces [starts[i], ends[i]) of s:
 * how many repeat an earlier piece, and their characters (code points). */
void rep_duplicates(const char *s, const size_t *starts, const size_t *ends, size_t n, rep_scratch *sc, size_t *dups,
                    size_t *dup_chars);

/* total: the text's length in code points. */
void rep_measure(const char *s, size_t len, size_t total, const qword *w, size_t nw, rep_scratch *sc,
                 repetition *out);
void rep_scratch_free(rep_scratch *sc);

/* How many lines s has at most: its line breaks plus one (its bytes plus
 * one, for a text under 64 kB). */
size_t rep_lines_bound(const char *s, size_t len);

/* Python's lstrip() / rstrip() of s[a, b): the new start, the new end. */
size_t rep_py_lstrip(const char *s, size_t a, size_t b);
size_t rep_py_rstrip(const char *s, size_t a, size_t b);

#endif
