#include <math.h>
#include "internal.h"

/* int8 dot products for the dense scan. Stored rows and the query are int8 in [-127, 127] (never
 * -128, which the AVX2 sign trick below cannot negate). */

float parley_quantize_i8(const float *x, long n, int8_t *out) {
    float largest = 0;
    for (long j = 0; j < n; j++) largest = fmaxf(largest, fabsf(x[j]));
    if (!(largest > 0) || !isfinite(largest)) {
        for (long j = 0; j < n; j++) out[j] = 0;
        return 0;
    }
    float inverse = 127.0f / largest;
    for (long j = 0; j < n; j++) {
        float v = nearbyintf(x[j] * inverse);
        out[j] = (int8_t)(v > 127 ? 127 : v < -127 ? -127 : v);
    }
    return largest / 127.0f;
}

static int32_t dot_i8_portable(const int8_t *x, const int8_t *q, long dims) {
    int32_t sum = 0;
    for (long j = 0; j < dims; j++) sum += (int32_t)x[j] * q[j];
    return sum;
}

#if PARLEY_X86
/* VNNI's vpdpbusd multiplies unsigned by signed bytes, so the stored row is flipped to unsigned
 * (x + 128, one xor) and the constant 128 · Σq it adds is taken off by the caller. */
PARLEY_TARGET_AVX512
static inline int32_t dot_i8_avx512(const int8_t *x, const int8_t *q, long dims) {
    const __m512i flip = _mm512_set1_epi8((char)0x80);
    __m512i acc = _mm512_setzero_si512();
    long p = 0;
    for (; p + 64 <= dims; p += 64) {
        __m512i xv = _mm512_xor_si512(_mm512_loadu_si512(x + p), flip);
        acc = _mm512_dpbusd_epi32(acc, xv, _mm512_loadu_si512(q + p));
    }
    if (p < dims) {
        __mmask64 tail = (__mmask64)((1ULL << (dims - p)) - 1);
        /* Masked-off bytes: x flips to 128, q stays 0, so they add nothing. */
        __m512i xv = _mm512_xor_si512(_mm512_maskz_loadu_epi8(tail, x + p), flip);
        acc = _mm512_dpbusd_epi32(acc, xv, _mm512_maskz_loadu_epi8(tail, q + p));
    }
    return _mm512_reduce_add_epi32(acc);
}

/* AVX2 has no VNNI: maddubs(|x|, q·sign(x)) gives x·q in pairs without saturating (both ≤ 127 in
 * magnitude, so a pair is at most 2·127² < 32767), then madd with ones widens to 32 bits. */
PARLEY_TARGET_AVX2
static inline int32_t dot_i8_avx2(const int8_t *x, const int8_t *q, long dims) {
    const __m256i ones = _mm256_set1_epi16(1);
    __m256i acc = _mm256_setzero_si256();
    long p = 0;
    for (; p + 32 <= dims; p += 32) {
        __m256i xv = _mm256_loadu_si256((const __m256i *)(x + p));
        __m256i qv = _mm256_loadu_si256((const __m256i *)(q + p));
        __m256i pairs = _mm256_maddubs_epi16(_mm256_sign_epi8(xv, xv), _mm256_sign_epi8(qv, xv));
        acc = _mm256_add_epi32(acc, _mm256_madd_epi16(pairs, ones));
    }
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
    return _mm_cvtsi128_si32(s) + dot_i8_portable(x + p, q + p, dims - p);
}
#endif

static int32_t query_offset(const int8_t *q, long dims) {
    int32_t sum = 0;
    for (long j = 0; j < dims; j++) sum += q[j];
    return 128 * sum;
}

/* One scan loop per ISA, so each inlines its dot product. */
#define PARLEY_SCAN_BODY(DOT, OFFSET)                                                   \
    for (long i = 0; i < n; i++) {                                                      \
        if (filter && !parley_filter_passes(filter, i)) continue;                       \
        int32_t dot = DOT(vectors + i * dims, query, dims) - (OFFSET);                  \
        parley_selector_push(&sel, scales[i] * (float)dot, (uint32_t)i);                \
    }

