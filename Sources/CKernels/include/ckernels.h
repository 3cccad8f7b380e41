#ifndef PARLEY_CKERNELS_H
#define PARLEY_CKERNELS_H
/* Compute kernels that need instruction sets SwiftPM does not build Swift for (it targets baseline
 * x86-64, so Swift SIMD code never uses AVX2 or AVX-512). Each kernel has an AVX-512, an AVX2 and a
 * portable version; `isa` picks one and is clamped to what the CPU supports, so callers pass
 * `parley_isa_best()` and tests may force any lower level. On other architectures only the
 * portable versions exist and `parley_isa_best()` returns PARLEY_ISA_PORTABLE.
 *
 * Thread rule: every function is pure over its arguments (no global state besides the CPU
 * detection, computed once and idempotent), so any number of threads may call them at once. */
#include <stddef.h>
#include <stdint.h>

enum {
    PARLEY_ISA_PORTABLE = 0,
    /* AVX2 + FMA + POPCNT (Haswell, Zen 1 and later). */
    PARLEY_ISA_AVX2 = 1,
    /* AVX-512 F, BW, VL, VNNI and VPOPCNTDQ (Ice Lake, Zen 4 and later). */
    PARLEY_ISA_AVX512 = 2,
};

/* The highest level this CPU runs (detected once). */
int parley_isa_best(void);

/* C[m×n] = alpha · A[m×k] · Bᵀ + beta · C, row-major, where B is [n×k] (a Linear layer's weight as
 * safetensors stores it, or the keys of an attention head). No packing: every output is a dot
 * product of two contiguous rows, computed in 4×4 register blocks with B streamed once, which is
 * what small m (a question's tokens) wants. beta == 0 never reads C. */
void parley_sgemm_nt(int isa, long m, long n, long k, float alpha,
                     const float *a, long lda, const float *b, long ldb,
                     float beta, float *c, long ldc);

/* A search hit: score and row index in the scanned matrix. */
typedef struct {
    float score;
    uint32_t index;
} parley_hit;

/* Which rows a scan may score: a row passes when its collection ordinal's bit is set (or
 * collection_bits is NULL) and its document ordinal's bit is set (or document_bits is NULL).
 * Ordinals at or past the bit count fail. A NULL filter pointer passes every row. */
typedef struct {
    const uint16_t *collection_ordinals;
    const uint64_t *collection_bits;
    long collection_count;
    const uint32_t *document_ordinals;
    const uint64_t *document_bits;
    long document_count;
} parley_filter;

/* Scratch, in hits, that a scan keeping `keep` rows needs. */
long parley_scan_scratch(long keep);

/* Quantizes x[n] to int8 in [-127, 127] with one scale (max |x| / 127, or 0 for a zero vector):
 * x ≈ scale · out. Returns the scale. */
float parley_quantize_i8(const float *x, long n, int8_t *out);

/* Full int8 scan: score(i) = scales[i] · Σ_j vectors[i·dims + j] · query[j] (the query's own scale
 * is left out: it does not change the order). Keeps the best `keep` rows that pass `filter` in
 * `scratch` (parley_scan_scratch(keep) hits), best first, ties by lower index; returns how many. */
long parley_i8_scan(int isa, const int8_t *vectors, const float *scales, long n, long dims,
                    const int8_t *query, const parley_filter *filter, long keep, parley_hit *scratch);

/* Replaces hits[i].score with the int8 score of row hits[i].index (same formula as the scan). */
void parley_i8_rescore(int isa, const int8_t *vectors, const float *scales, long dims,
                       const int8_t *query, parley_hit *hits, long count);

/* Replaces hits[i].score with the exact float32 dot product of row hits[i].index and query. */
void parley_f32_rescore(int isa, const float *vectors, long dims, const float *query,
                        parley_hit *hits, long count);

/* Sorts hits best first (ties by lower index) after keeping only the best `keep`; returns the
 * count kept (min(count, keep)). Average O(count + keep·log keep). */
long parley_top_hits(parley_hit *hits, long count, long keep);

/* Quantizes a float query to `bits` (2…8) two's-complement planes for parley_sign_scan:
 * v_j = round(q_j / step) in [-2^(bits-1), 2^(bits-1) - 1], plane b holding bit b of every v_j,
 * `words` uint64 per plane (dims past the end are 0). planes must hold bits × words words. */
void parley_sign_query(const float *query, long dims, long words, int bits, uint64_t *planes);

/* Sign-bit prefilter: score(i) = Σ_j v_j · s_ij where s_ij is bit j of row i's `words` uint64
 * (set when component j is positive), computed as Σ_b w_b · popcount(plane_b & row) with
 * w_b = 2^b and w_(bits-1) = -2^(bits-1). Keeps the best `keep` like parley_i8_scan. */
long parley_sign_scan(int isa, const uint64_t *signs, long n, long words, const uint64_t *planes,
                      int bits, const parley_filter *filter, long keep, parley_hit *scratch);

/* int8 products for a question's forward pass (q8gemm.c): weights quantized once per output row,
 * each row of A quantized per call with its own scale and zero point. Relative error ~0.5% per
 * product, which is why only questions use them (stored vectors stay fp32). AVX-512 VNNI and
 * portable versions only: without VNNI the fp32 kernel is faster, so callers use these at
 * PARLEY_ISA_AVX512 and keep parley_sgemm_nt otherwise. */

/* Whether a [n×k] weight can be packed: n a multiple of 16, k a multiple of 4. */
int parley_q8_supported(long n, long k);

/* Packs W [n×k] (row stride ldw) into `packed` (n·k bytes, 64-byte aligned), with per-row
 * `scales` and `offsets` (n floats each: the scale times the row's sum of quantized weights). */
void parley_q8_pack(long n, long k, const float *w, long ldw, int8_t *packed, float *scales, float *offsets);

/* Bytes of scratch parley_q8_gemm needs for m rows of k inputs (any alignment). */
long parley_q8_scratch_bytes(long m, long k);

/* C[m×n] += A[m×k] · Wᵀ with W packed by parley_q8_pack (does nothing when parley_q8_supported
 * is false). C holds the bias (and residual) beforehand, as with beta = 1. */
void parley_q8_gemm(int isa, long m, long n, long k, const float *a, long lda, const int8_t *packed,
                    const float *scales, const float *offsets, float *c, long ldc, void *scratch);

/* x ← x/2 · (1 + erf(x/√2)) in place (BERT's exact GELU; erf and exp approximated to a few
 * ulps, as Embed's VectorMath). AVX-512 and portable versions. */
void parley_gelu(int isa, float *x, long n);

#endif
