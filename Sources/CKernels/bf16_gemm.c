// See include/CKernelsBF16.h: packing and the blocked bf16-weight GEMM with its portable and
// AVX2 micro-kernels (the AVX512-BF16 one is in bf16_gemm_avx512.c).
//
// Blocking (GotoBLAS order, roles chosen so that the weights are the vector side): for each
// block of KC depths, for each block of MC rows of A, A's block is packed once into
// micro-panels of 6 rows (float32 pairs; 12 rows of bf16 pairs for the native kernel, 12 rows of
// float32 pairs for the AVX-512F one) that
// stay in L2; each packed weight panel's KC slice (16 channels x KC bf16 = 8 KiB) stays in L1
// while the micro-kernel sweeps the block's micro-panels. Each call computes a 6 x 16 (AVX2,
// portable) or 12 x 32 (AVX512-BF16, AVX-512F) tile in registers, which is then added to C through its
// strides (C may be row-major or, for convolutions, transposed).
#include "CKernels.h"
#include "bf16_gemm_internal.h"
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#define KC 256
#define MC 96

ptrdiff_t sd_bf16_packed_count(ptrdiff_t n, ptrdiff_t k) {
    ptrdiff_t panels = (n + SD_BF16_PANEL_WIDTH - 1) / SD_BF16_PANEL_WIDTH;
    ptrdiff_t pairs = (k + 1) / 2;
    return panels * pairs * 2 * SD_BF16_PANEL_WIDTH;
}

void sd_bf16_pack(const void *source, int source_type, ptrdiff_t n, ptrdiff_t k, uint16_t *packed,
                  ptrdiff_t panel_begin, ptrdiff_t panel_end) {
    ptrdiff_t pairs = (k + 1) / 2;
    ptrdiff_t panel_size = pairs * 2 * SD_BF16_PANEL_WIDTH;
    for (ptrdiff_t panel = panel_begin; panel < panel_end; panel++) {
        uint16_t *destination = packed + panel * panel_size;
        for (ptrdiff_t lane = 0; lane < SD_BF16_PANEL_WIDTH; lane++) {
            ptrdiff_t row = panel * SD_BF16_PANEL_WIDTH + lane;
            for (ptrdiff_t depth = 0; depth < pairs * 2; depth++) {
                uint16_t value = (row < n && depth < k) ? sd_bf16_from_source(source, source_type, row * k + depth) : 0;
                destination[(depth / 2) * 32 + lane * 2 + (depth & 1)] = value;
            }
        }
    }
}

static inline float bf16_bits_value(uint32_t bits) {
    float value;
    memcpy(&value, &bits, sizeof value);
    return value;
}

void sd_bf16_unpack(const uint16_t *packed, ptrdiff_t n, ptrdiff_t k, float *destination, ptrdiff_t row_begin,
                    ptrdiff_t row_end) {
    ptrdiff_t panel_size = sd_bf16_packed_count(SD_BF16_PANEL_WIDTH, k);
    for (ptrdiff_t row = row_begin; row < row_end && row < n; row++) {
        const uint16_t *panel = packed + (row / SD_BF16_PANEL_WIDTH) * panel_size;
        ptrdiff_t lane = row % SD_BF16_PANEL_WIDTH;
        float *target = destination + (row - row_begin) * k;
        for (ptrdiff_t depth = 0; depth < k; depth++) {
            target[depth] = bf16_bits_value((uint32_t)panel[(depth / 2) * 32 + lane * 2 + (depth & 1)] << 16);
        }
    }
}

