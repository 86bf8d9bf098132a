// Fused ("flash") scaled dot-product attention for one (sample, head): query blocks of
// SD_ATTENTION_QUERY_BLOCK rows against key blocks of SD_ATTENTION_KEY_BLOCK keys, with an
// online softmax, so scores never leave the L2 cache (docs/PERFORMANCE.md, "Attention").
// Keys and values are packed once per (sample, head); any head dimension works.
#ifndef SEMANTIC_DRAW_CKERNELS_ATTENTION_H
#define SEMANTIC_DRAW_CKERNELS_ATTENTION_H

#include <stddef.h>

/// Query rows one call of sd_attention_rows handles at most.
#define SD_ATTENTION_QUERY_BLOCK 96
/// Keys scored per block (scores for the query block: 96 x 256 floats, 96 KiB).
#define SD_ATTENTION_KEY_BLOCK 256

/// Floats of a packed key sequence: keys padded to a multiple of 16, times `dimension`.
ptrdiff_t sd_attention_packed_keys_count(ptrdiff_t length, ptrdiff_t dimension);

/// Floats sd_attention_pack_values writes: `length` rows of the dimension padded to a multiple of 8.
ptrdiff_t sd_attention_packed_values_count(ptrdiff_t length, ptrdiff_t dimension);

/// Floats of scratch one sd_attention_rows call needs.
ptrdiff_t sd_attention_scratch_count(ptrdiff_t dimension);

/// Packs `length` keys of `dimension` floats (rows `stride` apart) as keys `first ..< first +
/// length` of a packed key sequence: groups of 16 keys laid out [dimension][16]. Called once per
/// part, in any order, it packs a concatenation without building it; it writes no padding
/// (sd_attention_pad_keys does, once the whole sequence is packed).
void sd_attention_pack_key_rows(const float *keys, ptrdiff_t first, ptrdiff_t length, ptrdiff_t stride, ptrdiff_t dimension,
                                float *packed);

/// Zeroes the padding lanes of the last 16-key group of a packed sequence of `length` keys.
void sd_attention_pad_keys(ptrdiff_t length, ptrdiff_t dimension, float *packed);

/// Packs `length` values of `dimension` floats, rows `stride` apart, into contiguous rows of
/// the dimension padded to a multiple of 8 (zeros in the padding).
void sd_attention_pack_values(const float *values, ptrdiff_t length, ptrdiff_t stride, ptrdiff_t dimension, float *packed);

/// The code paths of sd_attention_rows: vector8 kernels (AVX2 on x86-64-v3, NEON elsewhere)
/// and AVX-512F ones (6 x 64 tiles, zmm), used only where the CPU and OS support them.
enum SDAttentionPath { SD_ATTENTION_PATH_PORTABLE = 0, SD_ATTENTION_PATH_AVX512 = 1 };

/// Whether `path` can run on this CPU.
int sd_attention_path_supported(int path);

/// The fastest supported path.
int sd_attention_best_path(void);

/// output[r] = softmax(scale * queries[r] . keys^T) . values for `rows` (at most
/// SD_ATTENTION_QUERY_BLOCK) query rows `query_stride` apart; output rows are `output_stride`
/// apart. Keys and values come packed by the two functions above; `path` is an SDAttentionPath
/// (an unsupported one runs the portable kernels).
void sd_attention_rows(int path, const float *queries, ptrdiff_t rows, ptrdiff_t query_stride,
                       const float *packed_keys, const float *packed_values, ptrdiff_t key_length,
                       ptrdiff_t dimension, float scale, float *output, ptrdiff_t output_stride, float *scratch);

#endif
