// See include/CKernels.h. exp: Cephes' range reduction and degree-6 polynomial (about 2 ulp);
// erf: Numerical Recipes' erfc Chebyshev fit (relative error < 1.2e-7).
#include "CKernels.h"
#include <stdint.h>
#include <string.h>

static inline float sd_exp(float x) {
    x = x < -87.33654f ? -87.33654f : x;
    x = x > 88.72283f ? 88.72283f : x;
    const float magic = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer.
    float shifted = x * 1.44269504088896341f + magic;
    float n = shifted - magic;
    float r = x - n * 0.693359375f;
    r = r + n * 2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    float result = p * (r * r) + r + 1.0f;
    uint32_t bits;
    memcpy(&bits, &shifted, sizeof bits);
    uint32_t scale_bits = ((bits - 0x4B400000u) + 127u) << 23;
    float scale;
    memcpy(&scale, &scale_bits, sizeof scale);
    return result * scale;
}

static inline float sd_sigmoid(float x) { return 1.0f / (1.0f + sd_exp(-x)); }

static inline float sd_erf(float x) {
    float z = x < 0 ? -x : x;
    float t = 1.0f / (1.0f + 0.5f * z);
    float poly = 0.17087277f;
    poly = poly * t - 0.82215223f;
    poly = poly * t + 1.48851587f;
    poly = poly * t - 1.13520398f;
    poly = poly * t + 0.27886807f;
    poly = poly * t - 0.18628806f;
    poly = poly * t + 0.09678418f;
    poly = poly * t + 0.37409196f;
    poly = poly * t + 1.00002368f;
    poly = poly * t - 1.26551223f;
    float erfc = t * sd_exp(poly - z * z);
    float magnitude = 1.0f - erfc;
    return x < 0 ? -magnitude : magnitude;
}

static inline float sd_gelu(float x) { return 0.5f * x * (1.0f + sd_erf(x * 0.70710678118654752f)); }

static inline float sd_tanh(float x) {
    float z = x < 0 ? -x : x;
    float e = sd_exp(-2.0f * z);
    float t = (1.0f - e) / (1.0f + e);
    float x2 = x * x;
    float series = x2 * (-17.0f / 315.0f) + (2.0f / 15.0f);
    series = x2 * series - (1.0f / 3.0f);
    series = x2 * series + 1.0f;
    t = z < 0.05f ? z * series : t;
    return x < 0 ? -t : t;
}

// PyTorch's GELU with approximate="tanh": 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
static inline float sd_gelu_tanh(float x) {
    const float beta = 0.7978845608028654f, kappa = 0.044715f;
    float inner = beta * (x + kappa * (x * x * x));
    return 0.5f * x * (1.0f + sd_tanh(inner));
}

// Reductions keep LANES partial results so that clang vectorises them without -ffast-math
// (which would also break the rounding trick in sd_exp).
#define LANES 16

void sd_softmax_row(float *row, ptrdiff_t visible, ptrdiff_t length) {
    float partial_max[LANES];
    for (int j = 0; j < LANES; j++) partial_max[j] = -3.4028235e38f;
    ptrdiff_t i = 0;
    for (; i + LANES <= visible; i += LANES)
        for (int j = 0; j < LANES; j++) partial_max[j] = row[i + j] > partial_max[j] ? row[i + j] : partial_max[j];
    float maximum = -3.4028235e38f;
    for (int j = 0; j < LANES; j++) maximum = partial_max[j] > maximum ? partial_max[j] : maximum;
    for (; i < visible; i++) maximum = row[i] > maximum ? row[i] : maximum;

    float partial_sum[LANES] = {0};
    i = 0;
    for (; i + LANES <= visible; i += LANES)
        for (int j = 0; j < LANES; j++) {
            float value = sd_exp(row[i + j] - maximum);
            row[i + j] = value;
            partial_sum[j] += value;
        }
    float total = 0.0f;
    for (int j = 0; j < LANES; j++) total += partial_sum[j];
    for (; i < visible; i++) {
        float value = sd_exp(row[i] - maximum);
        row[i] = value;
        total += value;
    }
    float inverse = 1.0f / total;
    for (ptrdiff_t i = 0; i < visible; i++) row[i] *= inverse;
    for (ptrdiff_t i = visible; i < length; i++) row[i] = 0.0f;
}

