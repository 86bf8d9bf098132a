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
    SD_ACTIVATION_GELU_TANH = 5,
};

/// When OpenBLAS fell back to its generic "Prescott" kernels on a CPU it does not recognise
/// although the CPU has AVX2/FMA (or AVX-512), re-runs its kernel selection with the family the
/// CPU's features imply (see openblas_core.c). Returns that family's name, or NULL when nothing
/// changed (OPENBLAS_CORETYPE set, a recognised CPU, or an OpenBLAS without dynamic selection).
/// Call once, before the first BLAS call.
const char *sd_openblas_repair_core(void);

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

/// Mean of the squares of values[0..count), accumulated in float blocks flushed to double (RMSNorm).
double sd_mean_square(const float *values, ptrdiff_t count);

/// destination[i] = (source[i] - mean) * inverse * scale[i] + shift[i] (a modulated layer norm row;
/// scale is already 1 + s).
void sd_normalize_modulate(const float *source, float *destination, ptrdiff_t count, float mean, float inverse,
                           const float *scale, const float *shift);

/// destination[i] = source[i] * inverse * weight[i] (weight NULL: source[i] * inverse).
void sd_scale_row(const float *source, float *destination, ptrdiff_t count, float inverse, const float *weight);

/// destination[i] = base[i] + gate[i] * value[i].
void sd_gated_add(const float *base, const float *gate, const float *value, float *destination, ptrdiff_t count);

/// Tunes glibc malloc for large, short-lived tensors (no-op elsewhere). Called once.
void sd_configure_allocator(void);

/// Winograd F(2x2,3x3) weight transform of output channels [out_begin, out_end):
/// weight [Cout][Cin][3][3] -> transformed [16][Cout][Cin].
void sd_winograd_weights(const float *weight, float *transformed, ptrdiff_t out_channels, ptrdiff_t in_channels,
                         ptrdiff_t out_begin, ptrdiff_t out_end);

/// Input transform of tile rows [tile_row_begin, tile_row_end) (each tile row covers 2 output
/// rows) for channels [channel_begin, channel_end): input [C][H][W] -> transformed
/// [16][C][leading], where these tiles fill columns 0 ..< (rows * tiles_x) of the (already
/// offset) transformed pointer, so several images can share one GEMM; zero padding outside.
void sd_winograd_input(const float *input, float *transformed, ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width,
                       ptrdiff_t pad_top, ptrdiff_t pad_left, ptrdiff_t tiles_x, ptrdiff_t tile_row_begin,
                       ptrdiff_t tile_row_end, ptrdiff_t leading, ptrdiff_t channel_begin, ptrdiff_t channel_end);

/// Output transform of the same tile rows: transformed [16][Cout][tiles] -> output [Cout][Hout][Wout]
/// (+ bias when not NULL), for channels [channel_begin, channel_end).
void sd_winograd_output(const float *transformed, float *output, const float *bias, ptrdiff_t channels,
                        ptrdiff_t out_height, ptrdiff_t out_width, ptrdiff_t tiles_x, ptrdiff_t tile_row_begin,
                        ptrdiff_t tile_row_end, ptrdiff_t leading, ptrdiff_t channel_begin, ptrdiff_t channel_end);

/// Winograd F(4x4,3x3): the same three steps with 6x6 input tiles, 36 positions, 4x4 outputs
/// (each tile row covers 4 output rows). transformed layouts [36][...].
void sd_winograd4_weights(const float *weight, float *transformed, ptrdiff_t out_channels, ptrdiff_t in_channels,
                          ptrdiff_t out_begin, ptrdiff_t out_end);
void sd_winograd4_input(const float *input, float *transformed, ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width,
                        ptrdiff_t pad_top, ptrdiff_t pad_left, ptrdiff_t tiles_x, ptrdiff_t tile_row_begin,
                        ptrdiff_t tile_row_end, ptrdiff_t leading, ptrdiff_t channel_begin, ptrdiff_t channel_end);
void sd_winograd4_output(const float *transformed, float *output, const float *bias, ptrdiff_t channels,
                         ptrdiff_t out_height, ptrdiff_t out_width, ptrdiff_t tiles_x, ptrdiff_t tile_row_begin,
                         ptrdiff_t tile_row_end, ptrdiff_t leading, ptrdiff_t channel_begin, ptrdiff_t channel_end);

#include "CKernelsBF16.h"
#include "CKernelsAttention.h"

#endif
