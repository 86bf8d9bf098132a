// The fused attention's per-tile kernels at 512 bits (see attention.c for the driver and the
// portable kernels): scores as 6 queries x 64 keys (four packed key groups), folding each row's
// scores into running lane maxima, and the output as 6 queries x 64 channels, 24 zmm
// accumulators each (6 x 32 and 6 x 16 tiles take the rest); exp over 16 lanes. Compiled for
// AVX-512F by attribute only, so the package stays x86-64-v3; the driver calls them only after
// sd_attention_avx512_supported() said the CPU and OS run them.
#include "attention_internal.h"
#include "cpu_features.h"
#include <stdint.h>

#if defined(__x86_64__)

#define AVX512 __attribute__((target("avx512f")))
#define AVX512_INLINE static inline __attribute__((target("avx512f"), always_inline))

typedef float vector16 __attribute__((ext_vector_type(16)));
typedef float unaligned_vector16 __attribute__((ext_vector_type(16), aligned(4)));
typedef uint32_t bits16 __attribute__((ext_vector_type(16)));
typedef float vector8 __attribute__((ext_vector_type(8)));
typedef float unaligned_vector8 __attribute__((ext_vector_type(8), aligned(4)));

enum { ROWS = SD_ATTENTION_TILE_ROWS, GROUP = SD_ATTENTION_KEY_GROUP };

AVX512_INLINE vector16 load16(const float *pointer) { return *(const unaligned_vector16 *)pointer; }
AVX512_INLINE void store16(float *pointer, vector16 value) { *(unaligned_vector16 *)pointer = value; }
AVX512_INLINE vector8 load8(const float *pointer) { return *(const unaligned_vector8 *)pointer; }
AVX512_INLINE void store8(float *pointer, vector8 value) { *(unaligned_vector8 *)pointer = value; }

// lanes[0..16) = max(lanes, value).
AVX512_INLINE void fold_maximum(float *lanes, vector16 value) {
    vector16 current = load16(lanes);
    store16(lanes, value > current ? value : current);
}

// kernels.c's Cephes exp polynomial over 16 lanes (the same constants as attention.c's exp8).
AVX512_INLINE vector16 exp16(vector16 x) {
    x = x < -87.33654f ? (vector16)(-87.33654f) : x;
    x = x > 88.72283f ? (vector16)(88.72283f) : x;
    const vector16 magic = 12582912.0f;
    vector16 shifted = x * 1.44269504088896341f + magic;
    vector16 n = shifted - magic;
    vector16 r = x - n * 0.693359375f;
    r = r + n * 2.12194440e-4f;
    vector16 p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    vector16 result = p * (r * r) + r + 1.0f;
    bits16 scale_bits = (((bits16)shifted - 0x4B400000u) + 127u) << 23;
    return result * (vector16)scale_bits;
}

// scores[6 x 64] = queries[6 x dimension] . four key groups (24 zmm accumulators: each query
// broadcast feeds four FMAs).
AVX512_INLINE void score_tile64(const float *queries, ptrdiff_t dimension, const float *groups, float *scores, ptrdiff_t stride,
                                float *lane_maxima) {
    const ptrdiff_t group_size = dimension * GROUP;
    vector16 c[ROWS][4];
    for (int row = 0; row < ROWS; row++) { c[row][0] = 0; c[row][1] = 0; c[row][2] = 0; c[row][3] = 0; }
    for (ptrdiff_t d = 0; d < dimension; d++) {
        vector16 b0 = load16(groups + d * GROUP), b1 = load16(groups + group_size + d * GROUP);
        vector16 b2 = load16(groups + 2 * group_size + d * GROUP), b3 = load16(groups + 3 * group_size + d * GROUP);
#pragma clang loop unroll(full)
        for (int row = 0; row < ROWS; row++) {
            vector16 a = queries[row * dimension + d];
            c[row][0] += a * b0;
            c[row][1] += a * b1;
            c[row][2] += a * b2;
            c[row][3] += a * b3;
        }
    }
    for (int row = 0; row < ROWS; row++) {
        for (int part = 0; part < 4; part++) store16(scores + row * stride + 16 * part, c[row][part]);
    }
    if (lane_maxima) {
        for (int row = 0; row < ROWS; row++) {
            vector16 low = c[row][0] > c[row][1] ? c[row][0] : c[row][1], high = c[row][2] > c[row][3] ? c[row][2] : c[row][3];
            fold_maximum(lane_maxima + row * 16, low > high ? low : high);
        }
    }
}