/// Portable micro-kernel: tile[i][j] = sum over pairs of a[pair][i][e] * W(j, 2 pair + e).
static void kernel_scalar(ptrdiff_t pairs, const float *activations, const uint16_t *panel, float *tile) {
    float accumulators[SD_BF16_MR][SD_BF16_PANEL_WIDTH] = {{0}};
    for (ptrdiff_t pair = 0; pair < pairs; pair++) {
        const uint16_t *weights = panel + pair * 32;
        const float *column = activations + pair * SD_BF16_MR * 2;
        float even[SD_BF16_PANEL_WIDTH], odd[SD_BF16_PANEL_WIDTH];
        for (int lane = 0; lane < SD_BF16_PANEL_WIDTH; lane++) {
            even[lane] = bf16_bits_value((uint32_t)weights[lane * 2] << 16);
            odd[lane] = bf16_bits_value((uint32_t)weights[lane * 2 + 1] << 16);
        }
        for (int row = 0; row < SD_BF16_MR; row++) {
            float first = column[row * 2], second = column[row * 2 + 1];
            for (int lane = 0; lane < SD_BF16_PANEL_WIDTH; lane++) {
                accumulators[row][lane] += first * even[lane];
                accumulators[row][lane] += second * odd[lane];
            }
        }
    }
    for (int row = 0; row < SD_BF16_MR; row++) memcpy(tile + row * SD_BF16_TILE_STRIDE, accumulators[row], sizeof accumulators[row]);
}

/// The native kernel's arithmetic in portable C (SD_BF16_PATH_AVX512_BF16_EMULATED): per
/// k-pair, acc = (acc + odd product) + even product, products of bf16 exact in float32.
static void kernel_emulated_native(ptrdiff_t pairs, const uint32_t *activations, const uint16_t *first,
                                   const uint16_t *second, float *tile) {
    for (int row = 0; row < SD_BF16_MR_NATIVE; row++) {
        for (int column = 0; column < 2 * SD_BF16_PANEL_WIDTH; column++) {
            const uint16_t *panel = column < SD_BF16_PANEL_WIDTH ? first : second;
            if (!panel) continue;
            int lane = column % SD_BF16_PANEL_WIDTH;
            float accumulator = 0;
            for (ptrdiff_t pair = 0; pair < pairs; pair++) {
                uint32_t value = activations[pair * SD_BF16_MR_NATIVE + row];
                float odd = bf16_bits_value(value & 0xFFFF0000u) * bf16_bits_value((uint32_t)panel[pair * 32 + lane * 2 + 1] << 16);
                float even = bf16_bits_value(value << 16) * bf16_bits_value((uint32_t)panel[pair * 32 + lane * 2] << 16);
                accumulator = (accumulator + odd) + even;
            }
            tile[row * SD_BF16_TILE_STRIDE + column] = accumulator;
        }
    }
}

#if defined(__x86_64__) && defined(__AVX2__) && defined(__FMA__)
/// AVX2 micro-kernel: each 64-byte k-pair line of the panel is two 256-bit loads; `<< 16` gives
/// the even depth of channels 0-7 / 8-15 as float32, `& 0xFFFF0000` the odd one. 12
/// accumulators + 2 weight vectors + 1 broadcast = 15 of the 16 ymm registers.
static void kernel_avx2(ptrdiff_t pairs, const float *activations, const uint16_t *panel, float *tile) {
    __m256 low[SD_BF16_MR], high[SD_BF16_MR];
    for (int row = 0; row < SD_BF16_MR; row++) { low[row] = _mm256_setzero_ps(); high[row] = _mm256_setzero_ps(); }
    const __m256i upper = _mm256_set1_epi32((int)0xFFFF0000u);
    for (ptrdiff_t pair = 0; pair < pairs; pair++) {
        const uint16_t *weights = panel + pair * 32;
        const float *column = activations + pair * SD_BF16_MR * 2;
        __m256i packed0 = _mm256_loadu_si256((const __m256i *)weights);
        __m256i packed1 = _mm256_loadu_si256((const __m256i *)(weights + 16));
        __m256 even0 = _mm256_castsi256_ps(_mm256_slli_epi32(packed0, 16));
        __m256 even1 = _mm256_castsi256_ps(_mm256_slli_epi32(packed1, 16));
#pragma clang loop unroll(full)
        for (int row = 0; row < SD_BF16_MR; row++) {
            __m256 value = _mm256_broadcast_ss(column + row * 2);
            low[row] = _mm256_fmadd_ps(value, even0, low[row]);
            high[row] = _mm256_fmadd_ps(value, even1, high[row]);
        }
        __m256 odd0 = _mm256_castsi256_ps(_mm256_and_si256(packed0, upper));
        __m256 odd1 = _mm256_castsi256_ps(_mm256_and_si256(packed1, upper));
#pragma clang loop unroll(full)
        for (int row = 0; row < SD_BF16_MR; row++) {
            __m256 value = _mm256_broadcast_ss(column + row * 2 + 1);
            low[row] = _mm256_fmadd_ps(value, odd0, low[row]);
            high[row] = _mm256_fmadd_ps(value, odd1, high[row]);
        }
    }
    // The lanes hold channels interleaved by the packing: 32-bit word w of the line is channel w
    // (words 0-7 in packed0, 8-15 in packed1), so low/high are channels 0-7 and 8-15 in order.
    for (int row = 0; row < SD_BF16_MR; row++) {
        _mm256_storeu_ps(tile + row * SD_BF16_TILE_STRIDE, low[row]);
        _mm256_storeu_ps(tile + row * SD_BF16_TILE_STRIDE + 8, high[row]);
    }
}
#endif

