/* tok_ids -- encode the "text" of each JSON line of stdin; print the ids.
 *   tok_ids TOKENIZER [PATTERN]         one line of space-separated ids per text
 *   tok_ids -b TOKENIZER [PATTERN]      bench: MB/s of the median of 3 passes
 * The tests compare its output with the reference implementations'. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tok.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    int bench = argc > 1 && !strcmp(argv[1], "-b");
    if (argc < 2 + bench) {
        fprintf(stderr, "usage: tok_ids [-b] TOKENIZER [PATTERN] < texts.jsonl\n");
        return 2;
    }
    char err[512];
    tk_tokenizer *t = tk_load(argv[1 + bench], argc > 2 + bench ? argv[2 + bench] : NULL, err, sizeof err);
    if (!t) {
        fprintf(stderr, "tok_ids: %s\n", err);
        return 1;
    }
    tk_encoder *e = tk_encoder_new(t);
    char *line = NULL;
    size_t cap = 0, n_texts = 0, cap_texts = 0, bytes = 0;
    ssize_t n;
    char **texts = NULL;
    size_t *lens = NULL;
    while ((n = getline(&line, &cap, stdin)) > 0) {
        if (n == 1 && line[0] == '\n')
            continue;
        json_error_t je;
        json_t *o = json_loadb(line, (size_t)n, JSON_ALLOW_NUL, &je);
        json_t *tx = json_object_get(o, "text");
        if (!json_is_string(tx)) {
            fprintf(stderr, "tok_ids: line %zu: no \"text\"\n", n_texts + 1);
            return 1;
        }
        if (n_texts == cap_texts) {
            cap_texts = cap_texts ? cap_texts * 2 : 1024;
            texts = realloc(texts, cap_texts * sizeof *texts);
            lens = realloc(lens, cap_texts * sizeof *lens);
        }
        lens[n_texts] = json_string_length(tx);
        texts[n_texts] = malloc(lens[n_texts] + 1);
        memcpy(texts[n_texts], json_string_value(tx), lens[n_texts] + 1);
        bytes += lens[n_texts++];
        json_decref(o);
    }
    tk_ids ids = {0};
    if (bench) {
        double times[3];
        for (int r = 0; r < 3; r++) {
            double t0 = now();
            for (size_t i = 0; i < n_texts; i++) {
                ids.n = 0;
                tk_encode(e, texts[i], lens[i], &ids);
            }
            times[r] = now() - t0;
        }
        qsort(times, 3, sizeof *times, cmp);
        printf("%.2f\n", (double)bytes / 1e6 / times[1]);
    } else {
        for (size_t i = 0; i < n_texts; i++) {
            ids.n = 0;
            if (tk_encode(e, texts[i], lens[i], &ids)) {
                fprintf(stderr, "tok_ids: out of memory\n");
                return 1;
            }
            for (size_t k = 0; k < ids.n; k++)
                printf(k ? " %u" : "%u", ids.v[k]);
            putchar('\n');
        }
    }
    for (size_t i = 0; i < n_texts; i++)
        free(texts[i]);
    free(texts);
    free(lens);
    free(line);
    free(ids.v);
    tk_encoder_free(e);
    tk_free(t);
    return 0;
}
