/* literals.h -- words every match of a rule must contain, so that a line
 * holding none of them is not handed to PCRE2 at all. */
#ifndef BP_LITERALS_H
#define BP_LITERALS_H

#include <stddef.h>

/* The alternatives of one part of pattern that every match contains (a
 * group of plain words such as "(photo|image|credit)", or a run of plain
 * characters), each case-folded by lit_fold(); NULL when there is no such
 * part whose alternatives are all at least min_bytes long (the rule is then
 * always tried).  Free with lit_free(). */
char **lit_needles(const char *pattern, size_t min_bytes, size_t *n);
void lit_free(char **needles, size_t n);

/* Case-fold s[0..len) into out, which has room for 2 * len + 4 bytes; the
 * new length.  Every character that PCRE2 matches caselessly with an ASCII
 * or basic Cyrillic letter (U+0400..U+045F) becomes that letter's lower
 * case (K and the long s, the rounded Cyrillic letters U+1C80.. too), so a
 * needle found in neither case cannot be in a match. */
size_t lit_fold(const char *s, size_t len, char *out);

#endif
