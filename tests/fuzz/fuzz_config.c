/* Fuzz the config: YAML parsing, the config's shape, and every stage's
 * options checked against the plugin it names. */
#include <stdlib.h>

#include "fuzz.h"
#include "options.h"

static void check_stage(const cv_config *c, const cv_stage *s, cv_kind kind)
{
    const cv_entry *e = cv_registry_find(fz_registry(), kind, s->plugin);
    if (!e)
        return;
    cv_err err;
    cv_opts *o = cv_opts_parse(e->desc->optmap, s->node, s->plugin, c->path, c->dir, &err);
    cv_opts_free(o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cv_err err;
    cv_config *c = cv_config_parse((const char *)data, size, "fuzz/config.yaml", &err);
    if (!c)
        return 0;
    check_stage(c, &c->reader, CV_READER);
    for (size_t i = 0; i < c->nsteps; i++)
        check_stage(c, &c->steps[i], CV_STEP);
    for (size_t i = 0; i < c->nwriters; i++)
        check_stage(c, &c->writers[i], CV_WRITER);
    cv_config_free(c);
    return 0;
}
