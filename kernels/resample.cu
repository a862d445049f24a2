// Nearest 2x upsampling and 2x2 average pooling, forward and backward (CPU twin: Ops/Resampling/Resampling.Cpu.cs).
// Both are the same two primitives: spread (small image -> each 2x2 block) and pool (2x2 block -> small image).
#include "common.cuh"

// dst[.., 2i+a, 2j+b] (+)= scale * src[.., i, j]; src is [planes, h, w]. One thread per small element.
template <typename T>
__device__ __forceinline__ void spread2x2_impl(const T* src, T* dst, i64 planes, int h, int w, T scale, int accumulate) {
    const i64 n = planes * h * w;
    for (i64 t = global_thread(); t < n; t += global_stride()) {
        const int j = (int)(t % w);
        const i64 pi = t / w;
        const int i = (int)(pi % h);
        const i64 p = pi / h;
        const T v = mul_rn(scale, src[t]);
        const i64 o = (p * 2 * h + 2 * i) * (i64)(2 * w) + 2 * j;
        if (accumulate) {
            dst[o] = add_rn(dst[o], v);
            dst[o + 1] = add_rn(dst[o + 1], v);
            dst[o + 2 * w] = add_rn(dst[o + 2 * w], v);
            dst[o + 2 * w + 1] = add_rn(dst[o + 2 * w + 1], v);
        } else {
            dst[o] = v;
            dst[o + 1] = v;
            dst[o + 2 * w] = v;
            dst[o + 2 * w + 1] = v;
        }
    }
}

// dst[.., i, j] (+)= scale * (s00 + s01 + s10 + s11); dst is [planes, h, w]. One thread per small element.
template <typename T>
__device__ __forceinline__ void pool2x2_impl(const T* src, T* dst, i64 planes, int h, int w, T scale, int accumulate) {
    const i64 n = planes * h * w;
    for (i64 t = global_thread(); t < n; t += global_stride()) {
        const int j = (int)(t % w);
        const i64 pi = t / w;
        const int i = (int)(pi % h);
        const i64 p = pi / h;
        const i64 o = (p * 2 * h + 2 * i) * (i64)(2 * w) + 2 * j;
        const T sum = add_rn(add_rn(add_rn(src[o], src[o + 1]), src[o + 2 * w]), src[o + 2 * w + 1]);
        const T v = mul_rn(scale, sum);
        dst[t] = accumulate ? add_rn(dst[t], v) : v;
    }
}

#define NTR_RESAMPLE_KERNELS(T, S)                                                                                       \
    extern "C" __global__ void spread2x2_##S(const T* src, T* dst, i64 planes, int h, int w, T scale, int acc) {        \
        spread2x2_impl<T>(src, dst, planes, h, w, scale, acc);                                                           \
    }                                                                                                                    \
    extern "C" __global__ void pool2x2_##S(const T* src, T* dst, i64 planes, int h, int w, T scale, int acc) {          \
        pool2x2_impl<T>(src, dst, planes, h, w, scale, acc);                                                             \
    }
NTR_FOR_EACH_DTYPE(NTR_RESAMPLE_KERNELS)
