#include "internal.h"

/* -1 until detected. Racing threads compute the same value, so a plain relaxed store is enough. */
static int detected = -1;

int parley_isa_best(void) {
    int level = __atomic_load_n(&detected, __ATOMIC_RELAXED);
    if (level >= 0) return level;
    level = PARLEY_ISA_PORTABLE;
#if PARLEY_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("popcnt")) {
        level = PARLEY_ISA_AVX2;
        if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
            __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni") &&
            __builtin_cpu_supports("avx512vpopcntdq"))
            level = PARLEY_ISA_AVX512;
    }
#endif
    __atomic_store_n(&detected, level, __ATOMIC_RELAXED);
    return level;
}
