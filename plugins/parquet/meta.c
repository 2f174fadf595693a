/* meta.c -- the Parquet footer (FileMetaData) read into a schema tree and
 * the column chunks of each row group.  Fields this reader does not use are
 * skipped; anything that lies about sizes or structure is an error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pqread.h"
#include "thrift.h"

#define MAX_NODES 100000
#define MAX_LEVEL 250

typedef struct mctx {
    tr t;
    char *why;
    size_t whylen;
} mctx;

static int bad(mctx *c, const char *what)
{
    if (!c->why[0])
        snprintf(c->why, c->whylen, "footer: %s (at byte %zu of the footer)", what, (size_t)(c->t.p - c->t.start));
    return -1;
}

static void xfree_node(pq_node *n)
{
    free(n->name);
    free(n->children);
}

/* LogicalType (a union) into the node. */
static void logical(tr *t, pq_node *n)
{
    int16_t last = 0, id, sub_last, sub_id;
    int type, st;
    while (tr_field(t, &last, &id, &type)) {
        if (type != TC_STRUCT) {
            tr_skip(t, type);
            continue;
        }
        switch (id) {
        case 1: /* STRING */
        case 4: /* ENUM */
        case 12: /* JSON */
            n->kind = K_STRING;
            tr_skip(t, type);
            break;
        case 2:
            n->is_map = 1;
            tr_skip(t, type);
            break;
        case 3:
            n->is_list = 1;
            tr_skip(t, type);
            break;
        case 5: /* DECIMAL */
            n->kind = K_DECIMAL;
            sub_last = 0;
            while (tr_field(t, &sub_last, &sub_id, &st))
                if (sub_id == 1 && st == TC_I32)
                    n->scale = (int)tr_int(t);
                else
                    tr_skip(t, st);
            break;
        case 6:
            n->kind = K_DATE;
            tr_skip(t, type);
            break;
        case 7: /* TIME */
        case 8: /* TIMESTAMP */
            n->kind = id == 7 ? K_TIME : K_TIMESTAMP;
            sub_last = 0;
            while (tr_field(t, &sub_last, &sub_id, &st)) {
                if (sub_id == 1 && (st == TC_TRUE || st == TC_FALSE)) {
                    n->utc = tr_bool(t, st);
                } else if (sub_id == 2 && st == TC_STRUCT) { /* TimeUnit: a union of empty structs */
                    int16_t ul = 0, uid;
                    int ut;
                    while (tr_field(t, &ul, &uid, &ut)) {
                        if (uid >= 1 && uid <= 3)
                            n->unit = uid;
                        tr_skip(t, ut);
                    }
                } else {
                    tr_skip(t, st);
                }
            }
            break;
        case 10: { /* INTEGER */
            int sign = 1;
            sub_last = 0;
            while (tr_field(t, &sub_last, &sub_id, &st))
                if (sub_id == 2 && (st == TC_TRUE || st == TC_FALSE))
                    sign = tr_bool(t, st);
                else
                    tr_skip(t, st);
            n->kind = sign ? K_INT : K_UINT;
            break;
        }
        case 14:
            n->kind = K_UUID;
            tr_skip(t, type);
            break;
        case 15:
            n->kind = K_FLOAT16;
            tr_skip(t, type);
            break;
        default:
            tr_skip(t, type);
        }
    }
}

static void default_kind(pq_node *n)
{
    switch (n->type) {
    case PT_BOOLEAN:
        n->kind = K_BOOL;
        break;
    case PT_INT32:
    case PT_INT64:
        n->kind = K_INT;
        break;
    case PT_INT96:
        n->kind = K_INT96;
        break;
    case PT_FLOAT:
    case PT_DOUBLE:
        n->kind = K_FLOAT;
        break;
    default:
        n->kind = K_BYTES;
    }
}

