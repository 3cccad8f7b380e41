#include "internal.h"

/* Why no packing: OpenBLAS copies panels of both operands into its own layout before every product,
 * which pays off when each packed panel is reused across many rows of A. For a 17-token question
 * the copies cost more than the arithmetic (more than half of the encoder's time, by perf). Here
 * every output C[i][j] is the dot product of row i of A and row j of B, both contiguous along k,
 * so a block of 4 rows of A × 4 rows of B keeps 16 accumulators in registers and reads each B row
 * once per 4 rows of A; the 4 B rows (4·k floats) stay in L1 while the rows of A go by, so B, the
 * big operand, crosses the memory bus once.
 *
 * Edges: a block past the last row of B re-reads that row (pointer clamped) and its results are
 * not stored; with AVX-512 the last 1–3 rows of A get a shorter block, with AVX2 they are clamped
 * like B's. */

static inline void store(float *c, float v, float alpha, float beta) {
    *c = beta == 0 ? alpha * v : alpha * v + beta * *c;
}

#if PARLEY_X86
/* Four 16-lane sums reduced to one 4-lane vector of their totals: halving adds, then two hadds
 * (19 operations instead of 4 × 8 for separate reductions). */
PARLEY_TARGET_AVX512
static inline __m128 reduce4_avx512(__m512 x0, __m512 x1, __m512 x2, __m512 x3) {
#define PARLEY_HALVE(v) _mm256_add_ps(_mm512_castps512_ps256(v), _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)))
#define PARLEY_QUARTER(v) _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1))
    __m128 y0 = PARLEY_QUARTER(PARLEY_HALVE(x0)), y1 = PARLEY_QUARTER(PARLEY_HALVE(x1));
    __m128 y2 = PARLEY_QUARTER(PARLEY_HALVE(x2)), y3 = PARLEY_QUARTER(PARLEY_HALVE(x3));
#undef PARLEY_HALVE
#undef PARLEY_QUARTER
    return _mm_hadd_ps(_mm_hadd_ps(y0, y1), _mm_hadd_ps(y2, y3));
}

/* MR rows of A (a compile-time constant after inlining, 1…4) × 4 rows of B. */
PARLEY_TARGET_AVX512
static inline __attribute__((always_inline)) void block_avx512(
    const int MR, long k, float alpha, const float *a, long lda, const float *const bp[4],
    long nr, float beta, float *c, long ldc) {
    const long full = k & ~15L;
    const __mmask16 tail = (__mmask16)((1u << (k & 15)) - 1);
    __m512 acc[4][4];
    for (int r = 0; r < MR; r++)
        for (int s = 0; s < 4; s++) acc[r][s] = _mm512_setzero_ps();
    for (long p = 0; p < full; p += 16) {
        __m512 av[4];
        for (int r = 0; r < MR; r++) av[r] = _mm512_loadu_ps(a + r * lda + p);
        for (int s = 0; s < 4; s++) {
            __m512 bv = _mm512_loadu_ps(bp[s] + p);
            for (int r = 0; r < MR; r++) acc[r][s] = _mm512_fmadd_ps(av[r], bv, acc[r][s]);
        }
    }
    if (tail) {
        __m512 av[4];
        for (int r = 0; r < MR; r++) av[r] = _mm512_maskz_loadu_ps(tail, a + r * lda + full);
        for (int s = 0; s < 4; s++) {
            __m512 bv = _mm512_maskz_loadu_ps(tail, bp[s] + full);
            for (int r = 0; r < MR; r++) acc[r][s] = _mm512_fmadd_ps(av[r], bv, acc[r][s]);
        }
    }
    for (int r = 0; r < MR; r++) {
        __m128 sums = _mm_mul_ps(_mm_set1_ps(alpha), reduce4_avx512(acc[r][0], acc[r][1], acc[r][2], acc[r][3]));
        float *row = c + r * ldc;
        if (nr == 4) {
            if (beta != 0) sums = _mm_fmadd_ps(_mm_set1_ps(beta), _mm_loadu_ps(row), sums);
            _mm_storeu_ps(row, sums);
        } else {
            float out[4];
            _mm_storeu_ps(out, sums);
            for (long s = 0; s < nr; s++) row[s] = beta == 0 ? out[s] : out[s] + beta * row[s];
        }
    }
}

