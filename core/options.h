/* options.h -- a stage's config checked against the plugin's declared option table. */
#ifndef CV_OPTIONS_H
#define CV_OPTIONS_H

#include "config.h"

typedef struct cv_optval {
    const cv_optmap *decl;
    int set;       /* given in the config (or by an override) */
    int has_value; /* set, or has a default */
    char *str;     /* STRING, PATH (resolved) */
    int64_t i;     /* INT, SIZE */
    double f;      /* FLOAT */
    int b;         /* BOOL */
    char **list;   /* LIST */
    size_t nlist;
} cv_optval;

typedef struct cv_opts {
    size_t n;
    cv_optval *v;
} cv_opts;

/* Check `stage` (a map, or a bare plugin-name scalar) against `table`:
 * unknown keys, wrong types, values outside an option's choices or range and
 * missing required options are errors located at FILE:LINE:COL that name the
 * plugin and the key.  Relative PATH options resolve against `dir`. */
cv_opts *cv_opts_parse(const cv_optmap *table, const cv_node *stage, const char *plugin, const char *file,
                       const char *dir, cv_err *err);
/* The same, with option `given` (may be NULL) to be set from the command
 * line later: it may be missing although required (-i gives a reader's path). */
cv_opts *cv_opts_parse_given(const cv_optmap *table, const cv_node *stage, const char *plugin, const char *file,
                             const char *dir, const char *given, cv_err *err);
/* Set `key` from a command-line value, as if written in the config. */
int cv_opts_override(cv_opts *o, const char *key, const char *value, cv_err *err);
cv_optval *cv_opts_find(const cv_opts *o, const char *key);
void cv_opts_free(cv_opts *o);

/* Checks a plugin's table itself: known types, choices and ranges that make
 * sense, defaults that parse and satisfy them. */
int cv_opts_check_table(const cv_optmap *table, const char *plugin, cv_err *err);

/* The two views of a table: an option map from a pre-1.5 option table (no
 * offsets, no constraints), and the option table of a map.  Each returns a
 * NULL-keyed array the caller frees (the strings stay the plugin's). */
cv_optmap *cv_optmap_from_options(const cv_option *table);
cv_option *cv_options_from_optmap(const cv_optmap *map);

/* host->opt_load: every value at its offset in `conf`. */
void cv_opts_load(const cv_opts *o, void *conf);

const char *cv_opt_type_name(cv_opt_type t);
/* "64M" -> 67108864; -1 when not a size. */
int64_t cv_parse_size(const char *s);

#endif
