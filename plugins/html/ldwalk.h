/* ldwalk.h -- one walk over the objects of a page's JSON-LD (an
 * articleBody, a HowTo: nested in @graph, mainEntity, lists), with one
 * bound on its depth for every reader of it. */
#ifndef CV_HTML_LDWALK_H
#define CV_HTML_LDWALK_H

#include <jansson.h>

#define LD_MAX_DEPTH 16 /* JSON nesting looked into: @graph, mainEntity, steps in sections in steps */

enum { LD_DESCEND, LD_SKIP, LD_STOP }; /* what a visit says: look inside the object, not, or no further */

typedef int (*ld_visit_fn)(json_t *obj, void *ctx);

/* visit on every object under v (v too), an object before what it holds,
 * in the data's order, down to LD_MAX_DEPTH levels of arrays and objects;
 * 1 when a visit said LD_STOP. */
int ld_walk(json_t *v, ld_visit_fn visit, void *ctx);

#endif