/// One row of A against the panels [panel_begin, panel_end): a matrix-vector product, whose
/// speed is the weights' memory traffic. The GEMM's 6- or 12-row tiles would spend 5/6 or 11/12
/// of their arithmetic on padding rows here (a decoder's one-token steps, pooled projections).
/// Arithmetic of the widening paths (weights widened to float32, float32 activations): the same
/// for every path, the native one included.
static void row_times_panels(int path, ptrdiff_t k, const float *a, ptrdiff_t a_column_stride, const uint16_t *packed,
                             ptrdiff_t panel_begin, ptrdiff_t panel_end, ptrdiff_t n, float *c, ptrdiff_t c_column_stride,
                             int accumulate) {
    ptrdiff_t pairs = (k + 1) / 2;
    ptrdiff_t panel_size = sd_bf16_packed_count(SD_BF16_PANEL_WIDTH, k);
    float *row = aligned_alloc(64, (size_t)(pairs * 2 + 16) * sizeof(float));
    if (!row) abort();
    for (ptrdiff_t depth = 0; depth < pairs * 2; depth++) row[depth] = depth < k ? a[depth * a_column_stride] : 0.0f;
    int wide = (path == SD_BF16_PATH_AVX512 || path == SD_BF16_PATH_AVX512_BF16) && sd_bf16_path_supported(SD_BF16_PATH_AVX512);
    for (ptrdiff_t panel = panel_begin; panel < panel_end; panel++) {
        const uint16_t *weights = packed + panel * panel_size;
        float out[SD_BF16_PANEL_WIDTH];
        if (wide) {
            sd_bf16_row_panel_avx512f(pairs, row, weights, out);
        } else {
            float even[SD_BF16_PANEL_WIDTH] = {0}, odd[SD_BF16_PANEL_WIDTH] = {0};
            for (ptrdiff_t pair = 0; pair < pairs; pair++) {
                const uint16_t *line = weights + pair * 32;
                float first = row[pair * 2], second = row[pair * 2 + 1];
                for (int lane = 0; lane < SD_BF16_PANEL_WIDTH; lane++) {
                    even[lane] += first * bf16_bits_value((uint32_t)line[lane * 2] << 16);
                    odd[lane] += second * bf16_bits_value((uint32_t)line[lane * 2 + 1] << 16);
                }
            }
            for (int lane = 0; lane < SD_BF16_PANEL_WIDTH; lane++) out[lane] = even[lane] + odd[lane];
        }
        ptrdiff_t first_column = panel * SD_BF16_PANEL_WIDTH;
        ptrdiff_t columns = n - first_column < SD_BF16_PANEL_WIDTH ? n - first_column : SD_BF16_PANEL_WIDTH;
        for (ptrdiff_t column = 0; column < columns; column++) {
            float *target = c + (first_column + column) * c_column_stride;
            *target = accumulate ? *target + out[column] : out[column];
        }
    }
    free(row);
}

