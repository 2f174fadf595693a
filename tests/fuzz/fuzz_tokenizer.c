/* Fuzz the tokenizer: the loader (tokenizer.json or a tiktoken rank file)
 * and, when the input loads, the encoder on a text.  Input: the tokenizer
 * file, a NUL byte, then the text (encoded only when it is valid UTF-8, as
 * the step's documents always are). */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tok.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t flen = nul ? (size_t)(nul - data) : size;
    char err[256];
    tk_tokenizer *t = tk_load_mem((const char *)data, flen, "r50k_base.fuzz", NULL, err, sizeof err);
    if (!t)
        return 0;
    const char *text = nul ? (const char *)nul + 1 : "Hello world, Привет 123 <|endoftext|>  \r\n";
    size_t tlen = nul ? size - flen - 1 : strlen(text);
    if (cv_utf8_valid_prefix(text, tlen) == tlen) {
        tk_encoder *e = tk_encoder_new(t);
        tk_ids ids = {0};
        if (e)
            tk_encode(e, text, tlen, &ids);
        free(ids.v);
        tk_encoder_free(e);
    }
    tk_free(t);
    return 0;
}
