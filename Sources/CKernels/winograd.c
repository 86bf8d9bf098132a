// Winograd F(2x2, 3x3) convolution transforms (Lavin & Gray, "Fast Algorithms for
// Convolutional Neural Networks", 2016). A 3x3 stride-1 convolution becomes, per 4x4 input
// tile, 16 independent channel GEMMs instead of 36 multiplies per output pair: 2.25x fewer
// multiplies. Transformed layouts are [16][channels][tiles] so each of the 16 positions is one
// row-major GEMM: M[xi] (Cout x T) = U[xi] (Cout x Cin) * V[xi] (Cin x T).
#include "CKernels.h"

void sd_winograd_weights(const float *weight, float *transformed, ptrdiff_t out_channels, ptrdiff_t in_channels,
                         ptrdiff_t out_begin, ptrdiff_t out_end) {
    const ptrdiff_t plane = out_channels * in_channels;
    for (ptrdiff_t index = out_begin * in_channels; index < out_end * in_channels; index++) {
        const float *g = weight + index * 9;
        float u[4][3];
        for (int column = 0; column < 3; column++) {
            float g0 = g[column], g1 = g[3 + column], g2 = g[6 + column];
            u[0][column] = g0;
            u[1][column] = 0.5f * (g0 + g1 + g2);
            u[2][column] = 0.5f * (g0 - g1 + g2);
            u[3][column] = g2;
        }
        for (int row = 0; row < 4; row++) {
            float u0 = u[row][0], u1 = u[row][1], u2 = u[row][2];
            transformed[(row * 4 + 0) * plane + index] = u0;
            transformed[(row * 4 + 1) * plane + index] = 0.5f * (u0 + u1 + u2);
            transformed[(row * 4 + 2) * plane + index] = 0.5f * (u0 - u1 + u2);
            transformed[(row * 4 + 3) * plane + index] = u2;
        }
    }
}

void sd_winograd_input(const float *input, float *transformed, ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width,
                       ptrdiff_t pad_top, ptrdiff_t pad_left, ptrdiff_t tiles_x, ptrdiff_t tile_row_begin,
                       ptrdiff_t tile_row_end, ptrdiff_t leading, ptrdiff_t channel_begin, ptrdiff_t channel_end) {
    const ptrdiff_t stride = channels * leading;
    for (ptrdiff_t channel = channel_begin; channel < channel_end; channel++) {
        const float *plane = input + channel * height * width;
        float *destination = transformed + channel * leading;
        ptrdiff_t tile = 0;
        for (ptrdiff_t tile_y = tile_row_begin; tile_y < tile_row_end; tile_y++) {
            const ptrdiff_t y0 = tile_y * 2 - pad_top;
            for (ptrdiff_t tile_x = 0; tile_x < tiles_x; tile_x++, tile++) {
                const ptrdiff_t x0 = tile_x * 2 - pad_left;
                float d[4][4];
                if (y0 >= 0 && y0 + 4 <= height && x0 >= 0 && x0 + 4 <= width) {
                    for (int row = 0; row < 4; row++)
                        for (int column = 0; column < 4; column++) d[row][column] = plane[(y0 + row) * width + x0 + column];
                } else {
                    for (int row = 0; row < 4; row++)
                        for (int column = 0; column < 4; column++) {
                            ptrdiff_t y = y0 + row, x = x0 + column;
                            d[row][column] = (y >= 0 && y < height && x >= 0 && x < width) ? plane[y * width + x] : 0.0f;
                        }
                }
                float t[4][4];
                for (int column = 0; column < 4; column++) {
                    t[0][column] = d[0][column] - d[2][column];
                    t[1][column] = d[1][column] + d[2][column];
                    t[2][column] = d[2][column] - d[1][column];
                    t[3][column] = d[1][column] - d[3][column];
                }
                for (int row = 0; row < 4; row++) {
                    destination[(row * 4 + 0) * stride + tile] = t[row][0] - t[row][2];
                    destination[(row * 4 + 1) * stride + tile] = t[row][1] + t[row][2];
                    destination[(row * 4 + 2) * stride + tile] = t[row][2] - t[row][1];
                    destination[(row * 4 + 3) * stride + tile] = t[row][1] - t[row][3];
                }
            }
        }
    }
}

void sd_winograd_output(const float *transformed, float *output, const float *bias, ptrdiff_t channels,
                        ptrdiff_t out_height, ptrdiff_t out_width, ptrdiff_t tiles_x, ptrdiff_t tile_row_begin,
                        ptrdiff_t tile_row_end, ptrdiff_t leading, ptrdiff_t channel_begin, ptrdiff_t channel_end) {
    const ptrdiff_t stride = channels * leading;
    for (ptrdiff_t channel = channel_begin; channel < channel_end; channel++) {
        const float *source = transformed + channel * leading;
        float *plane = output + channel * out_height * out_width;
        const float offset = bias ? bias[channel] : 0.0f;
        ptrdiff_t tile = 0;
        for (ptrdiff_t tile_y = tile_row_begin; tile_y < tile_row_end; tile_y++) {
            const ptrdiff_t y0 = tile_y * 2;
            for (ptrdiff_t tile_x = 0; tile_x < tiles_x; tile_x++, tile++) {
                const ptrdiff_t x0 = tile_x * 2;
                float m[4][4];
                for (int position = 0; position < 16; position++) m[position / 4][position % 4] = source[position * stride + tile];
                float s[2][4];
                for (int column = 0; column < 4; column++) {
                    s[0][column] = m[0][column] + m[1][column] + m[2][column];
                    s[1][column] = m[1][column] - m[2][column] - m[3][column];
                }
                for (int row = 0; row < 2; row++) {
                    ptrdiff_t y = y0 + row;
                    if (y >= out_height) break;
                    float y_left = s[row][0] + s[row][1] + s[row][2] + offset;
                    float y_right = s[row][1] - s[row][2] - s[row][3] + offset;
                    plane[y * out_width + x0] = y_left;
                    if (x0 + 1 < out_width) plane[y * out_width + x0 + 1] = y_right;
                }
            }
        }
    }
}
