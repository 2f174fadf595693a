/* hfdir.h -- the Parquet files an input names: a file, or a dataset folder
 * read as the Hugging Face Hub reads it, each file with its split. */
#ifndef CV_PARQUET_HFDIR_H
#define CV_PARQUET_HFDIR_H

#include <stddef.h>

typedef struct hf_file {
    char *path;
    char *split; /* NULL: none known */
} hf_file;

typedef struct hf_files {
    hf_file *v;
    size_t n, cap;
} hf_files;

/* A file: itself (its split when named {split}-NNNNN-of-NNNNN.parquet).  A
 * folder: the files of its card's config (`config`, else the default one),
 * else data/ and below, else its own *.parquet (named by split, as the
 * parquet writer names them).  0, or -1 with why. */
int hf_files_find(const char *path, const char *config, hf_files *out, char *why, size_t whylen);
void hf_files_free(hf_files *f);

#endif
