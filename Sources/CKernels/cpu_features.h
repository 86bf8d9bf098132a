// Run-time CPU feature checks the AVX-512 kernels share (not part of the module's interface).
// A kernel compiled for AVX-512 by attribute may run only where both the CPU has the
// instructions and the operating system saves their register state.
#ifndef SEMANTIC_DRAW_CPU_FEATURES_H
#define SEMANTIC_DRAW_CPU_FEATURES_H

/// AVX-512F, with the OS saving the xmm, ymm, opmask and zmm state (XCR0 bits 1, 2, 5, 6, 7).
int sd_cpu_avx512f_usable(void);

/// AVX-512F as above plus AVX512_BF16 (CPUID leaf 7, subleaf 1, EAX bit 5).
int sd_cpu_avx512bf16_usable(void);

#endif
