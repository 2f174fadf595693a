/* lookalike.h -- repair words that mix scripts with look-alike letters: a
 * Latin or Greek letter that looks like a Cyrillic one inside a Cyrillic
 * word (a Russian word typed with a Latin p, or with a Greek omicron for its
 * o), and a Cyrillic letter inside a Latin word.  Which letters look alike comes from
 * Unicode's confusables data (UTS #39) as ICU's spoof checker carries it,
 * not from a hand list. */
#ifndef CV_NORMALIZE_LOOKALIKE_H
#define CV_NORMALIZE_LOOKALIKE_H

#include <stddef.h>

#include "util.h"

typedef struct lookalike lookalike;

/* NULL with a message in err when ICU cannot give the data. */
lookalike *lookalike_new(char *err, size_t errlen);
void lookalike_free(lookalike *l);

/* Rewrite s into out (cleared first) with mixed words repaired; the number
 * of letters replaced (0: out is untouched and s stands). */
size_t lookalike_repair(const lookalike *l, const char *s, size_t len, cv_buf *out);

#endif
