/* harness.h -- drive one plugin through the same host API the core gives it. */
#ifndef CV_TEST_HARNESS_H
#define CV_TEST_HARNESS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "doc.h"
#include "host.h"

typedef struct th_plugin {
    cv_registry *reg;
    const cv_plugin *desc;
    cv_opts *opts;
    cv_ctx ctx;
    void *inst;
    cv_outset *outs;
    cv_report *report;
    char error[1024]; /* create() failure message */
} th_plugin;

/* Load plugin `name` of `kind` from the build tree and create an instance
 * with options given as YAML text (a mapping; "" for none).  Outputs go to
 * `outdir` (may be NULL for readers and steps).  On create() failure returns
 * the struct with inst == NULL and the message in ->error. */
th_plugin *th_open(cv_kind kind, const char *name, const char *yaml, const char *outdir);
/* Why the plugin refuses these options: the core's option check (a choice,
 * a range, a type) or create()'s error; NULL when it opens.  The text lives
 * until the next call. */
const char *th_refusal(cv_kind kind, const char *name, const char *yaml, const char *outdir);
/* Fail the test unless create() (or the option check) refuses these
 * options with a message that contains `want`. */
void th_expect_refusal(cv_kind kind, const char *name, const char *yaml, const char *want);
void th_close(th_plugin *p);
/* Commit outputs (writers); 0 on success. */
int th_commit(th_plugin *p);

/* A reader's next document, read as the pipeline reads it: next() and,
 * as a worker would, the reader's prepare() and the check of a text read
 * with doc_text_room().  Either may drop it: see d->drop_reason. */
cv_status th_next(th_plugin *p, cv_doc *d);
/* A step on one text: returns the status and leaves the doc for inspection. */
cv_doc *th_doc(const char *id, const char *text);
cv_status th_process(th_plugin *p, cv_doc *d);

/* The error the core gives for options `yaml` of a plugin at config time
 * (a choice, a range, a type), "" when they are accepted.  Static buffer. */
const char *th_opts_error(cv_kind kind, const char *name, const char *yaml);

/* Helpers for tests. */
char *th_slurp(const char *path, size_t *len); /* NULL if missing */
/* th_slurp of file name under dir: what a committed writer left there. */
char *th_output(const char *dir, const char *name, size_t *len);
char *th_tmpdir(void);                         /* a fresh folder; caller frees */
/* Write text to dir/rel, making the folders of rel on the way (a list, a
 * benchmark file, a blocklist tree for a plugin to open). */
void th_write(const char *dir, const char *rel, const char *text);
void th_rmrf(const char *path);
uint64_t th_counter(th_plugin *p, const char *counter);
/* xorshift64: the next number of the sequence in *s (never 0 if *s is not). */
uint64_t th_xorshift(uint64_t *s);
/* A random text for property tests: up to max_pieces strings drawn from
 * pieces (a linear congruential generator in *seed), NUL-terminated in
 * out, which holds cap bytes; its length. */
size_t th_random_text(uint64_t *seed, const char *const *pieces, size_t npieces, size_t max_pieces, char *out,
                      size_t cap);

#endif
