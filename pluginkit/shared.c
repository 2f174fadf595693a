/* shared.c -- see shared.h.  A short list under a mutex: a process holds a
 * handful of these objects, and they are taken only in create()/destroy(). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared.h"

typedef struct entry {
    struct entry *next;
    char *key;
    void *obj;
    shared_free_fn free_fn;
    unsigned refs;
} entry;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static entry *entries;

void *shared_get(const char *key, shared_build_fn build, void *arg, shared_free_fn free_fn, char *err, size_t errcap)
{
    pthread_mutex_lock(&lock);
    for (entry *e = entries; e; e = e->next)
        if (!strcmp(e->key, key)) {
            e->refs++;
            pthread_mutex_unlock(&lock);
            return e->obj;
        }
    /* Built under the lock: a second instance waits for the first build
     * instead of building its own copy of a list of millions. */
    void *obj = build(arg, err, errcap);
    entry *e = obj ? calloc(1, sizeof *e) : NULL;
    char *k = e ? strdup(key) : NULL;
    if (obj && !k) {
        free(e);
        free_fn(obj);
        snprintf(err, errcap, "out of memory");
        obj = NULL;
    }
    if (obj) {
        *e = (entry){.next = entries, .key = k, .obj = obj, .free_fn = free_fn, .refs = 1};
        entries = e;
    }
    pthread_mutex_unlock(&lock);
    return obj;
}

void shared_put(void *obj)
{
    if (!obj)
        return;
    pthread_mutex_lock(&lock);
    for (entry **pe = &entries; *pe; pe = &(*pe)->next) {
        entry *e = *pe;
        if (e->obj != obj)
            continue;
        if (--e->refs == 0) {
            *pe = e->next;
            e->free_fn(e->obj);
            free(e->key);
            free(e);
        }
        break;
    }
    pthread_mutex_unlock(&lock);
}
