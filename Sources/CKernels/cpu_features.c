// See cpu_features.h. Each answer is computed once and cached: the attention driver asks per
// query block and the bf16 GEMM per call, and CPUID is slow (a VM exit under a hypervisor).
#include "cpu_features.h"
#if defined(__x86_64__)
#include <cpuid.h>

static int avx512f_usable(void) {
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & (1u << 27))) return 0;  // OSXSAVE
    unsigned xcr0_low, xcr0_high;
    __asm__ volatile("xgetbv" : "=a"(xcr0_low), "=d"(xcr0_high) : "c"(0));
    if ((xcr0_low & 0xE6u) != 0xE6u) return 0;  // the OS saves xmm, ymm, opmask and zmm state
    return __get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) && (ebx & (1u << 16));  // AVX512F
}

static int avx512bf16_usable(void) {
    if (!avx512f_usable()) return 0;
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) || eax < 1) return 0;  // no subleaf 1
    __get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx);
    return (eax & (1u << 5)) != 0;  // AVX512_BF16
}

/// `*cache` (-1 until known) or `probe()`, stored; racing first callers store the same answer.
static int cached(int *cache, int (*probe)(void)) {
    int known = __atomic_load_n(cache, __ATOMIC_RELAXED);
    if (known >= 0) return known;
    known = probe();
    __atomic_store_n(cache, known, __ATOMIC_RELAXED);
    return known;
}

int sd_cpu_avx512f_usable(void) {
    static int cache = -1;
    return cached(&cache, avx512f_usable);
}

int sd_cpu_avx512bf16_usable(void) {
    static int cache = -1;
    return cached(&cache, avx512bf16_usable);
}

#else

int sd_cpu_avx512f_usable(void) { return 0; }
int sd_cpu_avx512bf16_usable(void) { return 0; }

#endif
