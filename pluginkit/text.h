/* text.h -- word counts and sentence ends, for the cleaning steps. */
#ifndef BP_TEXT_H
#define BP_TEXT_H

#include <stddef.h>

/* Whitespace-separated tokens that hold a letter or a digit. */
size_t count_words(const char *s, size_t len);
/* The same, but counting stops at max: enough to compare with thresholds. */
size_t count_words_max(const char *s, size_t len, size_t max);
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

#endif