#if PARLEY_X86
PARLEY_TARGET_AVX512
static void scan_avx512(parley_selector *s, const int8_t *vectors, const float *scales, long n, long dims,
                        const int8_t *query, const parley_filter *filter) {
    parley_selector sel = *s;
    int32_t offset = query_offset(query, dims);
    PARLEY_SCAN_BODY(dot_i8_avx512, offset)
    *s = sel;
}

PARLEY_TARGET_AVX2
static void scan_avx2(parley_selector *s, const int8_t *vectors, const float *scales, long n, long dims,
                      const int8_t *query, const parley_filter *filter) {
    parley_selector sel = *s;
    PARLEY_SCAN_BODY(dot_i8_avx2, 0)
    *s = sel;
}
#endif

static void scan_portable(parley_selector *s, const int8_t *vectors, const float *scales, long n, long dims,
                          const int8_t *query, const parley_filter *filter) {
    parley_selector sel = *s;
    PARLEY_SCAN_BODY(dot_i8_portable, 0)
    *s = sel;
}

long parley_i8_scan(int isa, const int8_t *vectors, const float *scales, long n, long dims,
                    const int8_t *query, const parley_filter *filter, long keep, parley_hit *scratch) {
    if (keep <= 0 || n <= 0) return 0;
    parley_selector sel;
    parley_selector_init(&sel, scratch, keep);
    switch (parley_isa_clamp(isa)) {
#if PARLEY_X86
    case PARLEY_ISA_AVX512: scan_avx512(&sel, vectors, scales, n, dims, query, filter); break;
    case PARLEY_ISA_AVX2: scan_avx2(&sel, vectors, scales, n, dims, query, filter); break;
#endif
    default: scan_portable(&sel, vectors, scales, n, dims, query, filter); break;
    }
    return parley_selector_finish(&sel);
}

void parley_i8_rescore(int isa, const int8_t *vectors, const float *scales, long dims,
                       const int8_t *query, parley_hit *hits, long count) {
    int level = parley_isa_clamp(isa);
#if PARLEY_X86
    int32_t offset = level == PARLEY_ISA_AVX512 ? query_offset(query, dims) : 0;
#endif
    for (long h = 0; h < count; h++) {
        long i = hits[h].index;
        const int8_t *row = vectors + i * dims;
        int32_t dot;
        switch (level) {
#if PARLEY_X86
        case PARLEY_ISA_AVX512: dot = dot_i8_avx512(row, query, dims) - offset; break;
        case PARLEY_ISA_AVX2: dot = dot_i8_avx2(row, query, dims); break;
#endif
        default: dot = dot_i8_portable(row, query, dims); break;
        }
        hits[h].score = scales[i] * (float)dot;
    }
}

#if PARLEY_X86
PARLEY_TARGET_AVX512
static float dot_f32_avx512(const float *a, const float *b, long n) {
    __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
    long p = 0;
    for (; p + 32 <= n; p += 32) {
        acc0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + p), _mm512_loadu_ps(b + p), acc0);
        acc1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + p + 16), _mm512_loadu_ps(b + p + 16), acc1);
    }
    for (; p < n; p += 16) {
        __mmask16 m = n - p >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - p)) - 1);
        acc0 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, a + p), _mm512_maskz_loadu_ps(m, b + p), acc0);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
}
#endif

static float dot_f32_portable(const float *a, const float *b, long n) {
    float part[8] = {0};
    long p = 0;
    for (; p + 8 <= n; p += 8)
        for (int u = 0; u < 8; u++) part[u] += a[p + u] * b[p + u];
    float sum = 0;
    for (; p < n; p++) sum += a[p] * b[p];
    for (int u = 0; u < 8; u++) sum += part[u];
    return sum;
}

void parley_f32_rescore(int isa, const float *vectors, long dims, const float *query, parley_hit *hits, long count) {
    int level = parley_isa_clamp(isa);
    for (long h = 0; h < count; h++) {
        const float *row = vectors + (long)hits[h].index * dims;
#if PARLEY_X86
        if (level == PARLEY_ISA_AVX512) {
            hits[h].score = dot_f32_avx512(row, query, dims);
            continue;
        }
#endif
        (void)level;
        hits[h].score = dot_f32_portable(row, query, dims);
    }
}