// scores[6 x 32] = queries[6 x dimension] . two key groups.
AVX512_INLINE void score_tile32(const float *queries, ptrdiff_t dimension, const float *first, const float *second,
                                float *scores, ptrdiff_t stride, float *lane_maxima) {
    vector16 c[ROWS][2];
    for (int row = 0; row < ROWS; row++) { c[row][0] = 0; c[row][1] = 0; }
    for (ptrdiff_t d = 0; d < dimension; d++) {
        vector16 b0 = load16(first + d * GROUP), b1 = load16(second + d * GROUP);
#pragma clang loop unroll(full)
        for (int row = 0; row < ROWS; row++) {
            vector16 a = queries[row * dimension + d];
            c[row][0] += a * b0;
            c[row][1] += a * b1;
        }
    }
    for (int row = 0; row < ROWS; row++) { store16(scores + row * stride, c[row][0]); store16(scores + row * stride + 16, c[row][1]); }
    if (lane_maxima) {
        for (int row = 0; row < ROWS; row++) fold_maximum(lane_maxima + row * 16, c[row][0] > c[row][1] ? c[row][0] : c[row][1]);
    }
}

// scores[6 x 16] = queries[6 x dimension] . one key group.
AVX512_INLINE void score_tile16(const float *queries, ptrdiff_t dimension, const float *group, float *scores, ptrdiff_t stride,
                                float *lane_maxima) {
    vector16 c[ROWS];
    for (int row = 0; row < ROWS; row++) c[row] = 0;
    for (ptrdiff_t d = 0; d < dimension; d++) {
        vector16 b = load16(group + d * GROUP);
#pragma clang loop unroll(full)
        for (int row = 0; row < ROWS; row++) c[row] += (vector16)queries[row * dimension + d] * b;
    }
    for (int row = 0; row < ROWS; row++) store16(scores + row * stride, c[row]);
    if (lane_maxima) {
        for (int row = 0; row < ROWS; row++) fold_maximum(lane_maxima + row * 16, c[row]);
    }
}

AVX512 static void score_rows(const float *queries, ptrdiff_t dimension, const float *key_groups, ptrdiff_t groups,
                              float *scores, ptrdiff_t score_stride, float *lane_maxima) {
    ptrdiff_t group = 0;
    for (; group + 4 <= groups; group += 4) {
        score_tile64(queries, dimension, key_groups + group * dimension * GROUP, scores + group * GROUP, score_stride, lane_maxima);
    }
    for (; group + 2 <= groups; group += 2) {
        const float *first = key_groups + group * dimension * GROUP;
        score_tile32(queries, dimension, first, first + dimension * GROUP, scores + group * GROUP, score_stride, lane_maxima);
    }
    if (group < groups) {
        score_tile16(queries, dimension, key_groups + group * dimension * GROUP, scores + group * GROUP, score_stride, lane_maxima);
    }
}

AVX512 static float softmax_row(float *row, ptrdiff_t keys, const float *lane_maximum, float *maximum, float *sum) {
    vector16 maxima = *maximum;
    ptrdiff_t j = 0;
    if (lane_maximum) {
        vector16 folded = load16(lane_maximum);
        maxima = folded > maxima ? folded : maxima;
        j = keys;                                       // every score is folded in already
    } else {
        for (; j + 16 <= keys; j += 16) {
            vector16 x = load16(row + j);
            maxima = x > maxima ? x : maxima;
        }
    }
    float block_maximum = maxima[0];
    for (int lane = 1; lane < 16; lane++) block_maximum = maxima[lane] > block_maximum ? maxima[lane] : block_maximum;
    for (; j < keys; j++) block_maximum = row[j] > block_maximum ? row[j] : block_maximum;

    vector16 sums = 0, shift = block_maximum;
    for (j = 0; j + 16 <= keys; j += 16) {
        vector16 e = exp16(load16(row + j) - shift);
        store16(row + j, e);
        sums += e;
    }
    float block_sum = 0.0f;
    for (int lane = 0; lane < 16; lane++) block_sum += sums[lane];
    for (; j < keys; j++) {
        float e = exp16((vector16)(row[j] - block_maximum))[0];
        row[j] = e;
        block_sum += e;
    }
    float factor = exp16((vector16)(*maximum - block_maximum))[0];
    *maximum = block_maximum;
    *sum = *sum * factor + block_sum;
    return factor;
}

