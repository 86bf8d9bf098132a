// The AVX512-BF16 micro-kernel (vdpbf16ps: 16 lanes of a[2i]*b[2i] + a[2i+1]*b[2i+1] added to a
// float32 accumulator) and the AVX-512F one that widens the weights instead. Compiled for those
// targets by attribute only, so the rest of the package
// stays x86-64-v3; sd_bf16_gemm calls them only after sd_bf16_path_supported said the CPU has them.
#include "CKernels.h"
#include "bf16_gemm_internal.h"

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("avx512f,avx512bf16")))
static void kernel_two_panels(ptrdiff_t pairs, const uint32_t *activations, const uint16_t *first,
                              const uint16_t *second, float *tile) {
    __m512 left[SD_BF16_MR_NATIVE], right[SD_BF16_MR_NATIVE];
    for (int row = 0; row < SD_BF16_MR_NATIVE; row++) { left[row] = _mm512_setzero_ps(); right[row] = _mm512_setzero_ps(); }
    for (ptrdiff_t pair = 0; pair < pairs; pair++) {
        __m512bh weights0 = (__m512bh)_mm512_loadu_si512((const void *)(first + pair * 32));
        __m512bh weights1 = (__m512bh)_mm512_loadu_si512((const void *)(second + pair * 32));
        const uint32_t *column = activations + pair * SD_BF16_MR_NATIVE;
#pragma clang loop unroll(full)
        for (int row = 0; row < SD_BF16_MR_NATIVE; row++) {
            __m512bh value = (__m512bh)_mm512_set1_epi32((int)column[row]);
            left[row] = _mm512_dpbf16_ps(left[row], value, weights0);
            right[row] = _mm512_dpbf16_ps(right[row], value, weights1);
        }
    }
    for (int row = 0; row < SD_BF16_MR_NATIVE; row++) {
        _mm512_storeu_ps(tile + row * SD_BF16_TILE_STRIDE, left[row]);
        _mm512_storeu_ps(tile + row * SD_BF16_TILE_STRIDE + 16, right[row]);
    }
}

__attribute__((target("avx512f,avx512bf16")))
static void kernel_one_panel(ptrdiff_t pairs, const uint32_t *activations, const uint16_t *first, float *tile) {
    __m512 accumulators[SD_BF16_MR_NATIVE];
    for (int row = 0; row < SD_BF16_MR_NATIVE; row++) accumulators[row] = _mm512_setzero_ps();
    for (ptrdiff_t pair = 0; pair < pairs; pair++) {
        __m512bh weights = (__m512bh)_mm512_loadu_si512((const void *)(first + pair * 32));
        const uint32_t *column = activations + pair * SD_BF16_MR_NATIVE;
#pragma clang loop unroll(full)
        for (int row = 0; row < SD_BF16_MR_NATIVE; row++) {
            __m512bh value = (__m512bh)_mm512_set1_epi32((int)column[row]);
            accumulators[row] = _mm512_dpbf16_ps(accumulators[row], value, weights);
        }
    }
    for (int row = 0; row < SD_BF16_MR_NATIVE; row++) _mm512_storeu_ps(tile + row * SD_BF16_TILE_STRIDE, accumulators[row]);
}

void sd_bf16_kernel_avx512(ptrdiff_t pairs, const uint32_t *activations, const uint16_t *first_panel,
                           const uint16_t *second_panel, float *tile) {
    if (second_panel) kernel_two_panels(pairs, activations, first_panel, second_panel, tile);
    else kernel_one_panel(pairs, activations, first_panel, tile);
}

/// AVX-512F: each 64-byte k-pair line of a panel is one zmm load; `<< 16` gives the even depth
/// of its 16 channels as float32, `& 0xFFFF0000` the odd one (word w of the line is channel w).
/// 24 accumulators + 4 widened weight vectors + a broadcast = 29 of the 32 zmm registers.
__attribute__((target("avx512f")))
static void widened_two_panels(ptrdiff_t pairs, const float *activations, const uint16_t *first,
                               const uint16_t *second, float *tile) {
    __m512 left[SD_BF16_MR_NATIVE], right[SD_BF16_MR_NATIVE];
    for (int row = 0; row < SD_BF16_MR_NATIVE; row++) { left[row] = _mm512_setzero_ps(); right[row] = _mm512_setzero_ps(); }
    const __m512i upper = _mm512_set1_epi32((int)0xFFFF0000u);
    for (ptrdiff_t pair = 0; pair < pairs; pair++) {
        __m512i packed0 = _mm512_loadu_si512((const void *)(first + pair * 32));
        __m512i packed1 = _mm512_loadu_si512((const void *)(second + pair * 32));
        const float *column = activations + pair * SD_BF16_MR_NATIVE * 2;
        __m512 even0 = _mm512_castsi512_ps(_mm512_slli_epi32(packed0, 16));
        __m512 even1 = _mm512_castsi512_ps(_mm512_slli_epi32(packed1, 16));
#pragma clang loop unroll(full)
        for (int row = 0; row < SD_BF16_MR_NATIVE; row++) {
            __m512 value = _mm512_set1_ps(column[row * 2]);
            left[row] = _mm512_fmadd_ps(value, even0, left[row]);
            right[row] = _mm512_fmadd_ps(value, even1, right[row]);
        }
        __m512 odd0 = _mm512_castsi512_ps(_mm512_and_si512(packed0, upper));
        __m512 odd1 = _mm512_castsi512_ps(_mm512_and_si512(packed1, upper));
#pragma clang loop unroll(full)
        for (int row = 0; row < SD_BF16_MR_NATIVE; row++) {
            __m512 value = _mm512_set1_ps(column[row * 2 + 1]);
            left[row] = _mm512_fmadd_ps(value, odd0, left[row]);
            right[row] = _mm512_fmadd_ps(value, odd1, right[row]);
        }
    }
    for (int row = 0; row < SD_BF16_MR_NATIVE; row++) {
        _mm512_storeu_ps(tile + row * SD_BF16_TILE_STRIDE, left[row]);
        _mm512_storeu_ps(tile + row * SD_BF16_TILE_STRIDE + 16, right[row]);
    }
}

