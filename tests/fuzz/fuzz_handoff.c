/* Fuzz the hand-off between phases: any bytes as a sign task's docs.bin. */
#include <unistd.h>

#include "fuzz.h"
#include "handoff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fz_tmpfile(data, size, ".bin");
    cv_err err;
    cv_handoff_in *h = cv_handoff_open(path, &err);
    for (int i = 0; h && i < 10000; i++) {
        cv_doc *d = cv_doc_new();
        int got = cv_handoff_next(h, d, &err);
        cv_doc_free(d);
        if (got <= 0)
            break;
    }
    cv_handoff_close(h);
    unlink(path);
    return 0;
}