void sd_activate(const float *source, float *destination, ptrdiff_t count, int activation) {
    switch (activation) {
    case SD_ACTIVATION_SILU:
        for (ptrdiff_t i = 0; i < count; i++) destination[i] = source[i] * sd_sigmoid(source[i]);
        break;
    case SD_ACTIVATION_GELU:
        for (ptrdiff_t i = 0; i < count; i++) destination[i] = sd_gelu(source[i]);
        break;
    case SD_ACTIVATION_QUICK_GELU:
        for (ptrdiff_t i = 0; i < count; i++) destination[i] = source[i] * sd_sigmoid(1.702f * source[i]);
        break;
    case SD_ACTIVATION_RELU:
        for (ptrdiff_t i = 0; i < count; i++) destination[i] = source[i] > 0 ? source[i] : 0.0f;
        break;
    case SD_ACTIVATION_GELU_TANH:
        for (ptrdiff_t i = 0; i < count; i++) destination[i] = sd_gelu_tanh(source[i]);
        break;
    default:
        for (ptrdiff_t i = 0; i < count; i++) destination[i] = sd_tanh(source[i]);
        break;
    }
}

void sd_affine(const float *source, float *destination, ptrdiff_t count, float scale, float shift, int fused_silu) {
    if (fused_silu) {
        for (ptrdiff_t i = 0; i < count; i++) {
            float value = source[i] * scale + shift;
            destination[i] = value * sd_sigmoid(value);
        }
    } else {
        for (ptrdiff_t i = 0; i < count; i++) destination[i] = source[i] * scale + shift;
    }
}

void sd_geglu(const float *hidden, const float *gate, float *destination, ptrdiff_t count) {
    for (ptrdiff_t i = 0; i < count; i++) destination[i] = hidden[i] * sd_gelu(gate[i]);
}

void sd_moments(const float *values, ptrdiff_t count, double *mean, double *variance) {
    float partial[LANES] = {0};
    double total = 0.0;
    ptrdiff_t i = 0;
    // Float partials over blocks of 4096 elements, flushed to double, keep the error small.
    while (i + LANES <= count) {
        ptrdiff_t end = i + 4096 < count ? i + 4096 : count;
        for (; i + LANES <= end; i += LANES)
            for (int j = 0; j < LANES; j++) partial[j] += values[i + j];
        for (int j = 0; j < LANES; j++) { total += partial[j]; partial[j] = 0.0f; }
    }
    for (; i < count; i++) total += values[i];
    double m = count > 0 ? total / (double)count : 0.0;
    float mf = (float)m;
    double squares = 0.0;
    i = 0;
    while (i + LANES <= count) {
        ptrdiff_t end = i + 4096 < count ? i + 4096 : count;
        for (; i + LANES <= end; i += LANES)
            for (int j = 0; j < LANES; j++) { float d = values[i + j] - mf; partial[j] += d * d; }
        for (int j = 0; j < LANES; j++) { squares += partial[j]; partial[j] = 0.0f; }
    }
    for (; i < count; i++) { double d = (double)values[i] - m; squares += d * d; }
    *mean = m;
    *variance = count > 0 ? squares / (double)count : 0.0;
}

double sd_mean_square(const float *values, ptrdiff_t count) {
    float partial[LANES] = {0};
    double total = 0.0;
    ptrdiff_t i = 0;
    while (i + LANES <= count) {
        ptrdiff_t end = i + 4096 < count ? i + 4096 : count;
        for (; i + LANES <= end; i += LANES)
            for (int j = 0; j < LANES; j++) partial[j] += values[i + j] * values[i + j];
        for (int j = 0; j < LANES; j++) { total += partial[j]; partial[j] = 0.0f; }
    }
    for (; i < count; i++) total += (double)values[i] * (double)values[i];
    return count > 0 ? total / (double)count : 0.0;
}

void sd_normalize_modulate(const float *source, float *destination, ptrdiff_t count, float mean, float inverse,
                           const float *scale, const float *shift) {
    for (ptrdiff_t i = 0; i < count; i++) destination[i] = (source[i] - mean) * inverse * scale[i] + shift[i];
}

void sd_scale_row(const float *source, float *destination, ptrdiff_t count, float inverse, const float *weight) {
    if (weight) {
        for (ptrdiff_t i = 0; i < count; i++) destination[i] = source[i] * inverse * weight[i];
    } else {
        for (ptrdiff_t i = 0; i < count; i++) destination[i] = source[i] * inverse;
    }
}

void sd_gated_add(const float *base, const float *gate, const float *value, float *destination, ptrdiff_t count) {
    for (ptrdiff_t i = 0; i < count; i++) destination[i] = base[i] + gate[i] * value[i];
}

#if defined(__GLIBC__)
#include <malloc.h>
#endif

void sd_configure_allocator(void) {
#if defined(__GLIBC__)
    // Keep blocks up to 32 MiB in the heap (not fresh mmaps that fault and zero every page on
    // each use) and do not give freed memory back eagerly.
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
#endif
}
