/* detect.h -- personal data in text, found without regular expressions.
 *
 * Each detector walks the text once and looks at most a fixed number of
 * bytes around each place it starts from (an e-mail's local part is at most
 * 64 bytes, its domain 253, an address 45, a phone number 32), so a
 * document costs time in proportion to its length whatever it holds. */
#ifndef PII_DETECT_H
#define PII_DETECT_H

#include <stddef.h>
#include <stdint.h>

enum { PII_EMAIL, PII_IP, PII_PHONE, PII_NKINDS };

typedef struct pii_hit {
    size_t start, end; /* byte range, end exclusive */
    int kind;          /* PII_* */
} pii_hit;

typedef struct pii_hits {
    pii_hit *v;
    size_t n, cap;
} pii_hits;

/* Kinds to look for: bit 1 << PII_* each. */
/* Appends the hits in s[0, len) to *out, sorted by start, never overlapping. */
void pii_find(const char *s, size_t len, unsigned kinds, pii_hits *out);
void pii_hits_free(pii_hits *h);

/* Address checks, exposed for the tests: 1 when the address is one a person
 * may be reached at (Python's ipaddress is_global, less multicast and the
 * reserved ranges).  v6 is 16 bytes, network order. */
int pii_ipv4_is_global(uint32_t a);
int pii_ipv6_is_global(const uint8_t v6[16]);
/* Parse an address at s (not past end); its length, 0 when there is none. */
size_t pii_parse_ipv4(const char *s, const char *end, uint32_t *out);
size_t pii_parse_ipv6(const char *s, const char *end, uint8_t out[16]);

#endif
