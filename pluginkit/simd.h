/* simd.h -- the byte tests the plugins' sixteen-bytes-at-a-time paths are
 * made of (SSE2, the x86-64 baseline).  Each gives all ones in the bytes
 * where it holds. */
#ifndef CV_SIMD_H
#define CV_SIMD_H

#ifdef __SSE2__
#include <emmintrin.h>

/* Bytes of v equal to c. */
static inline __m128i sse_is(__m128i v, char c) { return _mm_cmpeq_epi8(v, _mm_set1_epi8(c)); }

/* Bytes of v in [lo, hi], compared as signed bytes (lo > -128, hi < 127). */
static inline __m128i sse_in(__m128i v, char lo, char hi)
{
    const __m128i above = _mm_cmpgt_epi8(v, _mm_set1_epi8((char)(lo - 1)));
    return _mm_and_si128(above, _mm_cmplt_epi8(v, _mm_set1_epi8((char)(hi + 1))));
}
#endif

#endif