// accumulators[6 x 64] (rows padded apart) += weights[6 x keys] . values[keys x 64] (24 zmm
// accumulators: each weight broadcast feeds four FMAs).
AVX512_INLINE void weigh_tile64(const float *weights, ptrdiff_t weight_stride, const float *values, ptrdiff_t padded,
                                ptrdiff_t keys, float *accumulators) {
    vector16 c[ROWS][4];
    for (int row = 0; row < ROWS; row++) {
        for (int part = 0; part < 4; part++) c[row][part] = load16(accumulators + row * padded + 16 * part);
    }
    for (ptrdiff_t j = 0; j < keys; j++) {
        const float *value = values + j * padded;
        vector16 b0 = load16(value), b1 = load16(value + 16), b2 = load16(value + 32), b3 = load16(value + 48);
#pragma clang loop unroll(full)
        for (int row = 0; row < ROWS; row++) {
            vector16 a = weights[row * weight_stride + j];
            c[row][0] += a * b0;
            c[row][1] += a * b1;
            c[row][2] += a * b2;
            c[row][3] += a * b3;
        }
    }
    for (int row = 0; row < ROWS; row++) {
        for (int part = 0; part < 4; part++) store16(accumulators + row * padded + 16 * part, c[row][part]);
    }
}

// accumulators[6 x 32] (rows padded apart) += weights[6 x keys] . values[keys x 32].
AVX512_INLINE void weigh_tile32(const float *weights, ptrdiff_t weight_stride, const float *values, ptrdiff_t padded,
                                ptrdiff_t keys, float *accumulators) {
    vector16 c[ROWS][2];
    for (int row = 0; row < ROWS; row++) {
        c[row][0] = load16(accumulators + row * padded);
        c[row][1] = load16(accumulators + row * padded + 16);
    }
    for (ptrdiff_t j = 0; j < keys; j++) {
        vector16 b0 = load16(values + j * padded), b1 = load16(values + j * padded + 16);
#pragma clang loop unroll(full)
        for (int row = 0; row < ROWS; row++) {
            vector16 a = weights[row * weight_stride + j];
            c[row][0] += a * b0;
            c[row][1] += a * b1;
        }
    }
    for (int row = 0; row < ROWS; row++) {
        store16(accumulators + row * padded, c[row][0]);
        store16(accumulators + row * padded + 16, c[row][1]);
    }
}

// The same for 16 channels.
AVX512_INLINE void weigh_tile16(const float *weights, ptrdiff_t weight_stride, const float *values, ptrdiff_t padded,
                                ptrdiff_t keys, float *accumulators) {
    vector16 c[ROWS];
    for (int row = 0; row < ROWS; row++) c[row] = load16(accumulators + row * padded);
    for (ptrdiff_t j = 0; j < keys; j++) {
        vector16 b = load16(values + j * padded);
#pragma clang loop unroll(full)
        for (int row = 0; row < ROWS; row++) c[row] += (vector16)weights[row * weight_stride + j] * b;
    }
    for (int row = 0; row < ROWS; row++) store16(accumulators + row * padded, c[row]);
}

// The same for 8 channels (the padded dimension is a multiple of 8).
AVX512_INLINE void weigh_tile8(const float *weights, ptrdiff_t weight_stride, const float *values, ptrdiff_t padded,
                               ptrdiff_t keys, float *accumulators) {
    vector8 c[ROWS];
    for (int row = 0; row < ROWS; row++) c[row] = load8(accumulators + row * padded);
    for (ptrdiff_t j = 0; j < keys; j++) {
        vector8 b = load8(values + j * padded);
#pragma clang loop unroll(full)
        for (int row = 0; row < ROWS; row++) c[row] += (vector8)weights[row * weight_stride + j] * b;
    }
    for (int row = 0; row < ROWS; row++) store8(accumulators + row * padded, c[row]);
}

AVX512 static void weigh_rows(const float *weights, ptrdiff_t weight_stride, const float *values, ptrdiff_t padded,
                              ptrdiff_t keys, float *accumulators) {
    ptrdiff_t d = 0;
    for (; d + 64 <= padded; d += 64) weigh_tile64(weights, weight_stride, values + d, padded, keys, accumulators + d);
    for (; d + 32 <= padded; d += 32) weigh_tile32(weights, weight_stride, values + d, padded, keys, accumulators + d);
    if (d + 16 <= padded) {
        weigh_tile16(weights, weight_stride, values + d, padded, keys, accumulators + d);
        d += 16;
    }
    if (d < padded) weigh_tile8(weights, weight_stride, values + d, padded, keys, accumulators + d);
}

const struct sd_attention_kernels sd_attention_avx512_kernels = { score_rows, softmax_row, weigh_rows, 1 };

int sd_attention_avx512_supported(void) { return sd_cpu_avx512f_usable(); }

#else

const struct sd_attention_kernels sd_attention_avx512_kernels = { 0, 0, 0, 0 };
int sd_attention_avx512_supported(void) { return 0; }

#endif
