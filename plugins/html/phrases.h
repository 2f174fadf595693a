/* phrases.h -- a list of phrases (config/html/hints.yaml's appendix:), and
 * whether a line begins with one as whole words, in any letter case: the
 * titles a site puts over what it appends to every article ("Mehr zum
 * Thema", "Related posts"): each letter lower-cased,
 * in any script. */
#ifndef CV_HTML_PHRASES_H
#define CV_HTML_PHRASES_H

#include <stddef.h>

typedef struct phrase_list phrase_list;

/* A copy of the n phrases, case-folded; empty ones are left out. */
phrase_list *phrase_list_new(char *const *phrases, size_t n);
void phrase_list_free(phrase_list *l);

/* Whether the len bytes of t (valid UTF-8) begin with a phrase of l,
 * followed by the end or by a character that is no letter or digit (NULL
 * l: never). */
int phrase_list_starts(const phrase_list *l, const char *t, size_t len);

#endif
