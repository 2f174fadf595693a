/* registry.c -- the plugin search path, dlopen, and the checks done at load. */
#include "registry.h"

#include <dirent.h>
#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"

#ifndef CONVERT_INSTALL_PLUGIN_DIR
#define CONVERT_INSTALL_PLUGIN_DIR "/usr/local/lib/convert/plugins"
#endif

struct cv_registry {
    cv_entry *e;
    size_t n;
    char **dirs;
    size_t ndirs;
};

const char *cv_kind_name(cv_kind k)
{
    switch (k) {
    case CV_READER: return "reader";
    case CV_STEP: return "step";
    case CV_WRITER: return "writer";
    }
    return "?";
}

cv_registry *cv_registry_new(void) { return cv_xcalloc(1, sizeof(cv_registry)); }

void cv_registry_free(cv_registry *r)
{
    if (!r)
        return;
    /* Plugins are never dlclose()d: their descriptors and strings may still be
     * referenced, and unloading C++ or TLS-using libraries is fragile. */
    for (size_t i = 0; i < r->n; i++) {
        free(r->e[i].file);
        free(r->e[i].made_table);
        free((cv_plugin *)r->e[i].desc);
    }
    for (size_t i = 0; i < r->ndirs; i++)
        free(r->dirs[i]);
    free(r->e);
    free(r->dirs);
    free(r);
}

void cv_registry_add_dir(cv_registry *r, const char *dir)
{
    char real[PATH_MAX];
    if (!dir[0])
        return;
    const char *key = realpath(dir, real) ? real : dir;
    for (size_t i = 0; i < r->ndirs; i++)
        if (!strcmp(r->dirs[i], key))
            return;
    r->dirs = cv_xrealloc(r->dirs, (r->ndirs + 1) * sizeof *r->dirs);
    r->dirs[r->ndirs++] = cv_xstrdup(key);
}

void cv_registry_add_default_dirs(cv_registry *r)
{
    const char *env = getenv("CONVERT_PLUGIN_PATH");
    if (env) {
        char *copy = cv_xstrdup(env), *save = NULL;
        for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save))
            cv_registry_add_dir(r, d);
        free(copy);
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            char *beside = cv_xasprintf("%s/../lib/convert/plugins", exe);
            if (access(beside, R_OK | X_OK) == 0) {
                cv_registry_add_dir(r, beside);
                free(beside);
                return;
            }
            free(beside);
        }
    }
    cv_registry_add_dir(r, CONVERT_INSTALL_PLUGIN_DIR);
}

static int check_desc(const cv_plugin *d, const char *path, cv_err *err)
{
    if (d->abi_major != CONVERT_ABI_MAJOR) {
        cv_err_set(err, "%s: plugin built for ABI %u.%u, this convert speaks ABI %d.%d (major must match)", path,
                   d->abi_major, d->abi_minor, CONVERT_ABI_MAJOR, CONVERT_ABI_MINOR);
        return -1;
    }
    if (d->abi_minor > CONVERT_ABI_MINOR) {
        cv_err_set(err, "%s: plugin needs ABI %u.%u, newer than this convert's %d.%d; upgrade convert", path,
                   d->abi_major, d->abi_minor, CONVERT_ABI_MAJOR, CONVERT_ABI_MINOR);
        return -1;
    }
    if (d->struct_size < CV_PLUGIN_SIZE_1_0) {
        cv_err_set(err, "%s: descriptor is %zu bytes, ABI %d.0 needs %zu", path, d->struct_size, CONVERT_ABI_MAJOR,
                   (size_t)CV_PLUGIN_SIZE_1_0);
        return -1;
    }
    if (!d->name || !d->name[0] || strspn(d->name, "abcdefghijklmnopqrstuvwxyz0123456789_-") != strlen(d->name)) {
        cv_err_set(err, "%s: plugin name '%s' is not [a-z0-9_-]+", path, d->name ? d->name : "(null)");
        return -1;
    }
    const char *missing = NULL;
    if (!d->create || !d->destroy)
        missing = "create/destroy";
    else if (d->kind == CV_READER && !d->next)
        missing = "next";
    else if (d->kind == CV_STEP && !d->process)
        missing = "process";
    else if (d->kind == CV_WRITER && !d->write)
        missing = "write";
    else if (d->kind != CV_READER && d->kind != CV_STEP && d->kind != CV_WRITER)
        missing = "a valid kind";
    if (missing) {
        cv_err_set(err, "%s: plugin '%s' lacks %s", path, d->name, missing);
        return -1;
    }
    if (!d->version || !d->description) {
        cv_err_set(err, "%s: plugin '%s' lacks a version or description", path, d->name);
        return -1;
    }
    return 0;
}

/* The core's copy of a descriptor, with both views of its options: fields
 * newer than the plugin's ABI (past its struct_size) are NULL there. */
