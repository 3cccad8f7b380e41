#include <math.h>
#include <string.h>
#include "internal.h"

/* int8 products for embedding questions. A question is ~17 tokens, so its forward pass is all
 * thin products: the fp32 kernel (sgemm.c) runs at its FMA peak and MiniLM's 42 MB of fp32 weights
 * do not fit the L3. VNNI's vpdpbusd does 64 multiply-adds per instruction against 16 for an fp32
 * FMA, and the int8 weights (10.6 MB) stay in the L3 between questions.
 *
 * Weights: symmetric per output row, w ≈ sw · q with q in [-127, 127].
 * Activations: asymmetric per input row, a ≈ lo + sa · u with u in [0, 255] (vpdpbusd wants
 * unsigned × signed, and post-GELU rows are one-sided, so a zero point keeps all 256 levels in use).
 * Then Σ a·w ≈ sa·sw·Σ u·q + lo·sw·Σ q, where sw·Σq is precomputed per output (`offsets`).
 *
 * Packed layout: the output columns in blocks of 16; inside a block, for each group of 4 inputs,
 * 16 columns × 4 bytes (64 bytes, one zmm). One broadcast of 4 bytes of a row of A against that
 * zmm gives 16 outputs' partial sums in 16 lanes, so no horizontal reduction is ever needed. */

int parley_q8_supported(long n, long k) {
    return n > 0 && k > 0 && n % 16 == 0 && k % 4 == 0;
}

void parley_q8_pack(long n, long k, const float *w, long ldw, int8_t *packed, float *scales, float *offsets) {
    const long k4 = k / 4;
    for (long j = 0; j < n; j++) {
        const float *row = w + j * ldw;
        float largest = 0;
        for (long p = 0; p < k; p++) largest = fmaxf(largest, fabsf(row[p]));
        float scale = largest > 0 && isfinite(largest) ? largest / 127.0f : 0;
        float inverse = scale > 0 ? 1 / scale : 0;
        long block = j / 16, lane = j % 16;
        int32_t sum = 0;
        for (long p = 0; p < k; p++) {
            float v = nearbyintf(row[p] * inverse);
            int8_t q = (int8_t)(v > 127 ? 127 : v < -127 ? -127 : v);
            packed[((block * k4 + p / 4) * 16 + lane) * 4 + p % 4] = q;
            sum += q;
        }
        scales[j] = scale;
        offsets[j] = scale * (float)sum;
    }
}

long parley_q8_scratch_bytes(long m, long k) {
    /* Quantized rows, then each row's scale and low end, 64-byte aligned by the caller's buffer. */
    return m * k + 2 * m * (long)sizeof(float) + 64;
}

/* A row's range as scale and low end; a constant row (including all zeros) gets scale 0, so every
 * u is 0 and the product is exactly lo · Σw. */
static inline void row_range(float lo, float hi, float *scale, float *inverse) {
    float s = hi > lo && isfinite(hi - lo) ? (hi - lo) / 255.0f : 0;
    *scale = s;
    *inverse = s > 0 ? 1 / s : 0;
}

static inline uint8_t quantize_one(float a, float lo, float inverse) {
    float v = nearbyintf((a - lo) * inverse);
    return (uint8_t)(v > 255 ? 255 : v < 0 ? 0 : v);
}

static void quantize_rows_portable(long m, long k, const float *a, long lda, uint8_t *aq, float *scales, float *lows) {
    for (long i = 0; i < m; i++) {
        const float *row = a + i * lda;
        float lo = row[0], hi = row[0];
        for (long p = 1; p < k; p++) {
            lo = fminf(lo, row[p]);
            hi = fmaxf(hi, row[p]);
        }
        float inverse;
        row_range(lo, hi, &scales[i], &inverse);
        lows[i] = lo;
        for (long p = 0; p < k; p++) aq[i * k + p] = quantize_one(row[p], lo, inverse);
    }
}

static void q8_gemm_portable(long m, long n, long k, const uint8_t *aq, const float *sa, const float *lows,
                             const int8_t *packed, const float *scales, const float *offsets, float *c, long ldc) {
    const long k4 = k / 4;
    for (long i = 0; i < m; i++) {
        for (long j = 0; j < n; j++) {
            const int8_t *column = packed + (j / 16) * k4 * 64 + (j % 16) * 4;
            int32_t acc = 0;
            for (long p = 0; p < k; p++) acc += (int32_t)aq[i * k + p] * column[(p / 4) * 64 + p % 4];
            c[i * ldc + j] += (float)acc * (sa[i] * scales[j]) + lows[i] * offsets[j];
        }
    }
}

#if PARLEY_X86
PARLEY_TARGET_AVX512
static void quantize_rows_avx512(long m, long k, const float *a, long lda, uint8_t *aq, float *scales, float *lows) {
    const long full = k & ~15L;
    const __mmask16 tail = (__mmask16)((1u << (k & 15)) - 1);
    for (long i = 0; i < m; i++) {
        const float *row = a + i * lda;
        __m512 lo = _mm512_set1_ps(row[0]), hi = lo;
        for (long p = 0; p < full; p += 16) {
            __m512 v = _mm512_loadu_ps(row + p);
            lo = _mm512_min_ps(lo, v);
            hi = _mm512_max_ps(hi, v);
        }
        if (tail) {
            __m512 v = _mm512_mask_loadu_ps(_mm512_set1_ps(row[0]), tail, row + full);
            lo = _mm512_min_ps(lo, v);
            hi = _mm512_max_ps(hi, v);
        }
        float low = _mm512_reduce_min_ps(lo), inverse;
        row_range(low, _mm512_reduce_max_ps(hi), &scales[i], &inverse);
        lows[i] = low;
        const __m512 vlow = _mm512_set1_ps(low), vinverse = _mm512_set1_ps(inverse);
        const __m512i zero = _mm512_setzero_si512(), top = _mm512_set1_epi32(255);
        uint8_t *out = aq + i * k;
        for (long p = 0; p < full; p += 16) {
            /* Round to nearest even, as nearbyintf in the portable version. */
            __m512i u = _mm512_cvtps_epi32(_mm512_mul_ps(_mm512_sub_ps(_mm512_loadu_ps(row + p), vlow), vinverse));
            _mm_storeu_si128((__m128i *)(out + p), _mm512_cvtepi32_epi8(_mm512_min_epi32(_mm512_max_epi32(u, zero), top)));
        }
        for (long p = full; p < k; p++) out[p] = quantize_one(row[p], low, inverse);
    }
}

