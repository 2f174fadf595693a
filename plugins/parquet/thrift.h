/* thrift.h -- the Thrift compact protocol: what Parquet's page headers and
 * footer need (structs, lists, i32/i64, binary, bool), written by the writer
 * and read, bounds-checked, by the reader.  No Debian package offers a C
 * codec small enough to carry for this. */
#ifndef CV_PARQUET_THRIFT_H
#define CV_PARQUET_THRIFT_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* Compact protocol type codes. */
enum {
    TC_STOP = 0, TC_TRUE = 1, TC_FALSE = 2, TC_BYTE = 3, TC_I16 = 4, TC_I32 = 5, TC_I64 = 6, TC_DOUBLE = 7,
    TC_BINARY = 8, TC_LIST = 9, TC_SET = 10, TC_MAP = 11, TC_STRUCT = 12
};

#define TC_DEPTH 16

/* Field ids are written as deltas from the previous one of the same struct,
 * so each open struct remembers its last id. */
typedef struct tc {
    cv_buf *b;
    int16_t last[TC_DEPTH];
    int depth;
} tc;

/* A ULEB128 varint, as Thrift and Parquet's RLE run headers write them. */
void tc_varint(cv_buf *b, uint64_t v);

void tc_init(tc *t, cv_buf *b);
void tc_begin(tc *t); /* a struct: at top level, or as a list element */
void tc_end(tc *t);   /* its stop byte */
void tc_struct(tc *t, int16_t id); /* a struct-typed field, then tc_begin */
void tc_i32(tc *t, int16_t id, int32_t v);
void tc_i64(tc *t, int16_t id, int64_t v);
void tc_bool(tc *t, int16_t id, int v);
void tc_bin(tc *t, int16_t id, const void *p, size_t len);
void tc_str(tc *t, int16_t id, const char *s);
void tc_list(tc *t, int16_t id, int elem_type, uint32_t n); /* then n elements */
void tc_elem_i32(tc *t, int32_t v);
void tc_elem_str(tc *t, const char *s);

/* ---- reading ----
 * A cursor over bytes that may lie: every read checks the end, and the first
 * failure sets err and makes every later read return zeros, so a parser can
 * read a whole struct and check err once. */
typedef struct tr {
    const uint8_t *p, *end, *start;
    int err;   /* 1: past the end or malformed */
    int depth; /* nested structs, lists and maps being skipped or read */
} tr;

void tr_init(tr *t, const void *p, size_t len);
uint64_t tr_varint(tr *t);
int64_t tr_int(tr *t); /* a zigzag varint: i16, i32 or i64 */
/* The next field of the current struct: 1 with its id and type, 0 at the
 * stop byte (or on error).  *last holds the struct's previous id. */
int tr_field(tr *t, int16_t *last, int16_t *id, int *type);
/* A list or set header: its element type and count (checked against the bytes left). */
uint32_t tr_list(tr *t, int *elem_type);
/* Binary or string: a pointer into the input and its length. */
const uint8_t *tr_bin(tr *t, size_t *len);
/* A value of a field's type (booleans in fields carry their value in the type). */
int tr_bool(tr *t, int type);
void tr_skip(tr *t, int type);

#endif
