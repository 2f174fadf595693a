/* hintset.c -- see hintset.h.  A trie whose edges, (node, byte) -> node,
 * sit in one open-addressing table: a few kilobytes for the shipped hints,
 * and no 256-way arrays per node for a long user list. */
#include "hintset.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define LONG_WORD 4 /* bytes from which a word also names the tokens it begins */

typedef struct edge {
    uint32_t from, to; /* to == 0: an empty slot (the root is no one's child) */
    unsigned char byte;
} edge;

typedef struct node_bits {
    unsigned equal;  /* lists with a word of fewer than LONG_WORD bytes ending here */
    unsigned prefix; /* lists with a longer word ending here */
} node_bits;

struct hint_set {
    node_bits *node;
    uint32_t nodes;
    edge *slot;
    size_t mask; /* slots - 1, a power of two minus one */
};

static size_t slot_of(const hint_set *s, uint32_t from, unsigned char byte)
{
    uint64_t key = ((uint64_t)from << 8 | byte) * 0x9E3779B97F4A7C15ull;
    return (size_t)(key >> 32) & s->mask;
}

/* The edge's slot, or the empty one where it would go. */
static edge *find(const hint_set *s, uint32_t from, unsigned char byte)
{
    for (size_t i = slot_of(s, from, byte);; i = (i + 1) & s->mask) {
        edge *e = &s->slot[i];
        if (!e->to || (e->from == from && e->byte == byte))
            return e;
    }
}

hint_set *hint_set_new(char *const *const lists[], const size_t counts[], size_t nlists)
{
    size_t bytes = 0;
    for (size_t l = 0; l < nlists; l++)
        for (size_t i = 0; i < counts[l]; i++)
            bytes += strlen(lists[l][i]);
    if (bytes >= UINT32_MAX / 4)
        return NULL;
    hint_set *s = xcalloc(1, sizeof *s);
    s->node = xcalloc(bytes + 1, sizeof *s->node);
    s->nodes = 1;
    size_t slots = 16;
    while (slots < 2 * (bytes + 1)) /* at most half full: short probes */
        slots *= 2;
    s->slot = xcalloc(slots, sizeof *s->slot);
    s->mask = slots - 1;
    for (size_t l = 0; l < nlists && l < 32; l++)
        for (size_t i = 0; i < counts[l]; i++) {
            const unsigned char *w = (const unsigned char *)lists[l][i];
            size_t len = strlen((const char *)w);
            if (!len)
                continue;
            uint32_t n = 0;
            for (size_t j = 0; j < len; j++) {
                edge *e = find(s, n, w[j]);
                if (!e->to)
                    *e = (edge){n, s->nodes++, w[j]};
                n = e->to;
            }
            if (len < LONG_WORD)
                s->node[n].equal |= 1u << l;
            else
                s->node[n].prefix |= 1u << l;
        }
    return s;
}

void hint_set_free(hint_set *s)
{
    if (!s)
        return;
    free(s->node);
    free(s->slot);
    free(s);
}

unsigned hint_set_match(const hint_set *s, const char *tok, size_t k)
{
    if (!s || !k)
        return 0;
    unsigned found = 0;
    uint32_t n = 0;
    for (size_t i = 0; i < k; i++) {
        n = find(s, n, (unsigned char)tok[i])->to;
        if (!n)
            return found;
        found |= s->node[n].prefix;
    }
    return found | s->node[n].equal;
}
