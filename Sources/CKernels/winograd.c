// Winograd F(2x2, 3x3) convolution transforms (Lavin & Gray, "Fast Algorithms for
// Convolutional Neural Networks", 2016). A 3x3 stride-1 convolution becomes, per 4x4 input
// tile, 16 independent channel GEMMs: 4 multiplies per output instead of 9. Transformed
// layouts are [16][channels][leading] so each position is one row-major GEMM:
// M[xi] (Cout x T) = U[xi] (Cout x Cin) * V[xi] (Cin x T).
//
// The transforms work on a segment of up to SEGMENT tiles of one tile row at a time, with every
// loop running over the tiles of the segment (contiguous arrays), so clang vectorises them:
// input rows are first split by column parity (zero padding applied there), and the 1-D
// transforms are applied vertically, then horizontally.
#include "CKernels.h"
#include "winograd_internal.h"

#define SEGMENT 512

// Weights: blocks of pairs, see winograd_internal.h.

WINOGRAD_CLONES
void sd_winograd_weights(const float *weight, float *transformed, ptrdiff_t out_channels, ptrdiff_t in_channels,
                         ptrdiff_t out_begin, ptrdiff_t out_end) {
    const ptrdiff_t plane = out_channels * in_channels;
    const ptrdiff_t end = out_end * in_channels;
    float g[9][WINOGRAD_WEIGHT_BLOCK];
    float u[4][3][WINOGRAD_WEIGHT_BLOCK];
    for (ptrdiff_t first = out_begin * in_channels; first < end; first += WINOGRAD_WEIGHT_BLOCK) {
        const ptrdiff_t count = end - first < WINOGRAD_WEIGHT_BLOCK ? end - first : WINOGRAD_WEIGHT_BLOCK;
        winograd_gather_kernels(weight, first, count, g);
        for (int column = 0; column < 3; column++) {
            for (ptrdiff_t t = 0; t < count; t++) {
                float g0 = g[column][t], g1 = g[3 + column][t], g2 = g[6 + column][t];
                u[0][column][t] = g0;
                u[1][column][t] = 0.5f * (g0 + g1 + g2);
                u[2][column][t] = 0.5f * (g0 - g1 + g2);
                u[3][column][t] = g2;
            }
        }
        for (int row = 0; row < 4; row++) {
            float *out = transformed + row * 4 * plane + first;
            for (ptrdiff_t t = 0; t < count; t++) {
                float u0 = u[row][0][t], u1 = u[row][1][t], u2 = u[row][2][t];
                out[t] = u0;
                out[plane + t] = 0.5f * (u0 + u1 + u2);
                out[2 * plane + t] = 0.5f * (u0 - u1 + u2);
                out[3 * plane + t] = u2;
            }
        }
    }
}

