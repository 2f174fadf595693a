/* rules.h -- boilerplate's pattern rules: loaded from YAML, compiled with
 * PCRE2, and offered a line only when they can match it (an anchored rule
 * whose first character cannot begin a match, or a rule none of whose
 * needles (literals.h) the line holds, is not tried).  What a match does to
 * the lines is boilerplate.c's. */
#ifndef BP_RULES_H
#define BP_RULES_H

#include <stddef.h>

#include <pcre2.h>

#include "convert/plugin.h"

typedef enum { ACT_LINE, ACT_STRIP, ACT_CUT, ACT_BLOCK } action;

typedef struct rule {
    char *counter; /* "removed:<name>" */
    action act;
    int previous; /* also remove a short line just before */
    size_t max_bytes; /* longer lines are not tried (0: all lines) */
    size_t tail;      /* only the last this many bytes of a line are searched (0: all) */
    pcre2_code *re;
    int anchored; /* the pattern starts with ^ */
    int filtered; /* has needles: tried only on lines holding one of them */
    int anywhere; /* ...which may follow a letter */
    char **needs; /* needs: tried only on lines holding one of these strings (NULL: all) */
    size_t nneeds;
} rule;

typedef struct rules rules;

/* The rules of a YAML file, or of every *.yaml file of a folder, in file
 * order; max_bytes for rules without their own.  NULL after host->error. */
rules *rules_load(const cv_host *host, cv_ctx *ctx, const char *path, size_t max_bytes);
void rules_free(rules *r);

size_t rules_count(const rules *r);
const rule *rules_at(const rules *r, size_t k);

/* A new line (or the current one, changed by a strip): which rules may match it. */
void rules_line(rules *r, const char *s, size_t len);

/* The next rule from k on, strip rules or the others, that may match line
 * s (as given to rules_line); rules_count() when there is none. */
enum { RULES_STRIP, RULES_OTHER };
size_t rules_next(rules *r, const char *s, size_t len, int which, size_t k);

/* Does rule k match s?  Where, in [*start, *end).  A match over PCRE2's work
 * limits is counted as regex_limit_hit and is no match. */
int rules_match(rules *r, size_t k, const char *s, size_t len, size_t *start, size_t *end);

/* Is the word s[0..len) one of the months the files list (months:, any
 * case)? */
int rules_month(const rules *r, const char *s, size_t len);

#endif
