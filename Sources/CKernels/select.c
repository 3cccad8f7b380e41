#include <math.h>
#include <stdlib.h>
#include "internal.h"

/* The order every result uses: higher score first, then lower index (a strict total order, since
 * indices are unique, so quickselect and sort agree). */
static inline int better(parley_hit a, parley_hit b) {
    return a.score > b.score || (a.score == b.score && a.index < b.index);
}

static int compare_hits(const void *x, const void *y) {
    parley_hit a = *(const parley_hit *)x, b = *(const parley_hit *)y;
    return better(a, b) ? -1 : better(b, a) ? 1 : 0;
}

/* Hoare quickselect: afterwards hits[0..<keep] are the best `keep`, in no order. */
static void select_best(parley_hit *h, long n, long keep) {
    if (keep <= 0 || keep >= n) return;
    long target = keep - 1, lo = 0, hi = n - 1;
    while (hi > lo) {
        parley_hit a = h[lo], b = h[lo + (hi - lo) / 2], c = h[hi];
        /* Median of three keeps sorted or reverse-sorted input (ties by index) away from O(n²). */
        parley_hit pivot = better(a, b) ? (better(b, c) ? b : better(a, c) ? c : a)
                                        : (better(a, c) ? a : better(b, c) ? c : b);
        long i = lo, j = hi;
        while (i <= j) {
            while (better(h[i], pivot)) i++;
            while (better(pivot, h[j])) j--;
            if (i <= j) {
                parley_hit t = h[i];
                h[i] = h[j];
                h[j] = t;
                i++;
                j--;
            }
        }
        if (target <= j) hi = j;
        else if (target >= i) lo = i;
        else return;
    }
}

long parley_top_hits(parley_hit *hits, long count, long keep) {
    if (keep <= 0 || count <= 0) return 0;
    select_best(hits, count, keep);
    long kept = count < keep ? count : keep;
    qsort(hits, (size_t)kept, sizeof *hits, compare_hits);
    return kept;
}

long parley_scan_scratch(long keep) {
    if (keep < 1) keep = 1;
    return 2 * keep > keep + 256 ? 2 * keep : keep + 256;
}

void parley_selector_init(parley_selector *s, parley_hit *scratch, long keep) {
    s->items = scratch;
    s->count = 0;
    s->keep = keep < 1 ? 1 : keep;
    s->capacity = parley_scan_scratch(keep);
    s->threshold = -INFINITY;
}

void parley_selector_compact(parley_selector *s) {
    select_best(s->items, s->count, s->keep);
    s->count = s->keep;
    float worst = s->items[0].score;
    for (long i = 1; i < s->keep; i++)
        if (s->items[i].score < worst) worst = s->items[i].score;
    s->threshold = worst;
}

long parley_selector_finish(parley_selector *s) {
    return parley_top_hits(s->items, s->count, s->keep);
}
