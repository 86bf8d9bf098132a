// Shared between the bf16 GEMM driver (bf16_gemm.c) and its AVX512-BF16 kernel
// (bf16_gemm_avx512.c); not part of the module's interface.
#ifndef SEMANTIC_DRAW_BF16_GEMM_INTERNAL_H
#define SEMANTIC_DRAW_BF16_GEMM_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/// Rows of A per micro-kernel call (the broadcast side): 6 for the AVX2 and portable kernels
/// (12 ymm accumulators), 12 for the AVX512-BF16 and AVX-512F ones (24 of the 32 zmm registers,
/// enough independent chains to cover the latency at two per cycle).
#define SD_BF16_MR 6
#define SD_BF16_MR_NATIVE 12
/// Width of the micro-kernel's output tile buffer (two panels).
#define SD_BF16_TILE_STRIDE 32

uint16_t sd_bf16_from_source(const void *source, int source_type, ptrdiff_t index);
uint16_t sd_bf16_round_value(float value);

/// tile[i][0..16) (and [16..32) when second_panel is not NULL), i < SD_BF16_MR_NATIVE, = sum
/// over `pairs` k-pairs of the packed activations (bf16 pairs, [pair][row]) times the panels.
void sd_bf16_kernel_avx512(ptrdiff_t pairs, const uint32_t *activations, const uint16_t *first_panel,
                           const uint16_t *second_panel, float *tile);

/// The same tile from float32 activation pairs ([pair][row][2], SD_BF16_MR_NATIVE rows) with the
/// weights widened to float32 in registers (AVX-512F).
void sd_bf16_kernel_avx512f(ptrdiff_t pairs, const float *activations, const uint16_t *first_panel,
                            const uint16_t *second_panel, float *tile);

/// out[0..16) = sum over `pairs` k-pairs of row[2p] * W(j, 2p) + row[2p + 1] * W(j, 2p + 1) for
/// the 16 channels of one packed panel (row: float32, padded to an even length with a zero):
/// the one-row product, memory-bound, with the weights widened to float32 (AVX-512F).
void sd_bf16_row_panel_avx512f(ptrdiff_t pairs, const float *row, const uint16_t *panel, float *out);

#endif
