/* splitout.c -- see splitout.h. */
#include "splitout.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

cv_out *splitout_get(splitout *s, const cv_doc *doc, int *opened)
{
    const char *split = s->host->meta_get_string(doc, "split");
    if (!split || !split[0])
        split = "train";
    if (opened)
        *opened = 0;
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->name[i], split))
            return s->out[i];
    if (s->n == SPLITOUT_MAX || strchr(split, '/')) {
        s->host->error(s->ctx, "split '%s': more than %d splits, or a '/' in the name", split, SPLITOUT_MAX);
        return NULL;
    }
    cv_buf name = {0};
    const char *p = s->pattern, *hole;
    while ((hole = strstr(p, "{split}"))) {
        buf_add(&name, p, (size_t)(hole - p));
        buf_adds(&name, split);
        p = hole + 7;
    }
    buf_adds(&name, p);
    cv_out *o = s->host->out_open(s->ctx, name.p);
    buf_free(&name);
    if (!o)
        return NULL;
    s->name[s->n] = strdup(split);
    s->out[s->n++] = o;
    if (opened)
        *opened = 1;
    return o;
}

void splitout_free(splitout *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->name[i]);
    s->n = 0;
}