static void converted(pq_node *n)
{
    switch (n->converted) {
    case 0: /* UTF8 */
    case 4: /* ENUM */
    case 19: /* JSON */
        n->kind = K_STRING;
        break;
    case 1:
    case 2:
        n->is_map = 1;
        break;
    case 3:
        n->is_list = 1;
        break;
    case 5:
        n->kind = K_DECIMAL;
        break;
    case 6:
        n->kind = K_DATE;
        break;
    case 7:
    case 8:
        n->kind = K_TIME;
        n->unit = n->converted - 6;
        break;
    case 9:
    case 10:
        n->kind = K_TIMESTAMP;
        n->unit = n->converted - 8;
        n->utc = 1;
        break;
    case 11:
    case 12:
    case 13:
    case 14:
        n->kind = K_UINT;
        break;
    }
}

static int schema_element(mctx *c, pq_node *n)
{
    tr *t = &c->t;
    int16_t last = 0, id;
    int type;
    *n = (pq_node){.type = -1, .converted = -1, .leaf = -1};
    int has_logical = 0;
    pq_node lg = {0};
    while (tr_field(t, &last, &id, &type)) {
        if (id == 1 && type == TC_I32)
            n->type = (int)tr_int(t);
        else if (id == 2 && type == TC_I32)
            n->type_length = (int)tr_int(t);
        else if (id == 3 && type == TC_I32)
            n->repetition = (int)tr_int(t);
        else if (id == 4 && type == TC_BINARY) {
            size_t len;
            const uint8_t *s = tr_bin(t, &len);
            free(n->name);
            n->name = strndup((const char *)s, len);
        } else if (id == 5 && type == TC_I32)
            n->nchildren = (int)tr_int(t);
        else if (id == 6 && type == TC_I32)
            n->converted = (int)tr_int(t);
        else if (id == 7 && type == TC_I32)
            n->scale = (int)tr_int(t);
        else if (id == 10 && type == TC_STRUCT) {
            lg = (pq_node){.kind = (pq_kind)-1};
            logical(t, &lg);
            has_logical = 1;
        } else
            tr_skip(t, type);
    }
    if (t->err)
        return bad(c, "a schema element runs past the end");
    if (!n->name)
        n->name = strdup("");
    if (n->repetition < 0 || n->repetition > 2 || n->nchildren < 0 || n->nchildren > MAX_NODES ||
        n->type < -1 || n->type > PT_FIXED || (n->type == -1 && n->nchildren == 0 && n->converted < 0))
        return bad(c, "a schema element with an unknown type or repetition");
    if (n->type >= 0)
        n->nchildren = 0;
    default_kind(n);
    converted(n);
    if (has_logical) {
        if ((int)lg.kind >= 0) {
            n->kind = lg.kind;
            n->unit = lg.unit;
            n->utc = lg.utc;
            if (lg.kind == K_DECIMAL)
                n->scale = lg.scale;
        }
        n->is_list |= lg.is_list;
        n->is_map |= lg.is_map;
    }
    /* Integer annotations on INT32/INT64 only; the rest keep their physical meaning. */
    if ((n->kind == K_UINT || n->kind == K_INT || n->kind == K_DATE || n->kind == K_TIME ||
         n->kind == K_TIMESTAMP) && n->type != PT_INT32 && n->type != PT_INT64)
        default_kind(n);
    if (n->kind == K_DECIMAL && n->type != PT_INT32 && n->type != PT_INT64 && n->type != PT_FIXED &&
        n->type != PT_BYTE_ARRAY)
        default_kind(n);
    if ((n->kind == K_UUID && !(n->type == PT_FIXED && n->type_length == 16)) ||
        (n->kind == K_FLOAT16 && !(n->type == PT_FIXED && n->type_length == 2)))
        default_kind(n);
    if (n->kind == K_STRING && n->type != PT_BYTE_ARRAY && n->type != PT_FIXED)
        default_kind(n);
    if (n->type == PT_FIXED && (n->type_length <= 0 || n->type_length > (1 << 20)))
        return bad(c, "a FIXED_LEN_BYTE_ARRAY without a sane length");
    return 0;
}

