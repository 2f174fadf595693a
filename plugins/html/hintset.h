/* hintset.h -- the class and id words of config/html/hints.yaml, as one
 * trie: which lists have a word that a token of a class or id names, in
 * time linear in the token, whatever the number of words.  A word of fewer
 * than four bytes names a token equal to it; a longer one, a token it
 * begins ("comment" names "comments"). */
#ifndef CV_HTML_HINTSET_H
#define CV_HTML_HINTSET_H

#include <stddef.h>

typedef struct hint_set hint_set;

/* The words of nlists lists (lists[i] holds counts[i] of them, at most 32
 * lists), list i being bit i of what hint_set_match returns.  Empty words
 * name nothing. */
hint_set *hint_set_new(char *const *const lists[], const size_t counts[], size_t nlists);
void hint_set_free(hint_set *s);

/* The lists with a word that names the k bytes of tok, as bits; 0 when
 * none does (and for a NULL set). */
unsigned hint_set_match(const hint_set *s, const char *tok, size_t k);

#endif
