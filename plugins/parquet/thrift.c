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

/* ---- reading ---- */

#define TR_MAX_DEPTH 32

void tr_init(tr *t, const void *p, size_t len)
{
    *t = (tr){.p = p, .end = (const uint8_t *)p + len, .start = p};
}

static void tr_fail(tr *t)
{
    t->err = 1;
    t->p = t->end;
}

uint64_t tr_varint(tr *t)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (t->p >= t->end) {
            tr_fail(t);
            return 0;
        }
        uint8_t b = *t->p++;
        v |= (uint64_t)(b & 0x7F) << shift;
        if (!(b & 0x80))
            return v;
    }
    tr_fail(t);
    return 0;
}

int64_t tr_int(tr *t)
{
    uint64_t v = tr_varint(t);
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

int tr_field(tr *t, int16_t *last, int16_t *id, int *type)
{
    if (t->p >= t->end) {
        tr_fail(t);
        return 0;
    }
    uint8_t b = *t->p++;
    if (b == TC_STOP)
        return 0;
    *type = b & 0x0F;
    if (b >> 4)
        *id = (int16_t)(*last + (b >> 4));
    else
        *id = (int16_t)tr_int(t);
    *last = *id;
    return !t->err;
}

uint32_t tr_list(tr *t, int *elem_type)
{
    if (t->p >= t->end) {
        tr_fail(t);
        return 0;
    }
    uint8_t b = *t->p++;
    *elem_type = b & 0x0F;
    uint64_t n = b >> 4;
    if (n == 15)
        n = tr_varint(t);
    /* Every element takes at least one byte, but booleans in a list. */
    if (n > (uint64_t)(t->end - t->p) && *elem_type != TC_TRUE && *elem_type != TC_FALSE)
        n = 0, tr_fail(t);
    if (n > UINT32_MAX)
        n = 0, tr_fail(t);
    return (uint32_t)n;
}

const uint8_t *tr_bin(tr *t, size_t *len)
{
    uint64_t n = tr_varint(t);
    if (t->err || n > (uint64_t)(t->end - t->p)) {
        tr_fail(t);
        *len = 0;
        return (const uint8_t *)"";
    }
    const uint8_t *p = t->p;
    t->p += n;
    *len = (size_t)n;
    return p;
}

int tr_bool(tr *t, int type)
{
    if (type == TC_TRUE || type == TC_FALSE)
        return type == TC_TRUE;
    tr_fail(t);
    return 0;
}

void tr_skip(tr *t, int type)
{
    if (t->err)
        return;
    if (++t->depth > TR_MAX_DEPTH) {
        tr_fail(t);
        return;
    }
    size_t len;
    switch (type) {
    case TC_TRUE:
    case TC_FALSE:
        break;
    case TC_BYTE:
        if (t->p < t->end)
            t->p++;
        else
            tr_fail(t);
        break;
    case TC_I16:
    case TC_I32:
    case TC_I64:
        tr_varint(t);
        break;
    case TC_DOUBLE:
        if (t->end - t->p >= 8)
            t->p += 8;
        else
            tr_fail(t);
        break;
    case TC_BINARY:
        tr_bin(t, &len);
        break;
    case TC_LIST:
    case TC_SET: {
        int et;
        uint32_t n = tr_list(t, &et);
        for (uint32_t i = 0; i < n && !t->err; i++)
            tr_skip(t, et == TC_FALSE ? TC_BYTE : et == TC_TRUE ? TC_BYTE : et);
        break;
    }
    case TC_MAP: {
        uint64_t n = tr_varint(t);
        if (n == 0)
            break;
        if (t->p >= t->end || n > (uint64_t)(t->end - t->p)) {
            tr_fail(t);
            break;
        }
        uint8_t kv = *t->p++;
        int kt = kv >> 4, vt = kv & 0x0F;
        for (uint64_t i = 0; i < n && !t->err; i++) {
            tr_skip(t, kt == TC_TRUE || kt == TC_FALSE ? TC_BYTE : kt);
            tr_skip(t, vt == TC_TRUE || vt == TC_FALSE ? TC_BYTE : vt);
        }
        break;
    }
    case TC_STRUCT: {
        int16_t last = 0, id;
        int ft;
        while (tr_field(t, &last, &id, &ft))
            tr_skip(t, ft);
        break;
    }
    default:
        tr_fail(t);
    }
    t->depth--;
}
