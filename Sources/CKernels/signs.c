#include <math.h>
#include "internal.h"

/* The sign-bit prefilter. Each stored row is one bit per component (set when positive); the query
 * stays nearly exact, quantized to `bits`-bit integers v_j and split into bit planes, so that
 * Σ_j v_j·s_j = Σ_b w_b · popcount(plane_b AND row). Dropping the ±1 form's constant (−Σv) and
 * factor 2 does not change the order. With AVX-512 VPOPCNTDQ one 384-bit row is one masked load,
 * and each plane costs an and, a popcount and a shift-add on all its words at once. */

void parley_sign_query(const float *query, long dims, long words, int bits, uint64_t *planes) {
    if (bits < 2) bits = 2;
    if (bits > 8) bits = 8;
    for (long w = 0; w < (long)bits * words; w++) planes[w] = 0;
    float largest = 0;
    for (long j = 0; j < dims; j++) largest = fmaxf(largest, fabsf(query[j]));
    if (!(largest > 0) || !isfinite(largest)) return;
    const int top = (1 << (bits - 1)) - 1;
    const float inverse = (float)top / largest;
    for (long j = 0; j < dims && j < 64 * words; j++) {
        int v = (int)nearbyintf(query[j] * inverse);
        v = v > top ? top : v < -top ? -top : v;
        unsigned u = (unsigned)v & ((1u << bits) - 1);
        for (int b = 0; b < bits; b++)
            if ((u >> b) & 1) planes[b * words + (j >> 6)] |= 1ULL << (j & 63);
    }
}

static inline int32_t sign_score_portable(const uint64_t *row, const uint64_t *planes, long words, int bits) {
    int32_t score = 0;
    for (int b = 0; b < bits; b++) {
        int32_t count = 0;
        for (long w = 0; w < words; w++) count += __builtin_popcountll(row[w] & planes[b * words + w]);
        score += b == bits - 1 ? -(count << b) : count << b;
    }
    return score;
}

#define PARLEY_SIGN_SCAN_BODY(SCORE)                                                    \
    for (long i = 0; i < n; i++) {                                                      \
        if (filter && !parley_filter_passes(filter, i)) continue;                       \
        parley_selector_push(&sel, (float)(SCORE), (uint32_t)i);                        \
    }

#if PARLEY_X86
/* Rows of up to 8 words (512 dimensions) in one register; longer rows take the AVX2 loop. */
PARLEY_TARGET_AVX512
static void sign_scan_avx512(parley_selector *s, const uint64_t *signs, long n, long words,
                             const uint64_t *planes, int bits, const parley_filter *filter) {
    parley_selector sel = *s;
    const __mmask8 mask = (__mmask8)((1u << words) - 1);
    __m512i plane[8];
    for (int b = 0; b < bits; b++) plane[b] = _mm512_maskz_loadu_epi64(mask, planes + b * words);
    const int high = bits - 1;
    for (long i = 0; i < n; i++) {
        if (filter && !parley_filter_passes(filter, i)) continue;
        __m512i row = _mm512_maskz_loadu_epi64(mask, signs + i * words);
        /* Horner over the planes, highest (negative weight) first: acc = −c_high, then
         * acc = 2·acc + c_b, which ends at Σ_b w_b·c_b. */
        __m512i acc = _mm512_sub_epi64(_mm512_setzero_si512(), _mm512_popcnt_epi64(_mm512_and_si512(row, plane[high])));
        for (int b = high - 1; b >= 0; b--)
            acc = _mm512_add_epi64(_mm512_slli_epi64(acc, 1), _mm512_popcnt_epi64(_mm512_and_si512(row, plane[b])));
        parley_selector_push(&sel, (float)_mm512_reduce_add_epi64(acc), (uint32_t)i);
    }
    *s = sel;
}

PARLEY_TARGET_AVX2
static void sign_scan_avx2(parley_selector *s, const uint64_t *signs, long n, long words,
                           const uint64_t *planes, int bits, const parley_filter *filter) {
    parley_selector sel = *s;
    PARLEY_SIGN_SCAN_BODY(sign_score_portable(signs + i * words, planes, words, bits))
    *s = sel;
}
#endif

static void sign_scan_portable(parley_selector *s, const uint64_t *signs, long n, long words,
                               const uint64_t *planes, int bits, const parley_filter *filter) {
    parley_selector sel = *s;
    PARLEY_SIGN_SCAN_BODY(sign_score_portable(signs + i * words, planes, words, bits))
    *s = sel;
}

long parley_sign_scan(int isa, const uint64_t *signs, long n, long words, const uint64_t *planes,
                      int bits, const parley_filter *filter, long keep, parley_hit *scratch) {
    if (keep <= 0 || n <= 0 || words <= 0 || bits < 2 || bits > 8) return 0;
    parley_selector sel;
    parley_selector_init(&sel, scratch, keep);
    int level = parley_isa_clamp(isa);
    if (level == PARLEY_ISA_AVX512 && words > 8) level = PARLEY_ISA_AVX2;
    switch (level) {
#if PARLEY_X86
    case PARLEY_ISA_AVX512: sign_scan_avx512(&sel, signs, n, words, planes, bits, filter); break;
    case PARLEY_ISA_AVX2: sign_scan_avx2(&sel, signs, n, words, planes, bits, filter); break;
#endif
    default: sign_scan_portable(&sel, signs, n, words, planes, bits, filter); break;
    }
    return parley_selector_finish(&sel);
}
