// See include/CKernelsAttention.h. The two products use 6-row register tiles: scores are
// 6 queries x 16 keys accumulated over the head dimension, the output 6 queries x 16 (or 8)
// channels accumulated over the block's keys; 12 vector accumulators, the shape of the classic
// AVX2 SGEMM micro-kernel. clang's vector extensions keep it portable (AVX2/FMA on x86-64-v3,
// NEON elsewhere). exp is kernels.c's Cephes polynomial, vectorised. attention_avx512.c holds the
// same three per-tile kernels at 512 bits (6 x 32 tiles), chosen at run time.
#include "CKernelsAttention.h"
#include "attention_internal.h"
#include <stdint.h>
#include <string.h>

typedef float vector8 __attribute__((ext_vector_type(8)));
typedef float unaligned_vector8 __attribute__((ext_vector_type(8), aligned(4)));
typedef uint32_t bits8 __attribute__((ext_vector_type(8)));

enum { QUERY_BLOCK = SD_ATTENTION_QUERY_BLOCK, KEY_BLOCK = SD_ATTENTION_KEY_BLOCK, TILE_ROWS = SD_ATTENTION_TILE_ROWS, KEY_GROUP = SD_ATTENTION_KEY_GROUP };

// Key groups per score pass and keys per weighing pass over all row tiles of a query block.
enum { SCORE_GROUPS = 4, WEIGH_KEYS = 64 };

static inline vector8 load8(const float *pointer) { return *(const unaligned_vector8 *)pointer; }
static inline void store8(float *pointer, vector8 value) { *(unaligned_vector8 *)pointer = value; }
static inline ptrdiff_t padded_dimension(ptrdiff_t dimension) { return sd_attention_padded_dimension(dimension); }

static inline vector8 exp8(vector8 x) {
    x = x < -87.33654f ? (vector8)(-87.33654f) : x;
    x = x > 88.72283f ? (vector8)(88.72283f) : x;
    const vector8 magic = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer.
    vector8 shifted = x * 1.44269504088896341f + magic;
    vector8 n = shifted - magic;
    vector8 r = x - n * 0.693359375f;
    r = r + n * 2.12194440e-4f;
    vector8 p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    vector8 result = p * (r * r) + r + 1.0f;
    bits8 scale_bits = (((bits8)shifted - 0x4B400000u) + 127u) << 23;
    return result * (vector8)scale_bits;
}

static inline float exp1(float x) { return exp8((vector8)x)[0]; }

ptrdiff_t sd_attention_packed_keys_count(ptrdiff_t length, ptrdiff_t dimension) {
    return (length + KEY_GROUP - 1) / KEY_GROUP * KEY_GROUP * dimension;
}

ptrdiff_t sd_attention_packed_values_count(ptrdiff_t length, ptrdiff_t dimension) {
    return length * padded_dimension(dimension);
}

ptrdiff_t sd_attention_scratch_count(ptrdiff_t dimension) {
    // Scaled queries, scores, output accumulators, running maxima and sums, the block's lane maxima.
    return QUERY_BLOCK * dimension + QUERY_BLOCK * KEY_BLOCK + QUERY_BLOCK * padded_dimension(dimension) + 2 * QUERY_BLOCK
        + QUERY_BLOCK * SD_ATTENTION_MAXIMUM_LANES;
}

void sd_attention_pack_key_rows(const float *keys, ptrdiff_t first, ptrdiff_t length, ptrdiff_t stride, ptrdiff_t dimension,
                                float *packed) {
    for (ptrdiff_t row = 0; row < length; row++) {
        ptrdiff_t key = first + row;
        float *block = packed + key / KEY_GROUP * dimension * KEY_GROUP;
        ptrdiff_t lane = key % KEY_GROUP;
        const float *source = keys + row * stride;
        for (ptrdiff_t d = 0; d < dimension; d++) block[d * KEY_GROUP + lane] = source[d];
    }
}

void sd_attention_pad_keys(ptrdiff_t length, ptrdiff_t dimension, float *packed) {
    if (length % KEY_GROUP == 0) return;
    float *block = packed + length / KEY_GROUP * dimension * KEY_GROUP;
    for (ptrdiff_t d = 0; d < dimension; d++) {
        for (ptrdiff_t lane = length % KEY_GROUP; lane < KEY_GROUP; lane++) block[d * KEY_GROUP + lane] = 0.0f;
    }
}