/// Adds (or stores) the valid rows x columns of a tile to C through its strides.
static void store_tile(const float *tile, ptrdiff_t rows, ptrdiff_t columns, float *c, ptrdiff_t row_stride,
                       ptrdiff_t column_stride, int accumulate) {
    if (column_stride == 1) {
        for (ptrdiff_t row = 0; row < rows; row++) {
            float *target = c + row * row_stride;
            const float *values = tile + row * SD_BF16_TILE_STRIDE;
            if (accumulate) for (ptrdiff_t column = 0; column < columns; column++) target[column] += values[column];
            else memcpy(target, values, (size_t)columns * sizeof(float));
        }
    } else {
        for (ptrdiff_t column = 0; column < columns; column++) {
            float *target = c + column * column_stride;
            for (ptrdiff_t row = 0; row < rows; row++) {
                float value = tile[row * SD_BF16_TILE_STRIDE + column];
                target[row * row_stride] = accumulate ? target[row * row_stride] + value : value;
            }
        }
    }
}

/// Packs rows [first_row, first_row + rows) and depths [first_depth, first_depth + depths) of A
/// into micro-panels of `mr` rows: float32 [pair][row][2] (native == 0) or bf16 pairs
/// [pair][row] (native).
static void pack_activations(const float *a, ptrdiff_t row_stride, ptrdiff_t column_stride, ptrdiff_t first_row,
                             ptrdiff_t rows, ptrdiff_t first_depth, ptrdiff_t depths, void *buffer, int native, int mr) {
    ptrdiff_t pairs = (depths + 1) / 2;
    ptrdiff_t micro_panels = (rows + mr - 1) / mr;
    for (ptrdiff_t panel = 0; panel < micro_panels; panel++) {
        for (ptrdiff_t pair = 0; pair < pairs; pair++) {
            for (ptrdiff_t lane = 0; lane < mr; lane++) {
                ptrdiff_t row = panel * mr + lane;
                float values[2];
                for (int half = 0; half < 2; half++) {
                    ptrdiff_t depth = pair * 2 + half;
                    values[half] = (row < rows && depth < depths)
                        ? a[(first_row + row) * row_stride + (first_depth + depth) * column_stride] : 0.0f;
                }
                ptrdiff_t slot = (panel * pairs + pair) * mr + lane;
                if (native) {
                    ((uint32_t *)buffer)[slot] = (uint32_t)sd_bf16_round_value(values[0])
                        | ((uint32_t)sd_bf16_round_value(values[1]) << 16);
                } else {
                    ((float *)buffer)[slot * 2] = values[0];
                    ((float *)buffer)[slot * 2 + 1] = values[1];
                }
            }
        }
    }
}