PARLEY_TARGET_AVX512
static void sgemm_nt_avx512(long m, long n, long k, float alpha, const float *a, long lda,
                            const float *b, long ldb, float beta, float *c, long ldc) {
    for (long j0 = 0; j0 < n; j0 += 4) {
        const float *bp[4];
        for (int s = 0; s < 4; s++) bp[s] = b + (j0 + s < n ? j0 + s : n - 1) * ldb;
        long nr = n - j0 < 4 ? n - j0 : 4, i0 = 0;
        for (; i0 + 4 <= m; i0 += 4) block_avx512(4, k, alpha, a + i0 * lda, lda, bp, nr, beta, c + i0 * ldc + j0, ldc);
        /* The last 1–3 rows get a block of their own height, so no work is wasted on padding. */
        switch (m - i0) {
        case 3: block_avx512(3, k, alpha, a + i0 * lda, lda, bp, nr, beta, c + i0 * ldc + j0, ldc); break;
        case 2: block_avx512(2, k, alpha, a + i0 * lda, lda, bp, nr, beta, c + i0 * ldc + j0, ldc); break;
        case 1: block_avx512(1, k, alpha, a + i0 * lda, lda, bp, nr, beta, c + i0 * ldc + j0, ldc); break;
        default: break;
        }
    }
}

PARLEY_TARGET_AVX2
static inline float hsum256(__m256 v) {
    __m128 x = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    x = _mm_add_ps(x, _mm_movehl_ps(x, x));
    x = _mm_add_ss(x, _mm_movehdup_ps(x));
    return _mm_cvtss_f32(x);
}

/* 4 rows of A × 2 rows of B: 8 accumulators + 4 + 1 operands fit AVX2's 16 registers. */
PARLEY_TARGET_AVX2
static void sgemm_nt_avx2(long m, long n, long k, float alpha, const float *a, long lda,
                          const float *b, long ldb, float beta, float *c, long ldc) {
    const long full = k & ~7L;
    const int rest = (int)(k & 7);
    const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(rest), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    for (long j0 = 0; j0 < n; j0 += 2) {
        const float *bp[2];
        for (int s = 0; s < 2; s++) bp[s] = b + (j0 + s < n ? j0 + s : n - 1) * ldb;
        for (long i0 = 0; i0 < m; i0 += 4) {
            const float *ap[4];
            for (int r = 0; r < 4; r++) ap[r] = a + (i0 + r < m ? i0 + r : m - 1) * lda;
            __m256 acc[4][2];
            for (int r = 0; r < 4; r++)
                for (int s = 0; s < 2; s++) acc[r][s] = _mm256_setzero_ps();
            for (long p = 0; p < full; p += 8) {
                __m256 av[4];
                for (int r = 0; r < 4; r++) av[r] = _mm256_loadu_ps(ap[r] + p);
                for (int s = 0; s < 2; s++) {
                    __m256 bv = _mm256_loadu_ps(bp[s] + p);
                    for (int r = 0; r < 4; r++) acc[r][s] = _mm256_fmadd_ps(av[r], bv, acc[r][s]);
                }
            }
            if (rest) {
                __m256 av[4];
                for (int r = 0; r < 4; r++) av[r] = _mm256_maskload_ps(ap[r] + full, mask);
                for (int s = 0; s < 2; s++) {
                    __m256 bv = _mm256_maskload_ps(bp[s] + full, mask);
                    for (int r = 0; r < 4; r++) acc[r][s] = _mm256_fmadd_ps(av[r], bv, acc[r][s]);
                }
            }
            for (int r = 0; r < 4 && i0 + r < m; r++)
                for (int s = 0; s < 2 && j0 + s < n; s++)
                    store(c + (i0 + r) * ldc + j0 + s, hsum256(acc[r][s]), alpha, beta);
        }
    }
}
#endif

/* Eight partial sums per dot product, so the compiler can vectorize with baseline SSE. */
static void sgemm_nt_portable(long m, long n, long k, float alpha, const float *a, long lda,
                              const float *b, long ldb, float beta, float *c, long ldc) {
    for (long j = 0; j < n; j++) {
        const float *bj = b + j * ldb;
        for (long i = 0; i < m; i++) {
            const float *ai = a + i * lda;
            float part[8] = {0};
            long p = 0;
            for (; p + 8 <= k; p += 8)
                for (int u = 0; u < 8; u++) part[u] += ai[p + u] * bj[p + u];
            float sum = 0;
            for (; p < k; p++) sum += ai[p] * bj[p];
            for (int u = 0; u < 8; u++) sum += part[u];
            store(c + i * ldc + j, sum, alpha, beta);
        }
    }
}

void parley_sgemm_nt(int isa, long m, long n, long k, float alpha, const float *a, long lda,
                     const float *b, long ldb, float beta, float *c, long ldc) {
    if (m <= 0 || n <= 0) return;
    switch (parley_isa_clamp(isa)) {
#if PARLEY_X86
    case PARLEY_ISA_AVX512: sgemm_nt_avx512(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc); return;
    case PARLEY_ISA_AVX2: sgemm_nt_avx2(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc); return;
#endif
    default: sgemm_nt_portable(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc); return;
    }
}
