/* config.h -- the YAML config as a tree of nodes that remember where they came from. */
#ifndef CV_CONFIG_H
#define CV_CONFIG_H

#include <stddef.h>

#include "err.h"

typedef enum cv_node_kind { CV_NODE_SCALAR, CV_NODE_SEQ, CV_NODE_MAP } cv_node_kind;

typedef struct cv_node cv_node;
struct cv_node {
    cv_node_kind kind;
    int line, col;   /* 1-based */
    char *value;     /* scalars */
    int plain;       /* scalar written without quotes (so `yes` may be a bool) */
    size_t n;        /* items (sequences) or pairs (maps) */
    cv_node **items; /* sequence items, or map values */
    cv_node **keys;  /* map keys (scalars) */
};

/* One stage of the pipeline as written: `plugin: NAME` plus its options. */
typedef struct cv_stage {
    const char *plugin; /* borrowed from the tree */
    cv_node *node;      /* the stage's map */
} cv_stage;

typedef struct cv_config {
    char *path; /* as given */
    char *dir;  /* the config's folder: relative paths resolve against it */
    cv_node *root;
    cv_stage reader;
    cv_stage *steps;
    size_t nsteps;
    cv_stage *writers;
    size_t nwriters;
    char *output;      /* output folder (resolved), NULL: not set */
    int threads;       /* 0: not set */
    int on_error_abort;
    cv_node *card;     /* card: what the dataset card says beyond the counts; NULL: not set */
} cv_config;

/* Parse YAML text into a tree.  `name` is used in messages.  Anchors and
 * aliases are refused (they are how "billion laughs" configs explode), and so
 * is nesting deeper than 64. */
cv_node *cv_yaml_parse(const char *text, size_t len, const char *name, cv_err *err);
void cv_node_free(cv_node *n);
cv_node *cv_node_get(const cv_node *map, const char *key); /* NULL if absent or not a map */

/* Load and check the config's shape (not plugin options: see options.h). */
cv_config *cv_config_load(const char *path, cv_err *err);
/* The same from text already in memory; `path` names it and sets its folder. */
cv_config *cv_config_parse(const char *text, size_t len, const char *path, cv_err *err);
void cv_config_free(cv_config *c);

/* A whole file, NUL-terminated (caller frees); `what` names it in errors
 * ("config"), max bounds it (0: no bound).  NULL with err on failure. */
char *cv_read_file(const char *path, const char *what, size_t max, size_t *len, cv_err *err);

/* Worker threads, as `threads:` and -j take them: a whole number from 1 to
 * CV_THREADS_MAX, else -1. */
#define CV_THREADS_MAX 256
int cv_parse_threads(const char *s);

/* Resolve `p` against `dir` unless it is absolute.  Caller frees. */
char *cv_path_join(const char *dir, const char *p);

#endif
