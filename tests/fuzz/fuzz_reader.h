/* Shared body of the reader harnesses: the input as a file, read to the end. */
#include <stdio.h>
#include <unistd.h>

#include "fuzz.h"

static int fuzz_reader(const char *plugin, const char *suffix, const uint8_t *data, size_t size)
{
    const char *path = fz_tmpfile(data, size, suffix);
    char yaml[512];
    snprintf(yaml, sizeof yaml, "path: %s\nmax_doc_bytes: 1M\n", path);
    fz_plugin *p = fz_open(CV_READER, plugin, yaml, NULL);
    for (int i = 0; p->inst && i < 10000; i++) {
        cv_doc *d = cv_doc_new();
        cv_status st = cv_reader_next(&p->ctx, p->inst, d);
        if (st == CV_OK || st == CV_DROP)
        if (st == CV_OK || st == CV_DROP)
            cv_reader_settle(&p->ctx, p->inst, d);
        cv_doc_free(d);
        if (st == CV_END || st == CV_ERROR)
            break;
    }
    fz_close(p);
    unlink(path);
    return 0;
}
