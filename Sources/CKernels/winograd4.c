// Winograd F(4x4, 3x3) transforms (Lavin & Gray 2016, interpolation points 0, +-1, +-2, inf):
// 6x6 input tiles give 4x4 outputs with 36 multiplies instead of 144 (1/4 of the direct
// convolution's). Layouts and the segment-wise vectorised structure are as in winograd.c, with
// 36 positions and input rows split by column phase (x mod 4).
#include "CKernels.h"
#include "winograd_internal.h"

#define SEGMENT 256

// Weights: blocks of pairs, see winograd_internal.h.

WINOGRAD_CLONES
void sd_winograd4_weights(const float *weight, float *transformed, ptrdiff_t out_channels, ptrdiff_t in_channels,
                          ptrdiff_t out_begin, ptrdiff_t out_end) {
    const ptrdiff_t plane = out_channels * in_channels;
    const ptrdiff_t end = out_end * in_channels;
    float g[9][WINOGRAD_WEIGHT_BLOCK];
    float u[6][3][WINOGRAD_WEIGHT_BLOCK];
    for (ptrdiff_t first = out_begin * in_channels; first < end; first += WINOGRAD_WEIGHT_BLOCK) {
        const ptrdiff_t count = end - first < WINOGRAD_WEIGHT_BLOCK ? end - first : WINOGRAD_WEIGHT_BLOCK;
        winograd_gather_kernels(weight, first, count, g);
        for (int column = 0; column < 3; column++) {
            for (ptrdiff_t t = 0; t < count; t++) {
                float g0 = g[column][t], g1 = g[3 + column][t], g2 = g[6 + column][t];
                u[0][column][t] = g0 / 4.0f;
                u[1][column][t] = -(g0 + g1 + g2) / 6.0f;
                u[2][column][t] = -(g0 - g1 + g2) / 6.0f;
                u[3][column][t] = g0 / 24.0f + g1 / 12.0f + g2 / 6.0f;
                u[4][column][t] = g0 / 24.0f - g1 / 12.0f + g2 / 6.0f;
                u[5][column][t] = g2;
            }
        }
        for (int row = 0; row < 6; row++) {
            float *out = transformed + row * 6 * plane + first;
            for (ptrdiff_t t = 0; t < count; t++) {
                float u0 = u[row][0][t], u1 = u[row][1][t], u2 = u[row][2][t];
                out[t] = u0 / 4.0f;
                out[plane + t] = -(u0 + u1 + u2) / 6.0f;
                out[2 * plane + t] = -(u0 - u1 + u2) / 6.0f;
                out[3 * plane + t] = u0 / 24.0f + u1 / 12.0f + u2 / 6.0f;
                out[4 * plane + t] = u0 / 24.0f - u1 / 12.0f + u2 / 6.0f;
                out[5 * plane + t] = u2;
            }
        }
    }
}

// o_r[t] = (B^T x)[r] for six input arrays x_0..x_5, over count tiles.
static inline void input_transform(const float *x0, const float *x1, const float *x2, const float *x3,
                                   const float *x4, const float *x5, float *o0, float *o1, float *o2,
                                   float *o3, float *o4, float *o5, ptrdiff_t count) {
    for (ptrdiff_t t = 0; t < count; t++) {
        float d0 = x0[t], d1 = x1[t], d2 = x2[t], d3 = x3[t], d4 = x4[t], d5 = x5[t];
        o0[t] = 4.0f * d0 - 5.0f * d2 + d4;
        o1[t] = -4.0f * d1 - 4.0f * d2 + d3 + d4;
        o2[t] = 4.0f * d1 - 4.0f * d2 - d3 + d4;
        o3[t] = -2.0f * d1 - d2 + 2.0f * d3 + d4;
        o4[t] = 2.0f * d1 - d2 - 2.0f * d3 + d4;
        o5[t] = 4.0f * d1 - 5.0f * d3 + d5;
    }
}