static int add_entry(cv_registry *r, const cv_plugin *d, const char *path, cv_err *err)
{
    cv_plugin *copy = cv_xcalloc(1, sizeof *copy);
    memcpy(copy, d, d->struct_size < sizeof *copy ? d->struct_size : sizeof *copy);
    if (copy->optmap && copy->options) {
        cv_err_set(err, "%s: plugin '%s' declares both options and an optmap; one table, please", path, d->name);
        free(copy);
        return -1;
    }
    void *made;
    if (copy->optmap) {
        cv_option *t = cv_options_from_optmap(copy->optmap);
        copy->options = t;
        made = t;
    } else {
        cv_optmap *m = cv_optmap_from_options(copy->options);
        copy->optmap = m;
        made = m;
    }
    cv_err sub;
    if (cv_opts_check_table(copy->optmap, d->name, &sub) < 0) {
        cv_err_set(err, "%s: %s", path, sub.msg);
        free(made);
        free(copy);
        return -1;
    }
    r->e = cv_xrealloc(r->e, (r->n + 1) * sizeof *r->e);
    r->e[r->n] = (cv_entry){.desc = copy, .file = cv_xstrdup(path), .made_table = made};
    r->n++;
    return 0;
}

int cv_registry_load_file(cv_registry *r, const char *path, cv_err *err)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        cv_err_set(err, "cannot load plugin: %s", dlerror());
        return -1;
    }
    cv_plugin_entry_fn entry;
    *(void **)&entry = dlsym(h, CONVERT_PLUGIN_ENTRY);
    if (!entry) {
        cv_err_set(err, "%s: not a convert plugin (no '%s' symbol)", path, CONVERT_PLUGIN_ENTRY);
        return -1;
    }
    unsigned i = 0;
    for (const cv_plugin *d; (d = entry(i)); i++) {
        if (check_desc(d, path, err) < 0)
            return -1;
        const cv_entry *dup = cv_registry_find(r, d->kind, d->name);
        if (dup) {
            cv_err_set(err, "two %s plugins named '%s': %s and %s", cv_kind_name(d->kind), d->name, dup->file, path);
            return -1;
        }
        if (add_entry(r, d, path, err) < 0)
            return -1;
    }
    if (i == 0) {
        cv_err_set(err, "%s: '%s' returns no descriptor", path, CONVERT_PLUGIN_ENTRY);
        return -1;
    }
    return 0;
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int loaded(const cv_registry *r, const char *path)
{
    for (size_t i = 0; i < r->n; i++)
        if (!strcmp(r->e[i].file, path))
            return 1;
    return 0;
}

/* Is the file NAME.so, for a NAME in names (all files when names is NULL)? */
static int wanted(const char *file, size_t len, const char *const *names, size_t nnames)
{
    if (!names)
        return 1;
    for (size_t i = 0; i < nnames; i++)
        if (strlen(names[i]) == len - 3 && !strncmp(file, names[i], len - 3))
            return 1;
    return 0;
}

/* The .so files of every folder (those wanted), in name order, skipping
 * files loaded already. */
static int load_files(cv_registry *r, const char *const *names, size_t nnames, cv_err *err)
{
    for (size_t d = 0; d < r->ndirs; d++) {
        DIR *dir = opendir(r->dirs[d]);
        if (!dir)
            continue; /* a missing folder in a search path is normal */
        char **files = NULL;
        size_t n = 0;
        for (struct dirent *de; (de = readdir(dir));) {
            size_t len = strlen(de->d_name);
            if (len > 3 && !strcmp(de->d_name + len - 3, ".so") && wanted(de->d_name, len, names, nnames)) {
                files = cv_xrealloc(files, (n + 1) * sizeof *files);
                files[n++] = cv_xasprintf("%s/%s", r->dirs[d], de->d_name);
            }
        }
        closedir(dir);
        if (n) /* qsort wants a valid pointer even for nothing */
            qsort(files, n, sizeof *files, by_name); /* load order must not depend on the file system */
        int rc = 0;
        for (size_t i = 0; i < n; i++) {
            if (rc == 0 && !loaded(r, files[i]))
                rc = cv_registry_load_file(r, files[i], err);
            free(files[i]);
        }
        free(files);
        if (rc < 0)
            return -1;
    }
    return 0;
}

int cv_registry_load(cv_registry *r, cv_err *err) { return load_files(r, NULL, 0, err); }

int cv_registry_load_named(cv_registry *r, const cv_kind *kinds, const char *const *names, size_t n, cv_err *err)
{
    if (load_files(r, names, n, err) < 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!cv_registry_find(r, kinds[i], names[i])) /* in a file of another name, or nowhere: look everywhere */
            return cv_registry_load(r, err);
    return 0;
}

const cv_entry *cv_registry_find(const cv_registry *r, cv_kind kind, const char *name)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->e[i].desc->kind == kind && !strcmp(r->e[i].desc->name, name))
            return &r->e[i];
    return NULL;
}

size_t cv_registry_count(const cv_registry *r) { return r->n; }
const cv_entry *cv_registry_at(const cv_registry *r, size_t i) { return i < r->n ? &r->e[i] : NULL; }
size_t cv_registry_dir_count(const cv_registry *r) { return r->ndirs; }
const char *cv_registry_dir_at(const cv_registry *r, size_t i) { return i < r->ndirs ? r->dirs[i] : NULL; }