WINOGRAD_CLONES
void sd_winograd_input(const float *input, float *transformed, ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width,
                       ptrdiff_t pad_top, ptrdiff_t pad_left, ptrdiff_t tiles_x, ptrdiff_t tile_row_begin,
                       ptrdiff_t tile_row_end, ptrdiff_t leading, ptrdiff_t channel_begin, ptrdiff_t channel_end) {
    const ptrdiff_t stride = channels * leading;
    // phase[r][p][k]: input row y0 + r, column 2 (first + k) + p - pad_left.
    float phase[4][2][SEGMENT + 1];
    // vertical[r][c][t] = (B^T d)[r][c] of tile t.
    float vertical[4][4][SEGMENT];
    for (ptrdiff_t channel = channel_begin; channel < channel_end; channel++) {
        const float *plane = input + channel * height * width;
        for (ptrdiff_t tile_y = tile_row_begin; tile_y < tile_row_end; tile_y++) {
            const ptrdiff_t y0 = tile_y * 2 - pad_top;
            float *out = transformed + channel * leading + (tile_y - tile_row_begin) * tiles_x;
            for (ptrdiff_t first = 0; first < tiles_x; first += SEGMENT) {
                const ptrdiff_t count = tiles_x - first < SEGMENT ? tiles_x - first : SEGMENT;
                for (int row = 0; row < 4; row++) {
                    const ptrdiff_t y = y0 + row;
                    const int inside = y >= 0 && y < height;
                    const float *line = plane + (inside ? y : 0) * width;
                    for (int p = 0; p < 2; p++)
                        for (ptrdiff_t k = 0; k <= count; k++) {
                            ptrdiff_t x = 2 * (first + k) + p - pad_left;
                            phase[row][p][k] = (inside && x >= 0 && x < width) ? line[x] : 0.0f;
                        }
                }
                for (int column = 0; column < 4; column++) {
                    const int p = column & 1, shift = column >> 1;
                    const float *d0 = phase[0][p] + shift, *d1 = phase[1][p] + shift;
                    const float *d2 = phase[2][p] + shift, *d3 = phase[3][p] + shift;
                    for (ptrdiff_t t = 0; t < count; t++) {
                        vertical[0][column][t] = d0[t] - d2[t];
                        vertical[1][column][t] = d1[t] + d2[t];
                        vertical[2][column][t] = d2[t] - d1[t];
                        vertical[3][column][t] = d1[t] - d3[t];
                    }
                }
                for (int row = 0; row < 4; row++) {
                    const float *v0 = vertical[row][0], *v1 = vertical[row][1], *v2 = vertical[row][2], *v3 = vertical[row][3];
                    float *o0 = out + (row * 4 + 0) * stride + first, *o1 = out + (row * 4 + 1) * stride + first;
                    float *o2 = out + (row * 4 + 2) * stride + first, *o3 = out + (row * 4 + 3) * stride + first;
                    for (ptrdiff_t t = 0; t < count; t++) {
                        o0[t] = v0[t] - v2[t];
                        o1[t] = v1[t] + v2[t];
                        o2[t] = v2[t] - v1[t];
                        o3[t] = v1[t] - v3[t];
                    }
                }
            }
        }
    }
}

WINOGRAD_CLONES
void sd_winograd_output(const float *transformed, float *output, const float *bias, ptrdiff_t channels,
                        ptrdiff_t out_height, ptrdiff_t out_width, ptrdiff_t tiles_x, ptrdiff_t tile_row_begin,
                        ptrdiff_t tile_row_end, ptrdiff_t leading, ptrdiff_t channel_begin, ptrdiff_t channel_end) {
    const ptrdiff_t stride = channels * leading;
    float vertical[2][4][SEGMENT];   // (A^T m)[r][c] per tile
    float result[2][2][SEGMENT];     // Y[r][k] per tile
    for (ptrdiff_t channel = channel_begin; channel < channel_end; channel++) {
        float *plane = output + channel * out_height * out_width;
        const float offset = bias ? bias[channel] : 0.0f;
        for (ptrdiff_t tile_y = tile_row_begin; tile_y < tile_row_end; tile_y++) {
            const float *source = transformed + channel * leading + (tile_y - tile_row_begin) * tiles_x;
            for (ptrdiff_t first = 0; first < tiles_x; first += SEGMENT) {
                const ptrdiff_t count = tiles_x - first < SEGMENT ? tiles_x - first : SEGMENT;
                for (int column = 0; column < 4; column++) {
                    const float *m0 = source + (0 * 4 + column) * stride + first, *m1 = source + (1 * 4 + column) * stride + first;
                    const float *m2 = source + (2 * 4 + column) * stride + first, *m3 = source + (3 * 4 + column) * stride + first;
                    for (ptrdiff_t t = 0; t < count; t++) {
                        vertical[0][column][t] = m0[t] + m1[t] + m2[t];
                        vertical[1][column][t] = m1[t] - m2[t] - m3[t];
                    }
                }
                for (int row = 0; row < 2; row++) {
                    const float *s0 = vertical[row][0], *s1 = vertical[row][1], *s2 = vertical[row][2], *s3 = vertical[row][3];
                    for (ptrdiff_t t = 0; t < count; t++) {
                        result[row][0][t] = s0[t] + s1[t] + s2[t] + offset;
                        result[row][1][t] = s1[t] - s2[t] - s3[t] + offset;
                    }
                }
                for (int row = 0; row < 2; row++) {
                    const ptrdiff_t y = tile_y * 2 + row;
                    if (y >= out_height) break;
                    float *line = plane + y * out_width;
                    for (ptrdiff_t t = 0; t < count; t++) {
                        const ptrdiff_t x = 2 * (first + t);
                        line[x] = result[row][0][t];
                        if (x + 1 < out_width) line[x + 1] = result[row][1][t];
                    }
                }
            }
        }
    }
}