void sd_attention_pack_values(const float *values, ptrdiff_t length, ptrdiff_t stride, ptrdiff_t dimension, float *packed) {
    ptrdiff_t padded = padded_dimension(dimension);
    for (ptrdiff_t key = 0; key < length; key++) {
        memcpy(packed + key * padded, values + key * stride, (size_t)dimension * sizeof(float));
        for (ptrdiff_t d = dimension; d < padded; d++) packed[key * padded + d] = 0.0f;
    }
}

// scores[6 x 16] (rows score_stride apart) = queries[6 x dimension] . key_group[dimension x 16].
static inline void score_tile(const float *queries, ptrdiff_t dimension, const float *key_group,
                              float *scores, ptrdiff_t score_stride) {
    vector8 c00 = 0, c01 = 0, c10 = 0, c11 = 0, c20 = 0, c21 = 0, c30 = 0, c31 = 0, c40 = 0, c41 = 0, c50 = 0, c51 = 0;
    for (ptrdiff_t d = 0; d < dimension; d++) {
        vector8 b0 = load8(key_group + d * KEY_GROUP), b1 = load8(key_group + d * KEY_GROUP + 8);
        vector8 a;
        a = queries[d];                 c00 += a * b0; c01 += a * b1;
        a = queries[dimension + d];     c10 += a * b0; c11 += a * b1;
        a = queries[2 * dimension + d]; c20 += a * b0; c21 += a * b1;
        a = queries[3 * dimension + d]; c30 += a * b0; c31 += a * b1;
        a = queries[4 * dimension + d]; c40 += a * b0; c41 += a * b1;
        a = queries[5 * dimension + d]; c50 += a * b0; c51 += a * b1;
    }
    store8(scores, c00); store8(scores + 8, c01); scores += score_stride;
    store8(scores, c10); store8(scores + 8, c11); scores += score_stride;
    store8(scores, c20); store8(scores + 8, c21); scores += score_stride;
    store8(scores, c30); store8(scores + 8, c31); scores += score_stride;
    store8(scores, c40); store8(scores + 8, c41); scores += score_stride;
    store8(scores, c50); store8(scores + 8, c51);
}

// accumulators[6 x 16] (rows padded apart) += weights[6 x keys] . values[keys x 16] (rows padded apart).
static inline void weigh_tile16(const float *weights, ptrdiff_t weight_stride, const float *values, ptrdiff_t padded,
                                ptrdiff_t keys, float *accumulators) {
    float *a0 = accumulators, *a1 = a0 + padded, *a2 = a1 + padded, *a3 = a2 + padded, *a4 = a3 + padded, *a5 = a4 + padded;
    vector8 c00 = load8(a0), c01 = load8(a0 + 8), c10 = load8(a1), c11 = load8(a1 + 8), c20 = load8(a2), c21 = load8(a2 + 8);
    vector8 c30 = load8(a3), c31 = load8(a3 + 8), c40 = load8(a4), c41 = load8(a4 + 8), c50 = load8(a5), c51 = load8(a5 + 8);
    for (ptrdiff_t j = 0; j < keys; j++) {
        vector8 b0 = load8(values + j * padded), b1 = load8(values + j * padded + 8);
        vector8 a;
        a = weights[j];                     c00 += a * b0; c01 += a * b1;
        a = weights[weight_stride + j];     c10 += a * b0; c11 += a * b1;
        a = weights[2 * weight_stride + j]; c20 += a * b0; c21 += a * b1;
        a = weights[3 * weight_stride + j]; c30 += a * b0; c31 += a * b1;
        a = weights[4 * weight_stride + j]; c40 += a * b0; c41 += a * b1;
        a = weights[5 * weight_stride + j]; c50 += a * b0; c51 += a * b1;
    }
    store8(a0, c00); store8(a0 + 8, c01); store8(a1, c10); store8(a1 + 8, c11); store8(a2, c20); store8(a2 + 8, c21);
    store8(a3, c30); store8(a3 + 8, c31); store8(a4, c40); store8(a4 + 8, c41); store8(a5, c50); store8(a5 + 8, c51);
}

