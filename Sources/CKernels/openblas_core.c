// OpenBLAS kernel family repair. Debian's OpenBLAS 0.3.21 (DYNAMIC_ARCH) picks its kernels from
// the CPUID family and model when it loads; a model it does not know (Intel's Emerald Rapids,
// model 207, seen on this project's machines; also CPUs that a hypervisor reports generically)
// falls back to its "Prescott" SSE3 kernels: measured 30 GFLOP/s single-thread sgemm there
// against 144 with its Cooperlake (AVX-512) kernels on the same core (docs/PERFORMANCE.md).
// When that fallback happened, OPENBLAS_CORETYPE is unset and the CPU's features (CPUID and the
// state the OS saves, XCR0) allow it, this re-runs OpenBLAS's own selection with the family the
// features imply, through the two functions its dynamic build exports. They are weak references:
// an OpenBLAS built for one architecture (no dynamic selection) leaves them null and nothing
// changes. Called once, before the first BLAS call, while no BLAS buffers exist.
#include "CKernels.h"

#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__)
#include <cpuid.h>
#endif

extern void gotoblas_dynamic_init(void) __attribute__((weak));
extern void gotoblas_dynamic_quit(void) __attribute__((weak));
extern char *openblas_get_corename(void) __attribute__((weak));

/// The OpenBLAS core name these CPU features support best, or NULL when they support nothing
/// better than its generic fallback.
static const char *best_core_for_features(void) {
#if defined(__x86_64__)
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return NULL;
    int fma = (ecx >> 12) & 1, osxsave = (ecx >> 27) & 1, avx = (ecx >> 28) & 1;
    if (!fma || !osxsave || !avx) return NULL;
    unsigned xcr0_low, xcr0_high;
    __asm__ volatile("xgetbv" : "=a"(xcr0_low), "=d"(xcr0_high) : "c"(0));
    if ((xcr0_low & 0x6u) != 0x6u) return NULL;  // the OS saves xmm and ymm
    if (__get_cpuid_max(0, NULL) < 7) return NULL;
    __get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx);
    unsigned max_subleaf = eax;
    int avx2 = (ebx >> 5) & 1;
    if (!avx2) return NULL;
    int avx512 = ((ebx >> 16) & 1) && ((ebx >> 17) & 1) && ((ebx >> 30) & 1) && ((ebx >> 31) & 1);  // F, DQ, BW, VL
    if (!avx512 || (xcr0_low & 0xE0u) != 0xE0u) return "Haswell";  // the OS must save opmask and zmm
    if (max_subleaf >= 1) {
        __get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx);
        if ((eax >> 5) & 1) return "Cooperlake";  // AVX512_BF16
    }
    return "SkylakeX";
#else
    return NULL;
#endif
}

const char *sd_openblas_repair_core(void) {
    if (!gotoblas_dynamic_init || !gotoblas_dynamic_quit || !openblas_get_corename) return NULL;
    if (getenv("OPENBLAS_CORETYPE") != NULL) return NULL;  // the user's choice stands
    const char *current = openblas_get_corename();
    if (current == NULL || strcmp(current, "Prescott") != 0) return NULL;
    const char *better = best_core_for_features();
    if (better == NULL) return NULL;
    // OpenBLAS reads OPENBLAS_CORETYPE inside gotoblas_dynamic_init; the variable is removed again
    // so that child processes make their own choice.
    if (setenv("OPENBLAS_CORETYPE", better, 1) != 0) return NULL;
    gotoblas_dynamic_quit();
    gotoblas_dynamic_init();
    unsetenv("OPENBLAS_CORETYPE");
    return better;
}
