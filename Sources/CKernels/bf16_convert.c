// See include/CKernelsBF16.h: half-precision conversions and CPU feature detection.
// The loops are written so that clang vectorises them (AVX2 under -march=x86-64-v3; the
// half -> float loop uses F16C's vcvtph2ps, which x86-64-v3 includes).
#include "CKernels.h"
#include "cpu_features.h"
#include <string.h>
#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif

static inline uint16_t bf16_round(float value) {
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    // NaN: keep the sign and the top payload bits, force quiet (never rounds to infinity).
    if ((bits & 0x7FFFFFFFu) > 0x7F800000u) return (uint16_t)((bits >> 16) | 0x0040u);
    bits += 0x7FFFu + ((bits >> 16) & 1u);
    return (uint16_t)(bits >> 16);
}

void sd_f32_to_bf16(const float *source, uint16_t *destination, ptrdiff_t count) {
    for (ptrdiff_t index = 0; index < count; index++) destination[index] = bf16_round(source[index]);
}

void sd_bf16_to_f32(const uint16_t *source, float *destination, ptrdiff_t count) {
    for (ptrdiff_t index = 0; index < count; index++) {
        uint32_t bits = (uint32_t)source[index] << 16;
        memcpy(destination + index, &bits, sizeof bits);
    }
}

static inline float f16_value(uint16_t half) {
    uint32_t sign = (uint32_t)(half & 0x8000u) << 16;
    uint32_t exponent = (half >> 10) & 0x1Fu;
    uint32_t mantissa = half & 0x3FFu;
    float result;
    if (exponent == 0) {
        result = (float)mantissa * (1.0f / 16777216.0f);  // zero or subnormal: mantissa * 2^-24
        return sign ? -result : result;
    }
    uint32_t bits = exponent == 31 ? (sign | 0x7F800000u | (mantissa << 13))
                                   : (sign | ((exponent + 112u) << 23) | (mantissa << 13));
    memcpy(&result, &bits, sizeof result);
    return result;
}

void sd_f16_to_f32(const uint16_t *source, float *destination, ptrdiff_t count) {
    ptrdiff_t index = 0;
#if defined(__F16C__)
    for (; index + 8 <= count; index += 8) {
        __m128i halves = _mm_loadu_si128((const __m128i *)(source + index));
        _mm256_storeu_ps(destination + index, _mm256_cvtph_ps(halves));
    }
#endif
    for (; index < count; index++) destination[index] = f16_value(source[index]);
}

/// Rounds one element of a packing source (float32, bf16 or half) to bf16.
uint16_t sd_bf16_from_source(const void *source, int source_type, ptrdiff_t index) {
    switch (source_type) {
    case SD_BF16_SOURCE_BF16: return ((const uint16_t *)source)[index];
    case SD_BF16_SOURCE_F16: return bf16_round(f16_value(((const uint16_t *)source)[index]));
    default: return bf16_round(((const float *)source)[index]);
    }
}

/// float32 -> bf16 bits, to nearest even (the packing of activations for the native kernel).
uint16_t sd_bf16_round_value(float value) { return bf16_round(value); }

int sd_bf16_path_supported(int path) {
    switch (path) {
    case SD_BF16_PATH_SCALAR: return 1;
    case SD_BF16_PATH_AVX512_BF16_EMULATED: return 1;
#if defined(__x86_64__)
    case SD_BF16_PATH_AVX2: {
        // Built for x86-64-v3, so AVX2/FMA are a precondition of running at all.
        return 1;
    }
    case SD_BF16_PATH_AVX512: return sd_cpu_avx512f_usable();
    case SD_BF16_PATH_AVX512_BF16: return sd_cpu_avx512bf16_usable();
#endif
    default: return 0;
    }
}

/// Whether the CPU's vendor string is Intel's.
static int cpu_is_intel(void) {
#if defined(__x86_64__)
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(0, &eax, &ebx, &ecx, &edx)) return 0;
    return ebx == 0x756e6547u && edx == 0x49656e69u && ecx == 0x6c65746eu;  // "GenuineIntel"
#else
    return 0;
#endif
}

int sd_bf16_best_path(void) {
    static int best = -1;
    int cached = __atomic_load_n(&best, __ATOMIC_RELAXED);
    if (cached >= 0) return cached;
    // Intel's cores (Cooper Lake to Emerald Rapids) issue vdpbf16ps at half the rate of their
    // float32 FMAs (measured on Emerald Rapids: 86 against 176 GFLOP/s per core), so there the
    // AVX-512F kernel, which widens the bf16 weights and runs float32 FMAs, is the faster one;
    // AMD's Zen 4/5 run vdpbf16ps at the FMA rate, doing twice the work per instruction.
    int path = SD_BF16_PATH_SCALAR;
    if (sd_bf16_path_supported(SD_BF16_PATH_AVX512_BF16) && !cpu_is_intel()) path = SD_BF16_PATH_AVX512_BF16;
    else if (sd_bf16_path_supported(SD_BF16_PATH_AVX512)) path = SD_BF16_PATH_AVX512;
    else if (sd_bf16_path_supported(SD_BF16_PATH_AVX2)) path = SD_BF16_PATH_AVX2;
    __atomic_store_n(&best, path, __ATOMIC_RELAXED);
    return path;
}
