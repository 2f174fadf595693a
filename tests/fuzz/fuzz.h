/* fuzz.h -- shared by the libFuzzer harnesses: plugins loaded once from the
 * build tree and driven through the host API, as the core drives them. */
#ifndef CV_FUZZ_H
#define CV_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "doc.h"
#include "host.h"

typedef struct fz_plugin {
    const cv_plugin *desc;
    cv_opts *opts;
    cv_ctx ctx;
    void *inst;
} fz_plugin;

/* Every plugin of the build tree (loaded once). */
cv_registry *fz_registry(void);
/* An instance of plugin `name` with options as YAML text; NULL inst if create() refused. */
fz_plugin *fz_open(cv_kind kind, const char *name, const char *yaml, cv_outset *outs);
void fz_close(fz_plugin *p);
/* Write data to a per-process temp file; returns its path (static buffer). */
const char *fz_tmpfile(const uint8_t *data, size_t size, const char *suffix);
/* A document "fuzz" holding the input as text: bytes that keep it from
 * being valid UTF-8 become '?'. */
cv_doc *fz_doc(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
