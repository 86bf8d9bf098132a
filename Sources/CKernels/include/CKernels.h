// Vectorised float32 loops for the tensor runtime's transcendental-heavy kernels (softmax,
// activations). They are in C because clang reliably vectorises these loops (AVX2/FMA when
// built for x86-64-v3), while Swift's generic SIMD comparisons, min/max and lane selects
// compile to per-lane loops: measured, softmax alone took 47% of an SD1.5 UNet forward.
// Swift calls them through TensorRuntime; nothing else uses this module.
#ifndef SEMANTIC_DRAW_CKERNELS_H
#define SEMANTIC_DRAW_CKERNELS_H

#include <stddef.h>

/// Activation codes for sd_activate (keep in sync with TensorRuntime.Activation).
enum SDActivation {
    SD_ACTIVATION_SILU = 0,
    SD_ACTIVATION_GELU = 1,
    SD_ACTIVATION_QUICK_GELU = 2,
    SD_ACTIVATION_RELU = 3,
    SD_ACTIVATION_TANH = 4,
};

/// In-place softmax of row[0..visible); row[visible..length) is set to 0 (causal mask).
void sd_softmax_row(float *row, ptrdiff_t visible, ptrdiff_t length);

/// destination[i] = activation(source[i]); source and destination may alias.
void sd_activate(const float *source, float *destination, ptrdiff_t count, int activation);

/// destination[i] = source[i] * scale + shift, then SiLU when fused_silu is non-zero.
void sd_affine(const float *source, float *destination, ptrdiff_t count, float scale, float shift, int fused_silu);

/// destination[i] = hidden[i] * gelu(gate[i]) (GEGLU).
void sd_geglu(const float *hidden, const float *gate, float *destination, ptrdiff_t count);

/// Mean and (biased) variance of values[0..count), accumulated in float blocks flushed to double.
void sd_moments(const float *values, ptrdiff_t count, double *mean, double *variance);

/// Tunes glibc malloc for large, short-lived tensors (no-op elsewhere). Called once.
void sd_configure_allocator(void);

#endif
