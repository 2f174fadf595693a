/* arlib.h -- libarchive for the JSONL reader, loaded the first time an input
 * needs it (compressed other than gzip).  Linked, it was loaded with all it
 * links (libxml2, ICU, libstdc++, ...) by every run that read JSONL: ~8 ms
 * before the first document, 4% of a 0.2 s run at -j 1 and more at -j 2. */
#ifndef JSONL_ARLIB_H
#define JSONL_ARLIB_H

#include <archive.h>

typedef struct arlib {
    struct archive *(*read_new)(void);
    int (*read_support_filter_all)(struct archive *);
    int (*read_support_format_raw)(struct archive *);
    int (*read_open_filename)(struct archive *, const char *, size_t);
    int (*read_next_header)(struct archive *, struct archive_entry **);
    la_ssize_t (*read_data)(struct archive *, void *, size_t);
    int (*filter_count)(struct archive *);
    int (*filter_code)(struct archive *, int);
    const char *(*error_string)(struct archive *);
    int (*read_free)(struct archive *);
} arlib;

/* The library's functions (loaded once, from any thread); NULL when it
 * cannot be loaded, with *why saying so. */
const arlib *arlib_get(const char **why);

#endif
