/* registry.h -- finding and loading plugins. */
#ifndef CV_REGISTRY_H
#define CV_REGISTRY_H

#include "err.h"

typedef struct cv_entry {
    const cv_plugin *desc; /* the core's full-size copy of the plugin's descriptor; it has both
                            * options and optmap, one of them made by the core from the other */
    char *file;            /* where it was loaded from */
    void *made_table;      /* that one, which the registry frees */
} cv_entry;

typedef struct cv_registry cv_registry;

cv_registry *cv_registry_new(void);
void cv_registry_free(cv_registry *r);
/* Append a folder to the search path (duplicates by real path are ignored). */
void cv_registry_add_dir(cv_registry *r, const char *dir);
/* Add the default folders: $CONVERT_PLUGIN_PATH (colon-separated), then the
 * folder next to the executable (<bin>/../lib/convert/plugins, which is both
 * the build tree's and an installed tree's layout), then the compiled-in
 * install folder. */
void cv_registry_add_default_dirs(cv_registry *r);
/* Load every *.so in the search path.  A file that is not a valid plugin, or
 * a second plugin of one kind with one name, is an error naming the file. */
int cv_registry_load(cv_registry *r, cv_err *err);
/* Load only the files NAME.so named after the plugins a run needs (kinds[i]
 * names[i]): dlopen of every plugin, with the libraries each pulls in, was
 * ~10% of a short run.  When one of them is not found that way, every file
 * is loaded, as cv_registry_load does. */
int cv_registry_load_named(cv_registry *r, const cv_kind *kinds, const char *const *names, size_t n, cv_err *err);
int cv_registry_load_file(cv_registry *r, const char *path, cv_err *err);

const cv_entry *cv_registry_find(const cv_registry *r, cv_kind kind, const char *name);
size_t cv_registry_count(const cv_registry *r);
const cv_entry *cv_registry_at(const cv_registry *r, size_t i);
size_t cv_registry_dir_count(const cv_registry *r);
const char *cv_registry_dir_at(const cv_registry *r, size_t i);

const char *cv_kind_name(cv_kind k);

#endif
