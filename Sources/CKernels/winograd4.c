// Winograd F(4x4, 3x3) transforms (Lavin & Gray 2016, interpolation points 0, +-1, +-2, inf):
// 6x6 input tiles give 4x4 outputs with 36 multiplies instead of 144, i.e. 1/4 of the direct
// convolution's multiplies (F(2x2,3x3): 4/9). Layouts as in winograd.c, with 36 positions.
#include "CKernels.h"

void sd_winograd4_weights(const float *weight, float *transformed, ptrdiff_t out_channels, ptrdiff_t in_channels,
                          ptrdiff_t out_begin, ptrdiff_t out_end) {
    const ptrdiff_t plane = out_channels * in_channels;
    for (ptrdiff_t index = out_begin * in_channels; index < out_end * in_channels; index++) {
        const float *g = weight + index * 9;
        float u[6][3];
        for (int column = 0; column < 3; column++) {
            float g0 = g[column], g1 = g[3 + column], g2 = g[6 + column];
            u[0][column] = g0 / 4.0f;
            u[1][column] = -(g0 + g1 + g2) / 6.0f;
            u[2][column] = -(g0 - g1 + g2) / 6.0f;
            u[3][column] = g0 / 24.0f + g1 / 12.0f + g2 / 6.0f;
            u[4][column] = g0 / 24.0f - g1 / 12.0f + g2 / 6.0f;
            u[5][column] = g2;
        }
        for (int row = 0; row < 6; row++) {
            float u0 = u[row][0], u1 = u[row][1], u2 = u[row][2];
            float *out = transformed + row * 6 * plane + index;
            out[0 * plane] = u0 / 4.0f;
            out[1 * plane] = -(u0 + u1 + u2) / 6.0f;
            out[2 * plane] = -(u0 - u1 + u2) / 6.0f;
            out[3 * plane] = u0 / 24.0f + u1 / 12.0f + u2 / 6.0f;
            out[4 * plane] = u0 / 24.0f - u1 / 12.0f + u2 / 6.0f;
            out[5 * plane] = u2;
        }
    }
}

// B^T d for one column of 6 values.
static inline void input_column(const float d[6], float t[6]) {
    t[0] = 4.0f * d[0] - 5.0f * d[2] + d[4];
    t[1] = -4.0f * d[1] - 4.0f * d[2] + d[3] + d[4];
    t[2] = 4.0f * d[1] - 4.0f * d[2] - d[3] + d[4];
    t[3] = -2.0f * d[1] - d[2] + 2.0f * d[3] + d[4];
    t[4] = 2.0f * d[1] - d[2] - 2.0f * d[3] + d[4];
    t[5] = 4.0f * d[1] - 5.0f * d[3] + d[5];
}

void sd_winograd4_input(const float *input, float *transformed, ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width,
                        ptrdiff_t pad_top, ptrdiff_t pad_left, ptrdiff_t tiles_x, ptrdiff_t tile_row_begin,
                        ptrdiff_t tile_row_end, ptrdiff_t leading, ptrdiff_t channel_begin, ptrdiff_t channel_end) {
    const ptrdiff_t stride = channels * leading;
    for (ptrdiff_t channel = channel_begin; channel < channel_end; channel++) {
        const float *plane = input + channel * height * width;
        float *destination = transformed + channel * leading;
        ptrdiff_t tile = 0;
        for (ptrdiff_t tile_y = tile_row_begin; tile_y < tile_row_end; tile_y++) {
            const ptrdiff_t y0 = tile_y * 4 - pad_top;
            for (ptrdiff_t tile_x = 0; tile_x < tiles_x; tile_x++, tile++) {
                const ptrdiff_t x0 = tile_x * 4 - pad_left;
                float d[6][6];
                if (y0 >= 0 && y0 + 6 <= height && x0 >= 0 && x0 + 6 <= width) {
                    for (int row = 0; row < 6; row++)
                        for (int column = 0; column < 6; column++) d[row][column] = plane[(y0 + row) * width + x0 + column];
                } else {
                    for (int row = 0; row < 6; row++)
                        for (int column = 0; column < 6; column++) {
                            ptrdiff_t y = y0 + row, x = x0 + column;
                            d[row][column] = (y >= 0 && y < height && x >= 0 && x < width) ? plane[y * width + x] : 0.0f;
                        }
                }
                // t = B^T d (columns), then v = t B (rows).
                float t[6][6];
                for (int column = 0; column < 6; column++) {
                    float source[6], result[6];
                    for (int row = 0; row < 6; row++) source[row] = d[row][column];
                    input_column(source, result);
                    for (int row = 0; row < 6; row++) t[row][column] = result[row];
                }
                for (int row = 0; row < 6; row++) {
                    float result[6];
                    input_column(t[row], result);
                    for (int column = 0; column < 6; column++) destination[(row * 6 + column) * stride + tile] = result[column];
                }
            }
        }
    }
}

// A^T m for one column of 6 values.
static inline void output_column(const float m[6], float s[4]) {
    s[0] = m[0] + m[1] + m[2] + m[3] + m[4];
    s[1] = m[1] - m[2] + 2.0f * (m[3] - m[4]);
    s[2] = m[1] + m[2] + 4.0f * (m[3] + m[4]);
    s[3] = m[1] - m[2] + 8.0f * (m[3] - m[4]) + m[5];
}

void sd_winograd4_output(const float *transformed, float *output, const float *bias, ptrdiff_t channels,
                         ptrdiff_t out_height, ptrdiff_t out_width, ptrdiff_t tiles_x, ptrdiff_t tile_row_begin,
                         ptrdiff_t tile_row_end, ptrdiff_t leading, ptrdiff_t channel_begin, ptrdiff_t channel_end) {
    const ptrdiff_t stride = channels * leading;
    for (ptrdiff_t channel = channel_begin; channel < channel_end; channel++) {
        const float *source = transformed + channel * leading;
        float *plane = output + channel * out_height * out_width;
        const float offset = bias ? bias[channel] : 0.0f;
        ptrdiff_t tile = 0;
        for (ptrdiff_t tile_y = tile_row_begin; tile_y < tile_row_end; tile_y++) {
            const ptrdiff_t y0 = tile_y * 4;
            for (ptrdiff_t tile_x = 0; tile_x < tiles_x; tile_x++, tile++) {
                const ptrdiff_t x0 = tile_x * 4;
                float s[4][6];
                for (int column = 0; column < 6; column++) {
                    float m[6], result[4];
                    for (int row = 0; row < 6; row++) m[row] = source[(row * 6 + column) * stride + tile];
                    output_column(m, result);
                    for (int row = 0; row < 4; row++) s[row][column] = result[row];
                }
                for (int row = 0; row < 4; row++) {
                    ptrdiff_t y = y0 + row;
                    if (y >= out_height) break;
                    float result[4];
                    output_column(s[row], result);
                    for (int column = 0; column < 4; column++) {
                        if (x0 + column < out_width) plane[y * out_width + x0 + column] = result[column] + offset;
                    }
                }
            }
        }
    }
}
