/* thrift.c -- see thrift.h. */
#include "thrift.h"

#include <string.h>

void tc_varint(cv_buf *b, uint64_t v)
{
    unsigned char tmp[10];
    size_t n = 0;
    do {
        tmp[n] = (unsigned char)(v & 0x7F);
        v >>= 7;
        if (v)
            tmp[n] |= 0x80;
        n++;
    } while (v);
    buf_add(b, tmp, n);
}

static uint64_t zigzag(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }

void tc_init(tc *t, cv_buf *b) { *t = (tc){.b = b, .depth = -1}; }

void tc_begin(tc *t)
{
    if (t->depth + 1 < TC_DEPTH)
        t->last[++t->depth] = 0;
}

void tc_end(tc *t)
{
    buf_addc(t->b, 0);
    if (t->depth >= 0)
        t->depth--;
}

static void field(tc *t, int16_t id, int type)
{
    int16_t delta = (int16_t)(id - t->last[t->depth]);
    if (delta > 0 && delta <= 15) {
        buf_addc(t->b, (char)((delta << 4) | type));
    } else {
        buf_addc(t->b, (char)type);
        tc_varint(t->b, zigzag(id));
    }
    t->last[t->depth] = id;
}

void tc_struct(tc *t, int16_t id)
{
    field(t, id, TC_STRUCT);
    tc_begin(t);
}

void tc_i32(tc *t, int16_t id, int32_t v)
{
    field(t, id, TC_I32);
    tc_varint(t->b, zigzag(v));
}

void tc_i64(tc *t, int16_t id, int64_t v)
{
    field(t, id, TC_I64);
    tc_varint(t->b, zigzag(v));
}

void tc_bool(tc *t, int16_t id, int v) { field(t, id, v ? TC_TRUE : TC_FALSE); }

void tc_bin(tc *t, int16_t id, const void *p, size_t len)
{
    field(t, id, TC_BINARY);
    tc_varint(t->b, len);
    buf_add(t->b, p, len);
}

void tc_str(tc *t, int16_t id, const char *s) { tc_bin(t, id, s, strlen(s)); }

void tc_list(tc *t, int16_t id, int elem_type, uint32_t n)
{
    field(t, id, TC_LIST);
    if (n < 15) {
        buf_addc(t->b, (char)((n << 4) | (unsigned)elem_type));
    } else {
        buf_addc(t->b, (char)(0xF0 | elem_type));
        tc_varint(t->b, n);
    }
}

void tc_elem_i32(tc *t, int32_t v) { tc_varint(t->b, zigzag(v)); }

void tc_elem_str(tc *t, const char *s)
{
    size_t len = strlen(s);
    tc_varint(t->b, len);
    buf_add(t->b, s, len);
}
