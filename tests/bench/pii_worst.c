/* pii_worst.c -- pii's scanners on one megabyte of each text built to make a
 * scanner slow, and on the seeds' text; best of five, milliseconds.
 * filters_bench.sh builds and runs it:
 *   cc -O2 -Iplugins/pii -Ipluginkit tests/bench/pii_worst.c plugins/pii/detect.c plugins/pii/cues.c pluginkit/text.c \
 *      pluginkit/util.c pluginkit/yamlfile.c -lutf8proc -lyaml -ljansson
 * run from the source folder: it reads config/pii/cues.yaml. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "detect.h"

static pii_cues *cues;

static double best_of_five(const char *t, size_t n, size_t *hits)
{
    double best = 1e9;
    for (int r = 0; r < 5; r++) {
        pii_hits h = {0};
        struct timespec a, b;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
        pii_find(t, n, 7, cues, &h);
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
        double s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
        best = s < best ? s : best;
        *hits = h.n;
        pii_hits_free(&h);
    }
    return best;
}

int main(int argc, char **argv)
{
    static const char *const unit[] = {"@", "@.", "a@", "1.", "1:", "a.", "+1 ", "@1.2.3.4", ":", "0-", "a@b.", "(1)",
                                       "a.b@c.de ", "8.8.8.8 ", "+44 20 7946 0958 "};
    char err[512];
    if (!(cues = pii_cues_load("config/pii/cues.yaml", err, sizeof err))) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    size_t n = 1 << 20, hits;
    char *t = malloc(n + 1);
    for (size_t u = 0; u < sizeof unit / sizeof unit[0]; u++) {
        size_t ul = strlen(unit[u]);
        for (size_t i = 0; i < n; i++)
            t[i] = unit[u][i % ul];
        t[n] = '\0';
        double s = best_of_five(t, n, &hits);
        printf("1 MB of %-20s %6.1f ms  %zu values\n", unit[u], s * 1e3, hits);
    }
    for (int a = 1; a < argc; a++) { /* plain text: a file, repeated to 1 MB */
        FILE *f = fopen(argv[a], "rb");
        if (!f)
            continue;
        size_t m = fread(t, 1, n, f);
        fclose(f);
        for (size_t i = m; m && i < n; i++)
            t[i] = t[i % m];
        while (n > 0 && ((unsigned char)t[n - 1] & 0xC0) == 0x80) /* whole characters */
            n--;
        t[n] = '\0';
        double s = best_of_five(t, n, &hits);
        printf("%s to 1 MB: %.1f ms, %.0f MB/s, %zu values\n", argv[a], s * 1e3, (double)n / s / 1e6, hits);
        n = 1 << 20;
    }
    free(t);
    pii_cues_free(cues);
    return 0;
}
