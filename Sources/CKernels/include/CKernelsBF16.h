// Half-precision conversions and the bf16-weight GEMM (docs/PERFORMANCE.md, "bf16 weights").
//
// The weight matrix W [n x k] (a linear layer's [out, in], a convolution's [Cout, Cin*kh*kw])
// is packed once into panels of SD_BF16_PANEL_WIDTH rows (output channels), bf16, with k
// padded to even and the two k of each pair interleaved: element (row r, depth p) of panel
// r / 16 sits at [(p / 2) * 32 + (r % 16) * 2 + p % 2]. One 64-byte line holds a k-pair of
// the 16 channels: the AVX512-BF16 kernel feeds it to vdpbf16ps as is, the AVX2 kernel splits
// it into two float32 vectors with a shift and a mask.
#ifndef SEMANTIC_DRAW_CKERNELS_BF16_H
#define SEMANTIC_DRAW_CKERNELS_BF16_H

#include <stddef.h>
#include <stdint.h>

/// Output channels per packed panel.
#define SD_BF16_PANEL_WIDTH 16

/// The bf16 GEMM code paths.
enum SDBF16Path {
    /// Portable C (any CPU).
    SD_BF16_PATH_SCALAR = 0,
    /// AVX2 + FMA: bf16 weights widened to float32 in registers, float32 activations.
    SD_BF16_PATH_AVX2 = 1,
    /// AVX512-BF16 (vdpbf16ps): activations rounded to bf16, float32 accumulation.
    SD_BF16_PATH_AVX512_BF16 = 2,
    /// The AVX512-BF16 path's blocking and arithmetic (activations rounded to bf16, each
    /// vdpbf16ps step (acc + odd product) + even product in float32) in portable C: lets tests
    /// check that path's driver on any CPU. Slow; never chosen by default.
    SD_BF16_PATH_AVX512_BF16_EMULATED = 3,
    /// AVX-512F: bf16 weights widened to float32 in zmm registers, float32 activations and FMA
    /// (the fallback's arithmetic at twice its width). Faster than AVX512-BF16 on Intel cores
    /// that issue vdpbf16ps at half their float32 FMA rate (measured: docs/PERFORMANCE.md).
    SD_BF16_PATH_AVX512 = 4,
};

/// The fastest path this CPU (and its operating system's saved register state) supports.
int sd_bf16_best_path(void);

/// Whether `path` can run on this CPU.
int sd_bf16_path_supported(int path);

/// destination[i] = source[i] rounded to bf16, to nearest even (NaN stays a quiet NaN).
void sd_f32_to_bf16(const float *source, uint16_t *destination, ptrdiff_t count);

/// destination[i] = the float32 value of bf16 source[i] (exact).
void sd_bf16_to_f32(const uint16_t *source, float *destination, ptrdiff_t count);

/// destination[i] = the float32 value of IEEE half source[i] (exact).
void sd_f16_to_f32(const uint16_t *source, float *destination, ptrdiff_t count);

/// Source element types of sd_bf16_pack.
enum SDBF16Source { SD_BF16_SOURCE_F32 = 0, SD_BF16_SOURCE_BF16 = 1, SD_BF16_SOURCE_F16 = 2 };

/// uint16 elements of a packed [n x k] matrix.
ptrdiff_t sd_bf16_packed_count(ptrdiff_t n, ptrdiff_t k);

/// Packs panels [panel_begin, panel_end) of the row-major [n x k] matrix `source` (element
/// type SDBF16Source; float32 and half are rounded to bf16 to nearest even, once).
void sd_bf16_pack(const void *source, int source_type, ptrdiff_t n, ptrdiff_t k, uint16_t *packed,
                  ptrdiff_t panel_begin, ptrdiff_t panel_end);

/// The float32 values of rows [row_begin, row_end) of a packed [n x k] matrix, row-major into
/// destination (which holds row row_begin at its start).
void sd_bf16_unpack(const uint16_t *packed, ptrdiff_t n, ptrdiff_t k, float *destination, ptrdiff_t row_begin,
                    ptrdiff_t row_end);

/// C[i][j] = (accumulate ? C[i][j] : 0) + sum_p A[i][p] * W[j][p] for i in [0, m) and the
/// columns j of panels [panel_begin, panel_end) (j < n). A is float32 with element (i, p) at
/// a[i * a_row_stride + p * a_column_stride]; C's element (i, j) is at
/// c[i * c_row_stride + j * c_column_stride]; W is packed by sd_bf16_pack. Accumulation is
/// float32. Runs on the calling thread. One row (m == 1) is a matrix-vector product with the
/// weights widened to float32, on every path but the emulated one.
void sd_bf16_gemm(int path, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                  const float *a, ptrdiff_t a_row_stride, ptrdiff_t a_column_stride,
                  const uint16_t *packed, ptrdiff_t panel_begin, ptrdiff_t panel_end,
                  float *c, ptrdiff_t c_row_stride, ptrdiff_t c_column_stride, int accumulate);

#endif