__attribute__((target("avx512f")))
static void widened_one_panel(ptrdiff_t pairs, const float *activations, const uint16_t *first, float *tile) {
    __m512 accumulators[SD_BF16_MR_NATIVE];
    for (int row = 0; row < SD_BF16_MR_NATIVE; row++) accumulators[row] = _mm512_setzero_ps();
    const __m512i upper = _mm512_set1_epi32((int)0xFFFF0000u);
    for (ptrdiff_t pair = 0; pair < pairs; pair++) {
        __m512i packed = _mm512_loadu_si512((const void *)(first + pair * 32));
        const float *column = activations + pair * SD_BF16_MR_NATIVE * 2;
        __m512 even = _mm512_castsi512_ps(_mm512_slli_epi32(packed, 16));
        __m512 odd = _mm512_castsi512_ps(_mm512_and_si512(packed, upper));
#pragma clang loop unroll(full)
        for (int row = 0; row < SD_BF16_MR_NATIVE; row++) {
            accumulators[row] = _mm512_fmadd_ps(_mm512_set1_ps(column[row * 2]), even, accumulators[row]);
            accumulators[row] = _mm512_fmadd_ps(_mm512_set1_ps(column[row * 2 + 1]), odd, accumulators[row]);
        }
    }
    for (int row = 0; row < SD_BF16_MR_NATIVE; row++) _mm512_storeu_ps(tile + row * SD_BF16_TILE_STRIDE, accumulators[row]);
}

void sd_bf16_kernel_avx512f(ptrdiff_t pairs, const float *activations, const uint16_t *first_panel,
                            const uint16_t *second_panel, float *tile) {
    if (second_panel) widened_two_panels(pairs, activations, first_panel, second_panel, tile);
    else widened_one_panel(pairs, activations, first_panel, tile);
}

/// Four independent accumulators (two k-pairs per step), so the FMA latency hides behind the
/// loads; the sum is taken once at the end.
__attribute__((target("avx512f")))
void sd_bf16_row_panel_avx512f(ptrdiff_t pairs, const float *row, const uint16_t *panel, float *out) {
    __m512 sums[4] = { _mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps() };
    const __m512i upper = _mm512_set1_epi32((int)0xFFFF0000u);
    ptrdiff_t pair = 0;
    for (; pair + 2 <= pairs; pair += 2) {
        __m512i line0 = _mm512_loadu_si512((const void *)(panel + pair * 32));
        __m512i line1 = _mm512_loadu_si512((const void *)(panel + pair * 32 + 32));
        sums[0] = _mm512_fmadd_ps(_mm512_set1_ps(row[pair * 2]), _mm512_castsi512_ps(_mm512_slli_epi32(line0, 16)), sums[0]);
        sums[1] = _mm512_fmadd_ps(_mm512_set1_ps(row[pair * 2 + 1]), _mm512_castsi512_ps(_mm512_and_si512(line0, upper)), sums[1]);
        sums[2] = _mm512_fmadd_ps(_mm512_set1_ps(row[pair * 2 + 2]), _mm512_castsi512_ps(_mm512_slli_epi32(line1, 16)), sums[2]);
        sums[3] = _mm512_fmadd_ps(_mm512_set1_ps(row[pair * 2 + 3]), _mm512_castsi512_ps(_mm512_and_si512(line1, upper)), sums[3]);
    }
    if (pair < pairs) {
        __m512i line = _mm512_loadu_si512((const void *)(panel + pair * 32));
        sums[0] = _mm512_fmadd_ps(_mm512_set1_ps(row[pair * 2]), _mm512_castsi512_ps(_mm512_slli_epi32(line, 16)), sums[0]);
        sums[1] = _mm512_fmadd_ps(_mm512_set1_ps(row[pair * 2 + 1]), _mm512_castsi512_ps(_mm512_and_si512(line, upper)), sums[1]);
    }
    _mm512_storeu_ps(out, _mm512_add_ps(_mm512_add_ps(sums[0], sums[1]), _mm512_add_ps(sums[2], sums[3])));
}

#else

void sd_bf16_kernel_avx512(ptrdiff_t pairs, const uint32_t *activations, const uint16_t *first_panel,
                           const uint16_t *second_panel, float *tile) {
    (void)pairs; (void)activations; (void)first_panel; (void)second_panel; (void)tile;
}

void sd_bf16_kernel_avx512f(ptrdiff_t pairs, const float *activations, const uint16_t *first_panel,
                            const uint16_t *second_panel, float *tile) {
    (void)pairs; (void)activations; (void)first_panel; (void)second_panel; (void)tile;
}

void sd_bf16_row_panel_avx512f(ptrdiff_t pairs, const float *row, const uint16_t *panel, float *out) {
    (void)pairs; (void)row; (void)panel; (void)out;
}

#endif
