/* ldwalk.c -- see ldwalk.h. */
#include "ldwalk.h"

static int walk(json_t *v, ld_visit_fn visit, void *ctx, int depth)
{
    if (depth > LD_MAX_DEPTH)
        return 0;
    if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++)
            if (walk(json_array_get(v, i), visit, ctx, depth + 1))
                return 1;
        return 0;
    }
    if (!json_is_object(v))
        return 0;
    int said = visit(v, ctx);
    if (said != LD_DESCEND)
        return said == LD_STOP;
    const char *key;
    json_t *val;
    json_object_foreach(v, key, val) {
        if (walk(val, visit, ctx, depth + 1))
            return 1;
    }
    return 0;
}

int ld_walk(json_t *v, ld_visit_fn visit, void *ctx) { return walk(v, visit, ctx, 0); }
