/* lsh.h -- the LSH index of dedup's streaming mode: per band, a 64-bit band
 * key -> the documents under it (kept ones by number, dropped ones as held
 * places), capped per key.
 *
 * 8 bytes an entry, not 16: a slot holds the key's high 32 bits (its tag,
 * which also gives its place, so growing never needs the key) and either a
 * kept document's number or a dropped one's low key bits.  The index is
 * nonetheless exact: a held place carries the rest of its key (bit 0 is
 * always 1), and a kept document under a matching tag is asked about (the
 * caller recomputes its band key from its signature).  Each band has its own
 * table, all in one allocation grown together, so an entry's band is known.
 *
 * A document is looked up in every band first (lsh_find, which also notes
 * where it would go) and entered after the decision (lsh_enter), one walk of
 * each chain instead of two: lsh_reserve before the lookups makes room, so
 * the places noted stay valid. */
#ifndef DEDUP_LSH_H
#define DEDUP_LSH_H

#include <stddef.h>
#include <stdint.h>

/* Kept documents are numbered below this (bit 31 marks a held place). */
#define LSH_MAX_DOCS ((uint32_t)0x7FFFFFFE)

typedef struct lsh {
    uint64_t *slot;    /* bands tables of cap slots: tag << 32 | entry, 0 empty */
    size_t bands, cap; /* cap: slots per band, a power of two */
    size_t docs;       /* documents reserved for (each enters a band at most once) */
} lsh;

/* Where a key stands in its band: the entries under it and the free slot
 * that ends its chain. */
typedef struct lsh_spot {
    size_t at;
    size_t same;
} lsh_spot;

/* Whether kept document doc's key in band is key (its tag matched); it may
 * also note doc as a candidate. */
typedef int lsh_member_fn(void *arg, size_t band, uint32_t doc, uint64_t key);

void lsh_init(lsh *l, size_t bands);
void lsh_free(lsh *l);
/* Room for one more document in every band: call before its lsh_find. */
void lsh_reserve(lsh *l);
/* Where key's home slot in band is: to prefetch. */
const void *lsh_home(const lsh *l, size_t band, uint64_t key);
/* Count the entries under key in band into *spot, asking member about each
 * kept document whose tag matches. */
void lsh_find(const lsh *l, size_t band, uint64_t key, lsh_member_fn *member, void *arg, lsh_spot *spot);
/* Enter kept document doc (or, doc UINT32_MAX, a held place) under key at
 * the spot lsh_find gave, unless cap (0: none) entries are there already. */
void lsh_enter(lsh *l, size_t band, uint64_t key, uint32_t doc, const lsh_spot *spot, size_t cap);

#endif
