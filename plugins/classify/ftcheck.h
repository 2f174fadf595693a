/* ftcheck.h -- is a file a whole fastText classifier?  Checked before
 * fastText's own loader sees it: that loader trusts every length it reads (a
 * truncated dictionary makes it loop until memory runs out, a wrong matrix
 * size makes it read out of bounds), so a bad model must never reach it. */
#ifndef CLASSIFY_FTCHECK_H
#define CLASSIFY_FTCHECK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ftcheck_info {
    int32_t version, dim, nwords, nlabels;
    int32_t loss;  /* 1 hs, 2 ns, 3 softmax, 4 one-vs-all */
    int quantized; /* a .ftz: product-quantized input matrix */
} ftcheck_info;

/* Walk the n bytes of a model file as fastText 0.9.2 reads them (format
 * versions 11 and 12) and check every count and size against the bytes
 * there are.  0 when fastText can load it safely as a supervised model;
 * -1 with the reason in err. */
int ftcheck(const unsigned char *p, size_t n, ftcheck_info *info, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
