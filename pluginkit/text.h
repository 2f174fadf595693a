/* text.h -- word counts and sentence ends, for the cleaning steps. */
#ifndef BP_TEXT_H
#define BP_TEXT_H

#include <stddef.h>

/* Whitespace-separated tokens that hold a letter or a digit. */
size_t count_words(const char *s, size_t len);
/* The same, but counting stops at max: enough to compare with thresholds. */
size_t count_words_max(const char *s, size_t len, size_t max);
/* count_words_max with other rules, flags of: */
#define WORDS_PY_SPLIT 1 /* Python's str.split(): white space is what str.isspace() says, every token a word */
#define WORDS_HAN_KANA 2 /* a Han or kana letter is a word by itself: Chinese and Japanese have no spaces */
size_t count_words_flags(const char *s, size_t len, size_t max, int flags);
/* Python's str.isspace() for one code point (what str.split() and str.strip() split at and remove);
 * inline, as the per-character loops that call it are hot. */
static inline int cp_py_space(int cp)
{
    return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20) || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
           (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F ||
           cp == 0x3000;
}
/* The Han and kana blocks (letters and marks alike). */
static inline int cp_han_kana(int cp)
{
    return (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x31F0 && cp <= 0x31FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFF66 && cp <= 0xFF9F) ||
           (cp >= 0x20000 && cp <= 0x3FFFF);
}
/* Of those, the ones that hold digits but no letters ("2023,", "01:12"). */
size_t count_numeric(const char *s, size_t len);
/* Ends with . ! ? or … (closing quotes and brackets looked through). */
int ends_sentence(const char *s, size_t len);
/* Holds a sentence end followed by a capitalised word: "... in Kyiv. The US ..." */
int has_inner_sentence_end(const char *s, size_t len);

/* Byte offset just past the last sentence end (mark plus closers) that is
 * followed by white space or the end; 0 when there is none. */
size_t last_sentence_end(const char *s, size_t len);
/* Letters (any script), for fractions. */
int cp_is_letter(int cp);
/* A letter or an ASCII digit: what a word is made of. */
int cp_is_alnum(int cp);
/* The code point lower-cased (utf8proc's simple mapping; ASCII without a lookup). */
int cp_lower(int cp);

#endif
