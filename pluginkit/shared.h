/* shared.h -- one read-only object per process for the instances of a step.
 *
 * The core makes one instance of a step per worker thread.  A blocklist of
 * millions of domains or an n-gram index of every benchmark is read-only once
 * built, so the instances share it: the first create() builds it, the others
 * take a reference to the same object, the last destroy() frees it.  Objects
 * are found by a key that names everything they were built from (the option
 * values), so two stages with other options get two objects. */
#ifndef CV_SHARED_H
#define CV_SHARED_H

/* build(arg, err, errcap) returns the object, or NULL with a message in err. */
typedef void *(*shared_build_fn)(void *arg, char *err, size_t errcap);
typedef void (*shared_free_fn)(void *obj);

/* The object for key: built now or shared; NULL with err set when building failed. */
void *shared_get(const char *key, shared_build_fn build, void *arg, shared_free_fn free_fn, char *err, size_t errcap);
/* Give back a reference; the last one frees the object. */
void shared_put(void *obj);

#endif