WINOGRAD_CLONES
void sd_winograd4_input(const float *input, float *transformed, ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width,
                        ptrdiff_t pad_top, ptrdiff_t pad_left, ptrdiff_t tiles_x, ptrdiff_t tile_row_begin,
                        ptrdiff_t tile_row_end, ptrdiff_t leading, ptrdiff_t channel_begin, ptrdiff_t channel_end) {
    const ptrdiff_t stride = channels * leading;
    float phase[6][4][SEGMENT + 1];   // input row y0 + r, column 4 (first + k) + p - pad_left
    float vertical[6][6][SEGMENT];    // (B^T d)[r][c] per tile
    for (ptrdiff_t channel = channel_begin; channel < channel_end; channel++) {
        const float *plane = input + channel * height * width;
        for (ptrdiff_t tile_y = tile_row_begin; tile_y < tile_row_end; tile_y++) {
            const ptrdiff_t y0 = tile_y * 4 - pad_top;
            float *out = transformed + channel * leading + (tile_y - tile_row_begin) * tiles_x;
            for (ptrdiff_t first = 0; first < tiles_x; first += SEGMENT) {
                const ptrdiff_t count = tiles_x - first < SEGMENT ? tiles_x - first : SEGMENT;
                for (int row = 0; row < 6; row++) {
                    const ptrdiff_t y = y0 + row;
                    const int inside = y >= 0 && y < height;
                    const float *line = plane + (inside ? y : 0) * width;
                    for (int p = 0; p < 4; p++)
                        for (ptrdiff_t k = 0; k <= count; k++) {
                            ptrdiff_t x = 4 * (first + k) + p - pad_left;
                            phase[row][p][k] = (inside && x >= 0 && x < width) ? line[x] : 0.0f;
                        }
                }
                for (int column = 0; column < 6; column++) {
                    const int p = column & 3, shift = column >> 2;
                    input_transform(phase[0][p] + shift, phase[1][p] + shift, phase[2][p] + shift, phase[3][p] + shift,
                                    phase[4][p] + shift, phase[5][p] + shift,
                                    vertical[0][column], vertical[1][column], vertical[2][column],
                                    vertical[3][column], vertical[4][column], vertical[5][column], count);
                }
                for (int row = 0; row < 6; row++) {
                    float *o = out + row * 6 * stride + first;
                    input_transform(vertical[row][0], vertical[row][1], vertical[row][2], vertical[row][3],
                                    vertical[row][4], vertical[row][5],
                                    o, o + stride, o + 2 * stride, o + 3 * stride, o + 4 * stride, o + 5 * stride, count);
                }
            }
        }
    }
}

// o_r[t] = (A^T x)[r] + offset for six input arrays, over count tiles.
static inline void output_transform(const float *x0, const float *x1, const float *x2, const float *x3,
                                    const float *x4, const float *x5, float *o0, float *o1, float *o2,
                                    float *o3, float offset, ptrdiff_t count) {
    for (ptrdiff_t t = 0; t < count; t++) {
        float m0 = x0[t], m1 = x1[t], m2 = x2[t], m3 = x3[t], m4 = x4[t], m5 = x5[t];
        o0[t] = m0 + m1 + m2 + m3 + m4 + offset;
        o1[t] = m1 - m2 + 2.0f * (m3 - m4) + offset;
        o2[t] = m1 + m2 + 4.0f * (m3 + m4) + offset;
        o3[t] = m1 - m2 + 8.0f * (m3 - m4) + m5 + offset;
    }
}

WINOGRAD_CLONES
void sd_winograd4_output(const float *transformed, float *output, const float *bias, ptrdiff_t channels,
                         ptrdiff_t out_height, ptrdiff_t out_width, ptrdiff_t tiles_x, ptrdiff_t tile_row_begin,
                         ptrdiff_t tile_row_end, ptrdiff_t leading, ptrdiff_t channel_begin, ptrdiff_t channel_end) {
    const ptrdiff_t stride = channels * leading;
    float vertical[4][6][SEGMENT];  // (A^T m)[r][c] per tile
    float result[4][4][SEGMENT];    // Y[r][k] per tile
    for (ptrdiff_t channel = channel_begin; channel < channel_end; channel++) {
        float *plane = output + channel * out_height * out_width;
        const float offset = bias ? bias[channel] : 0.0f;
        for (ptrdiff_t tile_y = tile_row_begin; tile_y < tile_row_end; tile_y++) {
            const float *source = transformed + channel * leading + (tile_y - tile_row_begin) * tiles_x;
            for (ptrdiff_t first = 0; first < tiles_x; first += SEGMENT) {
                const ptrdiff_t count = tiles_x - first < SEGMENT ? tiles_x - first : SEGMENT;
                for (int column = 0; column < 6; column++) {
                    const float *m = source + column * stride + first;
                    output_transform(m, m + 6 * stride, m + 12 * stride, m + 18 * stride, m + 24 * stride, m + 30 * stride,
                                     vertical[0][column], vertical[1][column], vertical[2][column], vertical[3][column],
                                     0.0f, count);
                }
                for (int row = 0; row < 4; row++) {
                    output_transform(vertical[row][0], vertical[row][1], vertical[row][2], vertical[row][3],
                                     vertical[row][4], vertical[row][5],
                                     result[row][0], result[row][1], result[row][2], result[row][3], offset, count);
                }
                for (int row = 0; row < 4; row++) {
                    const ptrdiff_t y = tile_y * 4 + row;
                    if (y >= out_height) break;
                    float *line = plane + y * out_width;
                    const ptrdiff_t full = (out_width - 4 * first) / 4 < count ? (out_width - 4 * first) / 4 : count;
                    for (ptrdiff_t t = 0; t < full; t++) {
                        float *target = line + 4 * (first + t);
                        target[0] = result[row][0][t];
                        target[1] = result[row][1][t];
                        target[2] = result[row][2][t];
                        target[3] = result[row][3][t];
                    }
                    for (ptrdiff_t t = full; t < count; t++) {
                        for (int k = 0; k < 4; k++) {
                            ptrdiff_t x = 4 * (first + t) + k;
                            if (x < out_width) line[x] = result[row][k][t];
                        }
                    }
                }
            }
        }
    }
}
