// Shared by the Winograd F(2x2, 3x3) and F(4x4, 3x3) transforms (winograd.c, winograd4.c); not
// part of the module's interface.
#ifndef SEMANTIC_DRAW_WINOGRAD_INTERNAL_H
#define SEMANTIC_DRAW_WINOGRAD_INTERNAL_H

#include <stddef.h>

// Each transform is compiled twice, for AVX-512F and for the package's x86-64-v3, and the
// loader picks the clone the CPU runs (target_clones: an ifunc resolved once, from CPUID and
// the OS-saved register state); elsewhere it is one plain function.
#if defined(__x86_64__) && defined(__linux__)
#define WINOGRAD_CLONES __attribute__((target_clones("avx512f", "default")))
#else
#define WINOGRAD_CLONES
#endif

// Weights are transformed a block of WINOGRAD_WEIGHT_BLOCK consecutive (out, in) pairs at a
// time: the block's 3x3 kernels are transposed to [tap][pair], both 1-D transforms run over the
// pairs (vectorised), and each position is written as one contiguous run. (One pair at a time
// wrote 16 or 36 floats a whole plane apart, which cost 1.8 s of the SDXL UNet's 27 s.)
#define WINOGRAD_WEIGHT_BLOCK 128

/// Copies the 3x3 kernels of the pairs [first, first + count) of `weight` ([pairs][9]) into
/// g[tap][pair - first].
static inline void winograd_gather_kernels(const float *weight, ptrdiff_t first, ptrdiff_t count,
                                           float g[9][WINOGRAD_WEIGHT_BLOCK]) {
    const float *source = weight + first * 9;
    for (ptrdiff_t t = 0; t < count; t++)
        for (int tap = 0; tap < 9; tap++) g[tap][t] = source[t * 9 + tap];
}

#endif
