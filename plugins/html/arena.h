/* arena.h -- libxml2's allocations for one page taken from a bump arena
 * and dropped all at once, instead of a malloc and a free per node, name,
 * attribute and text.
 *
 * arena_install() points libxml2's allocation hooks (xmlMemSetup, process
 * wide) at functions that serve the calling thread's arena while it has
 * one begun, and malloc otherwise.  A pointer inside the arenas' reserved
 * address range is never handed to free(); any other goes to the C
 * library, so libxml2 used elsewhere in the process is unaffected.  A page
 * larger than its arena's room spills to malloc: arena_end() says so, and
 * the caller then frees the tree the ordinary way. */
#ifndef CONVERT_HTML_ARENA_H
#define CONVERT_HTML_ARENA_H

typedef struct arena arena;

/* An arena (with its hooks installed on first use), or NULL when no
 * address range can be had: then libxml2 keeps malloc. */
arena *arena_new(void);
void arena_free(arena *a);

/* From here this thread's libxml2 allocations come from a. */
void arena_begin(arena *a);
/* This thread's allocations go back to malloc; 1 when some of them spilled
 * there since arena_begin (those must be freed as usual). */
int arena_end(arena *a);
/* Everything taken from a since its last reset is gone: nothing that
 * libxml2 allocated while it was begun may be used afterwards. */
void arena_reset(arena *a);

#endif
