/* Fuzz the hand-off between phases: any bytes as a sign task's docs.bin. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuzz.h"
#include "handoff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fz_tmpfile(data, size, ".bin");
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0;
    uint64_t count = 0;
    cv_err err;
    for (int i = 0; f && i < 10000; i++) {
        cv_doc *d = cv_doc_new();
        int got = cv_handoff_read(f, path, d, &buf, &cap, &count, &err);
        cv_doc_free(d);
        if (got <= 0)
            break;
    }
    if (f)
        fclose(f);
    free(buf);
    unlink(path);
    return 0;
}