// The same for 8 channels.
static inline void weigh_tile8(const float *weights, ptrdiff_t weight_stride, const float *values, ptrdiff_t padded,
                               ptrdiff_t keys, float *accumulators) {
    float *a0 = accumulators, *a1 = a0 + padded, *a2 = a1 + padded, *a3 = a2 + padded, *a4 = a3 + padded, *a5 = a4 + padded;
    vector8 c0 = load8(a0), c1 = load8(a1), c2 = load8(a2), c3 = load8(a3), c4 = load8(a4), c5 = load8(a5);
    for (ptrdiff_t j = 0; j < keys; j++) {
        vector8 b = load8(values + j * padded);
        c0 += (vector8)weights[j] * b;
        c1 += (vector8)weights[weight_stride + j] * b;
        c2 += (vector8)weights[2 * weight_stride + j] * b;
        c3 += (vector8)weights[3 * weight_stride + j] * b;
        c4 += (vector8)weights[4 * weight_stride + j] * b;
        c5 += (vector8)weights[5 * weight_stride + j] * b;
    }
    store8(a0, c0); store8(a1, c1); store8(a2, c2); store8(a3, c3); store8(a4, c4); store8(a5, c5);
}

// Turns row[0..keys) into exp(row - new maximum) and folds the block into the running maximum
// and sum; returns the factor earlier accumulations must be scaled by.
static inline float online_softmax_row(float *row, ptrdiff_t keys, const float *lane_maximum, float *maximum, float *sum) {
    (void)lane_maximum;                                 // the portable score_rows folds no maxima
    vector8 maxima = *maximum;
    ptrdiff_t j = 0;
    for (; j + 8 <= keys; j += 8) {
        vector8 x = load8(row + j);
        maxima = x > maxima ? x : maxima;
    }
    float block_maximum = maxima[0];
    for (int lane = 1; lane < 8; lane++) block_maximum = maxima[lane] > block_maximum ? maxima[lane] : block_maximum;
    for (; j < keys; j++) block_maximum = row[j] > block_maximum ? row[j] : block_maximum;

    vector8 sums = 0, shift = block_maximum;
    for (j = 0; j + 8 <= keys; j += 8) {
        vector8 e = exp8(load8(row + j) - shift);
        store8(row + j, e);
        sums += e;
    }
    float block_sum = 0.0f;
    for (int lane = 0; lane < 8; lane++) block_sum += sums[lane];
    for (; j < keys; j++) {
        float e = exp1(row[j] - block_maximum);
        row[j] = e;
        block_sum += e;
    }
    float factor = exp1(*maximum - block_maximum);
    *maximum = block_maximum;
    *sum = *sum * factor + block_sum;
    return factor;
}

// The portable kernels of one 6-row tile over a key block (vector8: AVX2 on x86-64-v3).
static void score_rows_portable(const float *queries, ptrdiff_t dimension, const float *key_groups, ptrdiff_t groups,
                                float *scores, ptrdiff_t score_stride, float *lane_maxima) {
    (void)lane_maxima;
    for (ptrdiff_t group = 0; group < groups; group++) {
        score_tile(queries, dimension, key_groups + group * dimension * KEY_GROUP, scores + group * KEY_GROUP, score_stride);
    }
}

static void weigh_rows_portable(const float *weights, ptrdiff_t weight_stride, const float *values, ptrdiff_t padded,
                                ptrdiff_t keys, float *accumulators) {
    ptrdiff_t d = 0;
    for (; d + 16 <= padded; d += 16) weigh_tile16(weights, weight_stride, values + d, padded, keys, accumulators + d);
    if (d < padded) weigh_tile8(weights, weight_stride, values + d, padded, keys, accumulators + d);
}

static const struct sd_attention_kernels portable_kernels = {
    score_rows_portable, online_softmax_row, weigh_rows_portable, 0,
};

int sd_attention_path_supported(int path) {
    if (path == SD_ATTENTION_PATH_PORTABLE) return 1;
    if (path == SD_ATTENTION_PATH_AVX512) return sd_attention_avx512_supported();
    return 0;
}

int sd_attention_best_path(void) {
    static int best = -1;
    int cached = __atomic_load_n(&best, __ATOMIC_RELAXED);
    if (cached >= 0) return cached;
    int path = sd_attention_path_supported(SD_ATTENTION_PATH_AVX512) ? SD_ATTENTION_PATH_AVX512 : SD_ATTENTION_PATH_PORTABLE;
    __atomic_store_n(&best, path, __ATOMIC_RELAXED);
    return path;
}

