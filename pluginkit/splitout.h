/* splitout.h -- one output file per split ("{split}" in a writer's path). */
#ifndef CV_PLUGIN_SPLITOUT_H
#define CV_PLUGIN_SPLITOUT_H

#include "convert/plugin.h"

#define SPLITOUT_MAX 16

typedef struct splitout {
    const cv_host *host;
    cv_ctx *ctx;
    const char *pattern; /* e.g. "{split}.jsonl" */
    char *name[SPLITOUT_MAX];
    cv_out *out[SPLITOUT_MAX];
    size_t n;
} splitout;

/* The output for the document's metadata.split ("train" when it has none),
 * opened on first use; *opened says whether it was just opened (for headers).
 * NULL after host->error() on failure. */
cv_out *splitout_get(splitout *s, const cv_doc *doc, int *opened);
void splitout_free(splitout *s);

#endif
