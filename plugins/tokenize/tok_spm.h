/* tok_spm.h -- a SentencePiece .model through Debian's libsentencepiece (C++),
 * wrapped in a few C functions.  The processor is read-only after loading:
 * Encode is const, so one is shared by every thread. */
#ifndef CONVERT_TOK_SPM_H
#define CONVERT_TOK_SPM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#include "tok.h"

typedef struct tk_spm tk_spm;

/* The serialized ModelProto in data; NULL with a message naming name in err. */
tk_spm *tk_spm_load(const char *data, size_t len, const char *name, char *err, size_t errlen);
void tk_spm_free(tk_spm *s);
uint32_t tk_spm_size(const tk_spm *s);
/* The id of a piece by its exact name; -1 when the model has no such piece. */
int64_t tk_spm_piece_id(const tk_spm *s, const char *piece);
/* Append the ids of text; 0 ok, -1 on failure (out of memory, library error). */
int tk_spm_encode(const tk_spm *s, const char *text, size_t len, tk_ids *out);

#ifdef __cplusplus
}
#endif

#endif
