/* arlib.c -- libarchive, loaded on first use (see arlib.h). */
#include "arlib.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>

/* The library's soname since libarchive 3.0. */
#define LIBARCHIVE_SONAME "libarchive.so.13"

static arlib lib;
static const arlib *loaded;
static const char *failure = "libarchive (" LIBARCHIVE_SONAME ") could not be loaded";
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* dlsym returns void *; a function pointer is stored through its bytes. */
#define LOAD(field, symbol) ok = ok && (*(void **)&lib.field = dlsym(h, symbol)) != NULL

static void load(void)
{
    void *h = dlopen(LIBARCHIVE_SONAME, RTLD_NOW | RTLD_LOCAL); /* never closed: as the plugins themselves */
    int ok = h != NULL;
    LOAD(read_new, "archive_read_new");
    LOAD(read_support_filter_all, "archive_read_support_filter_all");
    LOAD(read_support_format_raw, "archive_read_support_format_raw");
    LOAD(read_open_filename, "archive_read_open_filename");
    LOAD(read_next_header, "archive_read_next_header");
    LOAD(read_data, "archive_read_data");
    LOAD(filter_count, "archive_filter_count");
    LOAD(filter_code, "archive_filter_code");
    LOAD(error_string, "archive_error_string");
    LOAD(read_free, "archive_read_free");
    if (ok)
        loaded = &lib;
}

const arlib *arlib_get(const char **why)
{
    pthread_once(&once, load);
    if (!loaded && why)
        *why = failure;
    return loaded;
}