/* Children of node i are the next subtrees in depth-first order. */
static int build_tree(mctx *c, pq_meta *m, int i, int *next, int def, int rep, int depth)
{
    pq_node *n = &m->nodes[i];
    if (depth > 64)
        return bad(c, "schema nested deeper than 64");
    if (i > 0) {
        def += n->repetition != REP_REQUIRED;
        rep += n->repetition == REP_REPEATED;
    }
    if (def > MAX_LEVEL || rep > MAX_LEVEL)
        return bad(c, "schema too deep");
    n->max_def = def;
    n->max_rep = rep;
    if (n->type >= 0) {
        n->leaf = m->nleaves++;
        return 0;
    }
    n->children = calloc((size_t)n->nchildren + 1, sizeof *n->children);
    if (!n->children)
        return bad(c, "out of memory");
    for (int k = 0; k < n->nchildren; k++) {
        if (*next >= m->nnodes)
            return bad(c, "the schema names more children than it has elements");
        int child = (*next)++;
        n = &m->nodes[i];
        n->children[k] = child;
        if (build_tree(c, m, child, next, def, rep, depth + 1) < 0)
            return -1;
    }
    return 0;
}

static int column_chunk(mctx *c, const pq_meta *m, pq_chunk *ch, int leaf, uint64_t file_size)
{
    tr *t = &c->t;
    int16_t last = 0, id, ml, mid;
    int type, mt, got_meta = 0;
    int64_t data_off = -1, dict_off = -1;
    *ch = (pq_chunk){.codec = -1, .type = -1};
    while (tr_field(t, &last, &id, &type)) {
        if (id == 1 && type == TC_BINARY) {
            size_t len;
            tr_bin(t, &len);
            ch->skip = 1; /* a chunk in another file */
        } else if ((id == 8 || id == 9) && type == TC_STRUCT) {
            snprintf(c->why, c->whylen, "encrypted columns are not supported");
            tr_skip(t, type);
            return -1;
        } else if (id == 3 && type == TC_STRUCT) {
            got_meta = 1;
            ml = 0;
            while (tr_field(t, &ml, &mid, &mt)) {
                if (mid == 1 && mt == TC_I32)
                    ch->type = (int)tr_int(t);
                else if (mid == 4 && mt == TC_I32)
                    ch->codec = (int)tr_int(t);
                else if (mid == 5 && mt == TC_I64)
                    ch->num_values = tr_int(t);
                else if (mid == 7 && mt == TC_I64)
                    ch->size = tr_int(t);
                else if (mid == 9 && mt == TC_I64)
                    data_off = tr_int(t);
                else if (mid == 11 && mt == TC_I64)
                    dict_off = tr_int(t);
                else
                    tr_skip(t, mt);
            }
        } else {
            tr_skip(t, type);
        }
    }
    if (t->err)
        return bad(c, "a column chunk runs past the end");
    if (ch->skip)
        return 0;
    if (!got_meta)
        return bad(c, "a column chunk without metadata");
    const pq_node *n = &m->nodes[m->leaves[leaf]];
    if (ch->type != n->type)
        return bad(c, "a column chunk whose type is not its schema's");
    /* Some writers put a dictionary offset of 0 for none; a dictionary comes before the data. */
    ch->start = dict_off > 0 && dict_off < data_off ? dict_off : data_off;
    if (ch->start < 4 || ch->size < 0 || ch->num_values < 0 || (uint64_t)ch->start > file_size ||
        (uint64_t)ch->size > file_size - (uint64_t)ch->start)
        return bad(c, "a column chunk that lies outside the file");
    return 0;
}

static int row_group(mctx *c, pq_meta *m, pq_group *g, uint64_t file_size)
{
    tr *t = &c->t;
    int16_t last = 0, id;
    int type, got = 0;
    while (tr_field(t, &last, &id, &type)) {
        if (id == 1 && type == TC_LIST) {
            int et;
            uint32_t n = tr_list(t, &et);
            if (got || et != TC_STRUCT || n != (uint32_t)m->nleaves)
                return bad(c, "a row group whose column count is not the schema's");
            got = 1;
            g->chunks = calloc(n + 1, sizeof *g->chunks);
            if (!g->chunks)
                return bad(c, "out of memory");
            for (uint32_t k = 0; k < n; k++)
                if (column_chunk(c, m, &g->chunks[k], (int)k, file_size) < 0)
                    return -1;
        } else if (id == 3 && type == TC_I64) {
            g->rows = tr_int(t);
        } else {
            tr_skip(t, type);
        }
    }
    if (t->err)
        return bad(c, "a row group runs past the end");
    if (g->rows < 0 || (!got && g->rows > 0))
        return bad(c, "a row group without columns");
    return 0;
}

