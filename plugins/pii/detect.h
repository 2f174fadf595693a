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

/* The words the scanners read around a number (config/pii/cues.yaml): ASCII
 * letters in them are lowered and match any case; other bytes match as
 * written.  Read-only once loaded, so instances share one. */
typedef struct pii_words {
    char **v;
    size_t n;
} pii_words;

typedef struct pii_cues {
    pii_words version_words;   /* "version 1.2.3.4": not an address */
    pii_words phone_cues;      /* "Tel.: ...": a phone number */
    pii_words isbn_cues;       /* "ISBN ...": not a phone number */
    pii_words currency_before; /* "$ 555 1234": a price */
    pii_words currency_after;  /* "1 200 000 UAH": a price */
    pii_words file_suffixes;   /* "icon@2x.png": not an e-mail address */
} pii_cues;

/* NULL with "FILE: message" in err when the file is missing or malformed. */
pii_cues *pii_cues_load(const char *path, char *err, size_t errlen);
void pii_cues_free(pii_cues *c);

/* Kinds to look for: bit 1 << PII_* each. */
/* Appends the hits in s[0, len) to *out, sorted by start, never overlapping. */
void pii_find(const char *s, size_t len, unsigned kinds, const pii_cues *cues, pii_hits *out);
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
