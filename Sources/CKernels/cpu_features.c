// See cpu_features.h.
#include "cpu_features.h"
#if defined(__x86_64__)
#include <cpuid.h>

int sd_cpu_avx512f_usable(void) {
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & (1u << 27))) return 0;  // OSXSAVE
    unsigned xcr0_low, xcr0_high;
    __asm__ volatile("xgetbv" : "=a"(xcr0_low), "=d"(xcr0_high) : "c"(0));
    if ((xcr0_low & 0xE6u) != 0xE6u) return 0;  // the OS saves xmm, ymm, opmask and zmm state
    return __get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) && (ebx & (1u << 16));  // AVX512F
}

int sd_cpu_avx512bf16_usable(void) {
    if (!sd_cpu_avx512f_usable()) return 0;
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) || eax < 1) return 0;  // no subleaf 1
    __get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx);
    return (eax & (1u << 5)) != 0;  // AVX512_BF16
}

#else

int sd_cpu_avx512f_usable(void) { return 0; }
int sd_cpu_avx512bf16_usable(void) { return 0; }

#endif