int pq_meta_parse(const uint8_t *p, size_t len, uint64_t file_size, pq_meta *m, char *why, size_t whylen)
{
    mctx c = {.why = why, .whylen = whylen};
    why[0] = '\0';
    *m = (pq_meta){0};
    tr_init(&c.t, p, len);
    tr *t = &c.t;
    int16_t last = 0, id;
    int type, got_schema = 0;
    while (tr_field(t, &last, &id, &type)) {
        if (id == 2 && type == TC_LIST && !got_schema) {
            int et;
            uint32_t n = tr_list(t, &et);
            if (et != TC_STRUCT || n < 1 || n > MAX_NODES)
                return bad(&c, "the schema is not a list of elements");
            got_schema = 1;
            m->nodes = calloc(n, sizeof *m->nodes);
            if (!m->nodes)
                return bad(&c, "out of memory");
            for (uint32_t k = 0; k < n; k++) {
                m->nnodes = (int)k + 1;
                if (schema_element(&c, &m->nodes[k]) < 0)
                    return -1;
            }
            int next = 1;
            m->nodes[0].type = -1;
            if (build_tree(&c, m, 0, &next, 0, 0, 0) < 0)
                return -1;
            if (next != m->nnodes)
                return bad(&c, "schema elements that belong to no group");
            m->leaves = calloc((size_t)m->nleaves + 1, sizeof *m->leaves);
            if (!m->leaves)
                return bad(&c, "out of memory");
            for (int k = 0; k < m->nnodes; k++)
                if (m->nodes[k].leaf >= 0)
                    m->leaves[m->nodes[k].leaf] = k;
        } else if (id == 3 && type == TC_I64) {
            m->rows = tr_int(t);
        } else if (id == 4 && type == TC_LIST) {
            if (!got_schema)
                return bad(&c, "row groups before the schema");
            int et;
            uint32_t n = tr_list(t, &et);
            if (et != TC_STRUCT || m->groups)
                return bad(&c, "row groups that are not a list of structs");
            m->groups = calloc((size_t)n + 1, sizeof *m->groups);
            if (!m->groups)
                return bad(&c, "out of memory");
            for (uint32_t k = 0; k < n; k++) {
                m->ngroups = (int)k + 1;
                if (row_group(&c, m, &m->groups[k], file_size) < 0)
                    return -1;
            }
        } else if (id == 8 && type == TC_STRUCT) {
            snprintf(why, whylen, "encrypted files are not supported (the footer names an encryption algorithm)");
            return -1;
        } else {
            tr_skip(t, type);
        }
    }
    if (t->err)
        return bad(&c, "the metadata runs past its length");
    if (!got_schema)
        return bad(&c, "no schema");
    int64_t sum = 0;
    for (int g = 0; g < m->ngroups; g++)
        sum += m->groups[g].rows;
    if (sum != m->rows)
        return bad(&c, "the row groups' rows do not add up to the file's");
    return 0;
}

void pq_meta_free(pq_meta *m)
{
    for (int i = 0; i < m->nnodes; i++)
        xfree_node(&m->nodes[i]);
    free(m->nodes);
    free(m->leaves);
    for (int g = 0; g < m->ngroups; g++)
        free(m->groups[g].chunks);
    free(m->groups);
    *m = (pq_meta){0};
}

static int path_to(const pq_meta *m, int node, int target, cv_buf *b)
{
    if (node == target)
        return 1;
    const pq_node *n = &m->nodes[node];
    for (int k = 0; k < n->nchildren; k++) {
        size_t at = b->len;
        if (node)
            buf_addc(b, '.');
        buf_adds(b, m->nodes[n->children[k]].name);
        if (path_to(m, n->children[k], target, b))
            return 1;
        b->len = at;
    }
    return 0;
}

void pq_leaf_path(const pq_meta *m, int leaf, cv_buf *b)
{
    b->len = 0;
    path_to(m, 0, m->leaves[leaf], b);
    buf_addc(b, '\0');
    b->len--;
}