void sd_attention_rows(int path, const float *queries, ptrdiff_t rows, ptrdiff_t query_stride,
                       const float *packed_keys, const float *packed_values, ptrdiff_t key_length,
                       ptrdiff_t dimension, float scale, float *output, ptrdiff_t output_stride, float *scratch) {
    const struct sd_attention_kernels *kernels = &portable_kernels;
    if (path == SD_ATTENTION_PATH_AVX512 && sd_attention_path_supported(path)) kernels = &sd_attention_avx512_kernels;
    ptrdiff_t padded = padded_dimension(dimension);
    float *scaled = scratch;
    float *scores = scaled + QUERY_BLOCK * dimension;
    float *accumulators = scores + QUERY_BLOCK * KEY_BLOCK;
    float *maxima = accumulators + QUERY_BLOCK * padded;
    float *sums = maxima + QUERY_BLOCK;
    float *lane_maxima = sums + QUERY_BLOCK;
    // Rows past `rows` (up to a whole tile) are zero queries: computed, never written out.
    ptrdiff_t tile_rows = (rows + TILE_ROWS - 1) / TILE_ROWS * TILE_ROWS;
    for (ptrdiff_t r = 0; r < tile_rows; r++) {
        if (r < rows) {
            for (ptrdiff_t d = 0; d < dimension; d++) scaled[r * dimension + d] = queries[r * query_stride + d] * scale;
        } else {
            memset(scaled + r * dimension, 0, (size_t)dimension * sizeof(float));
        }
        memset(accumulators + r * padded, 0, (size_t)padded * sizeof(float));
        maxima[r] = -3.4028235e38f;
        sums[r] = 0.0f;
    }
    for (ptrdiff_t first_key = 0; first_key < key_length; first_key += KEY_BLOCK) {
        ptrdiff_t keys = key_length - first_key < KEY_BLOCK ? key_length - first_key : KEY_BLOCK;
        ptrdiff_t groups = (keys + KEY_GROUP - 1) / KEY_GROUP;
        const float *key_groups = packed_keys + (first_key / KEY_GROUP) * dimension * KEY_GROUP;
        // Kernels that fold the row maxima while scoring spare the softmax its maximum scan,
        // except in a block whose last group has padding keys (their scores, 0, must not count).
        float *folded = kernels->folds_maximum && keys % KEY_GROUP == 0 ? lane_maxima : NULL;
        if (folded) {
            for (ptrdiff_t i = 0; i < tile_rows * SD_ATTENTION_MAXIMUM_LANES; i++) folded[i] = -3.4028235e38f;
        }
        // Key groups outer, row tiles inner: four key groups (16 KiB at 64 channels) stay in
        // L1 while every row tile of the block reads it, instead of each 6-row tile streaming
        // the whole key block (64 KiB) from L2. Same products, same order: results unchanged.
        for (ptrdiff_t group = 0; group < groups; group += SCORE_GROUPS) {
            ptrdiff_t count = groups - group < SCORE_GROUPS ? groups - group : SCORE_GROUPS;
            const float *chunk = key_groups + group * dimension * KEY_GROUP;
            for (ptrdiff_t r = 0; r < tile_rows; r += TILE_ROWS) {
                kernels->score_rows(scaled + r * dimension, dimension, chunk, count, scores + r * KEY_BLOCK + group * KEY_GROUP, KEY_BLOCK,
                                    folded ? folded + r * SD_ATTENTION_MAXIMUM_LANES : NULL);
            }
        }
        for (ptrdiff_t r = 0; r < tile_rows; r++) {
            float factor = kernels->softmax_row(scores + r * KEY_BLOCK, keys, folded ? folded + r * SD_ATTENTION_MAXIMUM_LANES : NULL,
                                                maxima + r, sums + r);
            if (first_key > 0) {
                float *accumulator = accumulators + r * padded;
                for (ptrdiff_t d = 0; d < padded; d++) accumulator[d] *= factor;
            }
        }
        const float *values = packed_values + first_key * padded;
        // Likewise chunks of WEIGH_KEYS keys' values (16 KiB at 64 channels) outer: each row
        // tile adds the chunk's keys in order, so the sums are the same as in one pass.
        for (ptrdiff_t first = 0; first < keys; first += WEIGH_KEYS) {
            ptrdiff_t count = keys - first < WEIGH_KEYS ? keys - first : WEIGH_KEYS;
            for (ptrdiff_t r = 0; r < tile_rows; r += TILE_ROWS) {
                kernels->weigh_rows(scores + r * KEY_BLOCK + first, KEY_BLOCK, values + first * padded, padded, count,
                                    accumulators + r * padded);
            }
        }
    }
    for (ptrdiff_t r = 0; r < rows; r++) {
        float inverse = 1.0f / sums[r];
        for (ptrdiff_t d = 0; d < dimension; d++) output[r * output_stride + d] = accumulators[r * padded + d] * inverse;
    }
}
