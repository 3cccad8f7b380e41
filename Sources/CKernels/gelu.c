#include <math.h>
#include "internal.h"

/* GELU with the same approximations as Embed's VectorMath (Cephes expf for x ≤ 0, Abramowitz &
 * Stegun 7.1.26 for erf), 16 lanes at a time with AVX-512: Swift's SIMD code is built for baseline
 * x86-64 and runs it 4 lanes at a time, which made GELU the largest cost of a question after the
 * matrix products once those went to int8. */

#define GELU_EXP_FLOOR -87.3f
#define GELU_MAGIC 12582912.0f

static inline float exp_nonpositive(float x) {
    x = x < GELU_EXP_FLOOR ? GELU_EXP_FLOOR : x;
    float shifted = x * 1.44269504088896341f + GELU_MAGIC;
    float n = shifted - GELU_MAGIC;
    float r = x - n * 0.693359375f + n * 2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1;
    union { float f; int32_t i; } bits = {.f = shifted}, scale;
    scale.i = (bits.i - 0x4B400000 + 127) << 23;
    return p * scale.f;
}

static inline float gelu_one(float v) {
    float x = v * 0.70710678118654752f, a = fabsf(x);
    float t = 1 / (1 + 0.3275911f * a);
    float p = 1.061405429f;
    p = p * t - 1.453152027f;
    p = p * t + 1.421413741f;
    p = p * t - 0.284496736f;
    p = p * t + 0.254829592f;
    p = p * t;
    float y = 1 - p * exp_nonpositive(-a * a);
    return 0.5f * v * (1 + (x < 0 ? -y : y));
}

#if PARLEY_X86
PARLEY_TARGET_AVX512
static inline __m512 exp_nonpositive_avx512(__m512 x) {
    const __m512 magic = _mm512_set1_ps(GELU_MAGIC);
    x = _mm512_max_ps(x, _mm512_set1_ps(GELU_EXP_FLOOR));
    __m512 shifted = _mm512_fmadd_ps(x, _mm512_set1_ps(1.44269504088896341f), magic);
    __m512 n = _mm512_sub_ps(shifted, magic);
    __m512 r = _mm512_fmadd_ps(n, _mm512_set1_ps(2.12194440e-4f), _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x));
    __m512 p = _mm512_set1_ps(1.9875691500e-4f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
    p = _mm512_add_ps(_mm512_fmadd_ps(_mm512_mul_ps(p, r), r, r), _mm512_set1_ps(1));
    __m512i exponent = _mm512_slli_epi32(
        _mm512_add_epi32(_mm512_sub_epi32(_mm512_castps_si512(shifted), _mm512_set1_epi32(0x4B400000)), _mm512_set1_epi32(127)), 23);
    return _mm512_mul_ps(p, _mm512_castsi512_ps(exponent));
}

PARLEY_TARGET_AVX512
static inline __m512 gelu_avx512(__m512 v) {
    /* Sign bit operations in the integer domain: the float ones need AVX-512 DQ. */
    const __m512i signBit = _mm512_set1_epi32((int)0x80000000u);
    __m512 x = _mm512_mul_ps(v, _mm512_set1_ps(0.70710678118654752f));
    __m512 a = _mm512_castsi512_ps(_mm512_andnot_si512(signBit, _mm512_castps_si512(x)));
    __m512 t = _mm512_div_ps(_mm512_set1_ps(1), _mm512_fmadd_ps(a, _mm512_set1_ps(0.3275911f), _mm512_set1_ps(1)));
    __m512 p = _mm512_set1_ps(1.061405429f);
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(-1.453152027f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(1.421413741f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(-0.284496736f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(0.254829592f));
    p = _mm512_mul_ps(p, t);
    __m512 e = exp_nonpositive_avx512(_mm512_sub_ps(_mm512_setzero_ps(), _mm512_mul_ps(a, a)));
    __m512 y = _mm512_fnmadd_ps(p, e, _mm512_set1_ps(1));
    /* erf is odd: give y the sign of x. */
    y = _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(y), _mm512_and_si512(_mm512_castps_si512(x), signBit)));
    return _mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(0.5f), v), _mm512_add_ps(_mm512_set1_ps(1), y));
}

PARLEY_TARGET_AVX512
static void gelu_rows_avx512(float *x, long n) {
    long i = 0;
    for (; i + 16 <= n; i += 16) _mm512_storeu_ps(x + i, gelu_avx512(_mm512_loadu_ps(x + i)));
    if (i < n) {
        __mmask16 tail = (__mmask16)((1u << (n - i)) - 1);
        _mm512_mask_storeu_ps(x + i, tail, gelu_avx512(_mm512_maskz_loadu_ps(tail, x + i)));
    }
}
#endif

void parley_gelu(int isa, float *x, long n) {
#if PARLEY_X86
    /* AVX2 hosts keep the portable loop, which the compiler vectorizes for baseline x86-64. */
    if (parley_isa_clamp(isa) == PARLEY_ISA_AVX512) {
        gelu_rows_avx512(x, n);
        return;
    }
#endif
    for (long i = 0; i < n; i++) x[i] = gelu_one(x[i]);
}