void sd_bf16_gemm(int path, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                  const float *a, ptrdiff_t a_row_stride, ptrdiff_t a_column_stride,
                  const uint16_t *packed, ptrdiff_t panel_begin, ptrdiff_t panel_end,
                  float *c, ptrdiff_t c_row_stride, ptrdiff_t c_column_stride, int accumulate) {
    if (m <= 0 || panel_end <= panel_begin) return;
    // Never run an instruction the CPU lacks: fall back to the next path down.
    if (path == SD_BF16_PATH_AVX512_BF16 && !sd_bf16_path_supported(path)) path = SD_BF16_PATH_AVX512;
    if (path == SD_BF16_PATH_AVX512 && !sd_bf16_path_supported(path)) path = SD_BF16_PATH_AVX2;
    if (path == SD_BF16_PATH_AVX2 && !sd_bf16_path_supported(path)) path = SD_BF16_PATH_SCALAR;
#if !(defined(__x86_64__) && defined(__AVX2__) && defined(__FMA__))
    if (path == SD_BF16_PATH_AVX2) path = SD_BF16_PATH_SCALAR;
#endif
    if (m == 1 && path != SD_BF16_PATH_AVX512_BF16_EMULATED) {
        row_times_panels(path, k, a, a_column_stride, packed, panel_begin, panel_end, n, c, c_column_stride, accumulate);
        return;
    }
    int emulated = path == SD_BF16_PATH_AVX512_BF16_EMULATED;
    int native = path == SD_BF16_PATH_AVX512_BF16 || emulated;
    int widened = path == SD_BF16_PATH_AVX512;  // float32 activations in 12-row micro-panels
    int group = native || widened ? 2 : 1;
    ptrdiff_t panel_size = sd_bf16_packed_count(SD_BF16_PANEL_WIDTH, k);
    // Worst case: float32 pairs for MC rows x KC depths.
    void *buffer = aligned_alloc(64, (size_t)MC * KC * sizeof(float));
    if (!buffer) abort();
    int mr = native || widened ? SD_BF16_MR_NATIVE : SD_BF16_MR;
    float tile[SD_BF16_MR_NATIVE * SD_BF16_TILE_STRIDE] __attribute__((aligned(64)));
    ptrdiff_t depth_start = 0;
    do {
        ptrdiff_t depths = k - depth_start < KC ? k - depth_start : KC;
        ptrdiff_t pairs = (depths + 1) / 2;
        int add = accumulate || depth_start > 0;
        for (ptrdiff_t row_start = 0; row_start < m; row_start += MC) {
            ptrdiff_t rows = m - row_start < MC ? m - row_start : MC;
            pack_activations(a, a_row_stride, a_column_stride, row_start, rows, depth_start, depths, buffer, native, mr);
            for (ptrdiff_t panel = panel_begin; panel < panel_end; panel += group) {
                int panels = panel + group <= panel_end ? group : 1;
                const uint16_t *first = packed + panel * panel_size + (depth_start / 2) * 32;
                const uint16_t *second = panels == 2 ? first + panel_size : NULL;
                ptrdiff_t first_column = panel * SD_BF16_PANEL_WIDTH;
                ptrdiff_t end_column = (panel + panels) * SD_BF16_PANEL_WIDTH;
                ptrdiff_t columns = (end_column < n ? end_column : n) - first_column;
                for (ptrdiff_t micro = 0; micro * mr < rows; micro++) {
                    ptrdiff_t micro_rows = rows - micro * mr < mr ? rows - micro * mr : mr;
                    if (native) {
                        const uint32_t *activations = (const uint32_t *)buffer + micro * pairs * mr;
                        if (emulated) kernel_emulated_native(pairs, activations, first, second, tile);
                        else sd_bf16_kernel_avx512(pairs, activations, first, second, tile);
                    } else if (widened) {
                        sd_bf16_kernel_avx512f(pairs, (const float *)buffer + micro * pairs * SD_BF16_MR_NATIVE * 2, first,
                                               second, tile);
                    } else {
                        const float *activations = (const float *)buffer + micro * pairs * SD_BF16_MR * 2;
#if defined(__x86_64__) && defined(__AVX2__) && defined(__FMA__)
                        if (path == SD_BF16_PATH_AVX2) kernel_avx2(pairs, activations, first, tile);
                        else kernel_scalar(pairs, activations, first, tile);
#else
                        kernel_scalar(pairs, activations, first, tile);
#endif
                    }
                    store_tile(tile, micro_rows, columns,
                               c + (row_start + micro * mr) * c_row_stride + first_column * c_column_stride,
                               c_row_stride, c_column_stride, add);
                }
            }
        }
        depth_start += KC;
    } while (depth_start < k);
    free(buffer);
}