/* MR rows of A × NR blocks of 16 columns (both compile-time constants after inlining, 1…4). */
PARLEY_TARGET_AVX512
static inline __attribute__((always_inline)) void q8_block_avx512(
    const int MR, const int NR, long k4, const uint8_t *aq, long ldq, const float *sa, const float *lows,
    const int8_t *bp, long bstride, const float *scales, const float *offsets, float *c, long ldc) {
    __m512i acc[4][4];
    for (int r = 0; r < MR; r++)
        for (int s = 0; s < NR; s++) acc[r][s] = _mm512_setzero_si512();
    for (long p = 0; p < k4; p++) {
        __m512i bv[4];
        for (int s = 0; s < NR; s++) bv[s] = _mm512_loadu_si512(bp + s * bstride + p * 64);
        for (int r = 0; r < MR; r++) {
            int32_t four;
            memcpy(&four, aq + r * ldq + p * 4, 4);
            __m512i av = _mm512_set1_epi32(four);
            for (int s = 0; s < NR; s++) acc[r][s] = _mm512_dpbusd_epi32(acc[r][s], av, bv[s]);
        }
    }
    for (int r = 0; r < MR; r++) {
        const __m512 rowScale = _mm512_set1_ps(sa[r]), rowLow = _mm512_set1_ps(lows[r]);
        for (int s = 0; s < NR; s++) {
            __m512 scale = _mm512_mul_ps(rowScale, _mm512_loadu_ps(scales + s * 16));
            __m512 shift = _mm512_mul_ps(rowLow, _mm512_loadu_ps(offsets + s * 16));
            float *out = c + r * ldc + s * 16;
            __m512 v = _mm512_fmadd_ps(_mm512_cvtepi32_ps(acc[r][s]), scale, shift);
            _mm512_storeu_ps(out, _mm512_add_ps(_mm512_loadu_ps(out), v));
        }
    }
}

#define PARLEY_Q8_ROWS(NR)                                                                                    \
    switch (mr) {                                                                                             \
    case 4: q8_block_avx512(4, NR, k4, a, k, sa + i0, lows + i0, bp, bstride, sc, of, out, ldc); break;      \
    case 3: q8_block_avx512(3, NR, k4, a, k, sa + i0, lows + i0, bp, bstride, sc, of, out, ldc); break;      \
    case 2: q8_block_avx512(2, NR, k4, a, k, sa + i0, lows + i0, bp, bstride, sc, of, out, ldc); break;      \
    default: q8_block_avx512(1, NR, k4, a, k, sa + i0, lows + i0, bp, bstride, sc, of, out, ldc); break;     \
    }

PARLEY_TARGET_AVX512
static void q8_gemm_avx512(long m, long n, long k, const uint8_t *aq, const float *sa, const float *lows,
                           const int8_t *packed, const float *scales, const float *offsets, float *c, long ldc) {
    const long k4 = k / 4, bstride = k4 * 64, blocks = n / 16;
    /* Column strips outside, rows inside: a strip of 4 blocks (k·64 bytes: 24 KB for k = 384, 96 KB
     * for 1536) stays in L1/L2 while every row of A goes by. */
    for (long b0 = 0; b0 < blocks; b0 += 4) {
        const long nr = blocks - b0 < 4 ? blocks - b0 : 4;
        const int8_t *bp = packed + b0 * bstride;
        const float *sc = scales + b0 * 16, *of = offsets + b0 * 16;
        for (long i0 = 0; i0 < m; i0 += 4) {
            const long mr = m - i0 < 4 ? m - i0 : 4;
            const uint8_t *a = aq + i0 * k;
            float *out = c + i0 * ldc + b0 * 16;
            switch (nr) {
            case 4: PARLEY_Q8_ROWS(4) break;
            case 3: PARLEY_Q8_ROWS(3) break;
            case 2: PARLEY_Q8_ROWS(2) break;
            default: PARLEY_Q8_ROWS(1) break;
            }
        }
    }
}
#undef PARLEY_Q8_ROWS
#endif

void parley_q8_gemm(int isa, long m, long n, long k, const float *a, long lda, const int8_t *packed,
                    const float *scales, const float *offsets, float *c, long ldc, void *scratch) {
    if (m <= 0 || !parley_q8_supported(n, k)) return;
    uint8_t *aq = (uint8_t *)(((uintptr_t)scratch + 63) & ~(uintptr_t)63);
    float *sa = (float *)(aq + m * k), *lows = sa + m;
    switch (parley_isa_clamp(isa)) {
#if PARLEY_X86
    case PARLEY_ISA_AVX512:
        quantize_rows_avx512(m, k, a, lda, aq, sa, lows);
        q8_gemm_avx512(m, n, k, aq, sa, lows, packed, scales, offsets, c, ldc);
        return;
#endif
    default:
        quantize_rows_portable(m, k, a, lda, aq, sa, lows);
        q8_gemm_portable(m, n, k, aq, sa, lows, packed, scales, offsets, c, ldc);
        return;
    }
}
