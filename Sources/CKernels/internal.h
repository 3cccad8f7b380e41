#ifndef PARLEY_CKERNELS_INTERNAL_H
#define PARLEY_CKERNELS_INTERNAL_H
/* Shared by the kernel files: per-function ISA targets, the filter test and the top-k selector. */
#include "ckernels.h"

#if defined(__x86_64__)
#define PARLEY_X86 1
#include <immintrin.h>
/* Function attributes instead of -mavx512f for the whole file: the portable code around them must
 * still run on a CPU without these extensions. */
#define PARLEY_TARGET_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,avx512vpopcntdq,avx2,fma,popcnt")))
#define PARLEY_TARGET_AVX2 __attribute__((target("avx2,fma,popcnt")))
#else
#define PARLEY_X86 0
#endif

/* The level to run: the requested one, never above what the CPU has. */
static inline int parley_isa_clamp(int isa) {
    int best = parley_isa_best();
    return isa < best ? (isa < 0 ? 0 : isa) : best;
}

static inline int parley_filter_passes(const parley_filter *f, long i) {
    if (f->collection_bits) {
        long c = f->collection_ordinals[i];
        if (c >= f->collection_count || !((f->collection_bits[c >> 6] >> (c & 63)) & 1)) return 0;
    }
    if (f->document_bits) {
        long d = f->document_ordinals[i];
        if (d >= f->document_count || !((f->document_bits[d >> 6] >> (d & 63)) & 1)) return 0;
    }
    return 1;
}

/* Keeps the best `keep` of a stream of hits: hits above a running threshold are appended to a
 * buffer of `capacity` (> keep); when it fills, a quickselect keeps the best `keep` and raises the
 * threshold to the worst of them. Cheaper than a heap for a 2,000-row shortlist: most rows fail
 * one comparison, and the survivors cost O(1) amortized instead of O(log keep). */
typedef struct {
    parley_hit *items;
    long count;
    long capacity;
    long keep;
    float threshold;
} parley_selector;

void parley_selector_init(parley_selector *s, parley_hit *scratch, long keep);
void parley_selector_compact(parley_selector *s);
/* Sorts what is kept, best first; returns the count. */
long parley_selector_finish(parley_selector *s);

static inline void parley_selector_push(parley_selector *s, float score, uint32_t index) {
    /* Rows come in index order, so a later row with an equal score never beats a kept one. */
    if (!(score > s->threshold)) return;
    s->items[s->count].score = score;
    s->items[s->count].index = index;
    if (++s->count == s->capacity) parley_selector_compact(s);
}

#endif
