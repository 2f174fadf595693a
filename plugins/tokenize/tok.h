/* tok.h -- a BPE tokenizer: tiktoken rank files and Hugging Face tokenizer.json.
 *
 * tk_tokenizer is the loaded, read-only model (shared by every thread);
 * tk_encoder is one thread's working state (regex match data, buffers).  The
 * ids are those of the reference implementations: tiktoken's encode_ordinary
 * and Hugging Face tokenizers' encode without special tokens.  A special token
 * written in the text is encoded as ordinary text. */
#ifndef CONVERT_TOK_H
#define CONVERT_TOK_H

#include <stddef.h>
#include <stdint.h>

typedef struct tk_tokenizer tk_tokenizer;
typedef struct tk_encoder tk_encoder;

typedef struct tk_ids {
    uint32_t *v;
    size_t n, cap;
} tk_ids;

/* Load FILE, its format recognised by content: a JSON object (tokenizer.json),
 * a SentencePiece .model (protobuf; encoded by libsentencepiece) or lines
 * "base64 rank" (tiktoken).  pattern: the pre-tokenizer regex of a
 * rank file (NULL: the one of the OpenAI encoding the file is named after).
 * On failure returns NULL with a message naming the file in err. */
tk_tokenizer *tk_load(const char *path, const char *pattern, char *err, size_t errlen);
/* The same from memory (the fuzz harness); name is used in messages. */
tk_tokenizer *tk_load_mem(const char *data, size_t len, const char *name, const char *pattern, char *err,
                          size_t errlen);
void tk_free(tk_tokenizer *t);

/* One more than the largest id (vocabulary and added tokens). */
uint32_t tk_vocab_size(const tk_tokenizer *t);
/* The id of a token written as text (a special or added token, or a
 * vocabulary entry); -1 when there is none. */
int64_t tk_token_id(const tk_tokenizer *t, const char *token);

tk_encoder *tk_encoder_new(const tk_tokenizer *t);
void tk_encoder_free(tk_encoder *e);
/* Append the ids of text (valid UTF-8) to out.  0 ok, -1 out of memory. */
int tk_encode(tk_encoder *e, const char *text, size_t len, tk_ids *out);
/* Append one id (aborts when out of memory, as pluginkit's x* helpers do). */
void tk_ids_push(tk_ids *ids, uint32_t id);

#endif
