/* pqread.h -- the reader's view of a Parquet file: the footer as a schema
 * tree and column chunk locations (meta.c), and one column chunk decoded
 * into levels and values (column.c).  read.c turns rows into documents. */
#ifndef CV_PARQUET_PQREAD_H
#define CV_PARQUET_PQREAD_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* Physical types and repetitions, as parquet.thrift numbers them. */
enum { PT_BOOLEAN, PT_INT32, PT_INT64, PT_INT96, PT_FLOAT, PT_DOUBLE, PT_BYTE_ARRAY, PT_FIXED };
enum { REP_REQUIRED, REP_OPTIONAL, REP_REPEATED };

/* What a leaf's values mean, from its converted and logical types. */
typedef enum pq_kind {
    K_BOOL, K_INT, K_UINT, K_FLOAT, K_STRING, K_BYTES, K_DATE, K_TIME, K_TIMESTAMP, K_DECIMAL, K_UUID, K_FLOAT16,
    K_INT96
} pq_kind;

typedef struct pq_node {
    char *name;
    int type; /* PT_*, or -1 for a group */
    int type_length, repetition, nchildren;
    int converted; /* -1: none */
    int is_list, is_map; /* groups annotated LIST or MAP */
    pq_kind kind;
    int scale, unit, utc; /* decimals; times and timestamps: unit 1 ms, 2 us, 3 ns */
    int max_def, max_rep;
    int *children;
    int leaf; /* index among the leaves, or -1 */
} pq_node;

typedef struct pq_chunk {
    int codec, type;
    int64_t num_values, start, size; /* start: the dictionary page, or else the first data page */
    int skip;                        /* another file's chunk, or no metadata: cannot be read */
} pq_chunk;

typedef struct pq_group {
    int64_t rows;
    pq_chunk *chunks; /* one per leaf */
} pq_group;

typedef struct pq_meta {
    pq_node *nodes; /* nodes[0]: the root */
    int nnodes;
    int *leaves; /* leaf -> node */
    int nleaves;
    pq_group *groups;
    int ngroups;
    int64_t rows;
} pq_meta;

/* The footer (Thrift FileMetaData) into m.  0, or -1 with why. */
int pq_meta_parse(const uint8_t *p, size_t len, uint64_t file_size, pq_meta *m, char *why, size_t whylen);
void pq_meta_free(pq_meta *m);
/* A leaf's dotted path ("a.list.element"), into b. */
void pq_leaf_path(const pq_meta *m, int leaf, cv_buf *b);

/* A value of a leaf: integers (booleans, int96 as nanoseconds since the
 * epoch), floating point, or bytes borrowed from the column's blocks. */
typedef union pq_val {
    int64_t i;
    double d;
    struct {
        const char *p;
        uint32_t len;
    } s;
} pq_val;

/* One column chunk, decoded: level entries and the values of those at max_def. */
typedef struct pq_col {
    uint8_t *def, *rep; /* n entries each, or NULL when the maximum is 0 */
    size_t n, cap, rcap;
    pq_val *vals;
    size_t nvals, vcap;
    pq_val *dict;
    size_t ndict;
    void **blocks; /* memory the values point into: freed by pq_col_reset */
    size_t nblocks, cblocks;
} pq_col;

/* Decode the chunk's bytes (owned by the column from here on: a block).
 * 0, or -1 with where and why in err. */
int pq_col_read(pq_col *c, void *chunk, size_t len, const pq_node *leaf, const pq_chunk *ch, cv_buf *err);
void pq_col_reset(pq_col *c);
void pq_col_free(pq_col *c);

const char *pq_codec_name(int codec);
const char *pq_encoding_name(int enc);

#endif
