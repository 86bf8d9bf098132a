// Shared between the fused attention driver (attention.c) and its AVX-512 kernels
// (attention_avx512.c); not part of the module's interface.
#ifndef SEMANTIC_DRAW_ATTENTION_INTERNAL_H
#define SEMANTIC_DRAW_ATTENTION_INTERNAL_H

#include <stddef.h>

/// Query rows per register tile and keys per packed key group (the packing both paths share).
#define SD_ATTENTION_TILE_ROWS 6
#define SD_ATTENTION_KEY_GROUP 16

/// Packed value rows are padded to a multiple of 8 channels.
static inline ptrdiff_t sd_attention_padded_dimension(ptrdiff_t dimension) { return (dimension + 7) / 8 * 8; }

/// One path's kernels for a 6-row tile over a block of keys.
struct sd_attention_kernels {
    /// scores[6 x 16 groups] (rows score_stride apart) = queries[6 x dimension] . key groups.
    /// When `lane_maxima` is not NULL (only for kernels that set `folds_maximum`), it holds
    /// 6 rows x 16 lanes of running maxima, and every score written (padding lanes included) is
    /// folded into its row's lanes.
    void (*score_rows)(const float *queries, ptrdiff_t dimension, const float *key_groups, ptrdiff_t groups,
                       float *scores, ptrdiff_t score_stride, float *lane_maxima);
    /// row[0..keys) = exp(row - new maximum); folds the block into *maximum and *sum and returns
    /// the factor the earlier accumulation must be scaled by. The block's maximum is the largest
    /// of `lane_maximum[0..16)` when that is not NULL (scores folded by score_rows), else found
    /// by scanning the row.
    float (*softmax_row)(float *row, ptrdiff_t keys, const float *lane_maximum, float *maximum, float *sum);
    /// accumulators[6 x padded] += weights[6 x keys] . values[keys x padded].
    void (*weigh_rows)(const float *weights, ptrdiff_t weight_stride, const float *values, ptrdiff_t padded,
                       ptrdiff_t keys, float *accumulators);
    /// Whether score_rows folds row maxima (the driver then skips the softmax's maximum scan for
    /// blocks without padding keys).
    int folds_maximum;
};

/// Lanes of the running maxima score_rows folds per row.
#define SD_ATTENTION_MAXIMUM_LANES 16

/// AVX-512F kernels (attention_avx512.c); use only where sd_attention_avx512_supported().
extern const struct sd_attention_kernels sd_attention_avx512_kernels;
int sd_attention_avx512_supported(void);

#endif
