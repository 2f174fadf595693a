/* tok_internal.h -- the tokenizer's parts, shared by the loaders and the encoder. */
#ifndef CONVERT_TOK_INTERNAL_H
#define CONVERT_TOK_INTERNAL_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdarg.h>

#include "tok.h"

#define TK_NONE UINT32_MAX

/* Split behaviours, as Hugging Face's SplitDelimiterBehavior. */
enum { SB_REMOVED, SB_ISOLATED, SB_MERGED_PREV, SB_MERGED_NEXT, SB_CONTIGUOUS };

enum { PT_SPLIT, PT_BYTELEVEL, PT_DIGITS, PT_METASPACE };
typedef struct tk_pretok {
    int kind;
    pcre2_code *re;      /* SPLIT with a regex; BYTELEVEL with use_regex; DIGITS */
    char *literal;       /* SPLIT with a string pattern */
    size_t literal_len;
    int behavior, invert;
    int add_prefix_space; /* BYTELEVEL */
    char repl[8];         /* METASPACE: the replacement character, UTF-8 */
    size_t repl_len;
    int prepend;          /* METASPACE: 0 never, 1 first, 2 always */
    int split;            /* METASPACE */
} tk_pretok;

enum { NM_NFC, NM_NFKC, NM_NFD, NM_NFKD, NM_LOWER, NM_REPLACE, NM_PREPEND, NM_STRIP };
typedef struct tk_norm {
    int kind;
    pcre2_code *re;    /* REPLACE with a regex */
    char *from, *to;   /* REPLACE with a string; PREPEND: to */
    size_t from_len, to_len;
    int left, right;   /* STRIP */
} tk_norm;

typedef struct tk_added {
    char *text;
    size_t len;
    uint32_t id;
    int special, normalized;
} tk_added;

struct tk_spm;

struct tk_tokenizer {
    char *name;
    struct tk_spm *spm; /* a SentencePiece .model: the library does everything (tok_spm.cc) */
    /* id -> bytes of the token (raw bytes: byte-level keys are decoded). */
    char *arena;
    size_t arena_len, arena_cap;
    uint32_t *tok_off, *tok_len; /* tok_len TK_NONE: no such id */
    uint32_t n_ids;              /* ids 0 .. n_ids-1 */
    uint32_t vocab_size;         /* one more than the largest id in use */
    /* bytes -> id, open addressing: slot holds id + 1 (0 = empty). */
    uint32_t *vocab_slots;
    size_t vocab_mask;
    /* (left id, right id) -> (rank << 32 | merged id). */
    uint64_t *pair_keys, *pair_vals;
    size_t pair_mask, n_pairs;
    /* Not byte-level: every (last character of a merge's left side, first
     * character of its right side), as tk_char_key pairs.  No merge joins two
     * characters absent here, so a long piece may be cut between them. */
    uint64_t *join_keys;
    size_t join_mask;

    int byte_level;         /* symbols start as bytes (ByteLevel, tiktoken) */
    uint32_t byte_id[256];  /* the token of each single byte, TK_NONE if none */
    uint32_t fallback_id[256]; /* byte_fallback: <0xXX> */
    int ignore_merges;      /* a piece that is a token is that token */
    int byte_fallback, fuse_unk;
    uint32_t unk_id;        /* TK_NONE: unknown characters are dropped */

    tk_norm *norms;
    size_t n_norms;
    tk_pretok *pretoks;
    size_t n_pretoks;
    tk_added *added; /* matched in text: the non-special added tokens */
    size_t n_added;
    int added_any_normalized, added_any_raw;
    uint8_t added_first[256]; /* first bytes of the matched added tokens */
    tk_added *specials; /* every special token, for tk_token_id */
    size_t n_specials;
};

/* tok.c */
int tk_set_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
tk_tokenizer *tk_new(const char *name);
int tk_add_token(tk_tokenizer *t, uint32_t id, const char *bytes, size_t len);
int tk_add_pair(tk_tokenizer *t, uint32_t a, uint32_t b, uint32_t rank, uint32_t merged);
int tk_vocab_index(tk_tokenizer *t); /* builds vocab_slots from the ids */
uint32_t tk_lookup(const tk_tokenizer *t, const char *bytes, size_t len);
uint32_t tk_char_key(const char *p, size_t len); /* one UTF-8 character, never 0 */
int tk_joins(const tk_tokenizer *t, uint32_t left, uint32_t right);
pcre2_code *tk_regex(const char *pattern, size_t len, char *err, size_t errlen, const char *file);
int tk_finish(tk_tokenizer *t, char *err, size_t errlen); /* byte tables, added-token index */

/* tok_encode.c: the normalizers alone; *out is malloc'd. */
int tk_normalize_text(tk_encoder *e, const char *text, size_t len, char **out, size_t *out_len);

/* tok_hf.c */
tk_tokenizer *tk_load_hf(const char *data, size_t len, const char *name, char *err, size_t errlen);

#endif
