/* literals.h -- words every match of a rule must contain, so that a line
 * holding none of them is not handed to PCRE2 at all. */
#ifndef BP_LITERALS_H
#define BP_LITERALS_H

#include <stddef.h>

/* The alternatives of one part of pattern that every match contains (a
 * group of plain words such as "(photo|image|credit)", or a run of plain
 * characters), each case-folded by lit_fold(); NULL when there is no such
 * part whose alternatives are all at least min_bytes long (the rule is then
 * always tried).  *nonletter_before (may be NULL): in every match the part
 * starts the line or follows a character that is no letter, because a
 * (?<!\w), a ^, a \b before a word character, or a mandatory \s, \d,
 * digit or punctuation mark comes just before it.  Free with lit_free(). */
char **lit_needles(const char *pattern, size_t min_bytes, size_t *n, int *nonletter_before);
void lit_free(char **needles, size_t n);

/* Case-fold s[0..len) into out, which has room for 2 * len + 4 bytes; the
 * new length.  Every character that PCRE2 matches caselessly with an ASCII
 * or basic Cyrillic letter (U+0400..U+045F) becomes that letter's lower
 * case (K and the long s, the rounded Cyrillic letters U+1C80.. too), so a
 * needle found in neither case cannot be in a match. */
size_t lit_fold(const char *s, size_t len, char *out);

/* In folded text f, can a needle found at i be one whose nonletter_before
 * holds, i.e. is i the start of f or the character before it not surely a
 * letter (ASCII a-z, or U+0400..U+047F)?  f[i] starts a character. */
int lit_after_nonletter(const char *f, size_t i);

/* Bit k of *starts: f[k] starts a character; of *after_nonletter: also
 * lit_after_nonletter(f, k); for k = 0..15.  Reads f[-2] to f[15]: the
 * caller pads; the bytes before the start of text must be spaces. */
void lit_classify16(const char *f, unsigned *starts, unsigned *after_nonletter);

#endif
