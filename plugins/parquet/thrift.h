/* thrift.h -- the Thrift compact protocol, write side only: what Parquet's
 * page headers and footer need (structs, lists, i32/i64, binary, bool).
 * No Debian package offers a C encoder small enough to carry for this. */
#ifndef CV_PARQUET_THRIFT_H
#define CV_PARQUET_THRIFT_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* Compact protocol type codes. */
enum { TC_TRUE = 1, TC_FALSE = 2, TC_I32 = 5, TC_I64 = 6, TC_BINARY = 8, TC_LIST = 9, TC_STRUCT = 12 };

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

#endif
