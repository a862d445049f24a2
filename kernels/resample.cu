// Nearest 2x upsampling and 2x2 average pooling, forward and backward (CPU twin: Ops/Resampling/Resampling.Cpu.cs).
// Both are the same two primitives: spread (small image -> each 2x2 block) and pool (2x2 block -> small image).
// Instantiated for storage S and math T: float/float, double/double and bf16 storage with float math (each read
// widened, each written value rounded to bf16 once).
#include "common.cuh"

// dst[.., 2i+a, 2j+b] (+)= scale * src[.., i, j]; src is [planes, h, w]. One thread per small element.
template <typename S, typename T>
__device__ __forceinline__ void spread2x2_impl(const S* src, S* dst, i64 planes, int h, int w, T scale, int accumulate) {
    const i64 n = planes * h * w;
    for (i64 t = global_thread(); t < n; t += global_stride()) {
        const int j = (int)(t % w);
        const i64 pi = t / w;
        const int i = (int)(pi % h);
        const i64 p = pi / h;
        const T v = mul_rn(scale, storage_load(src[t]));
        const i64 o = (p * 2 * h + 2 * i) * (i64)(2 * w) + 2 * j;
        if (accumulate) {
            storage_store(dst + o, add_rn(storage_load(dst[o]), v));
            storage_store(dst + o + 1, add_rn(storage_load(dst[o + 1]), v));
            storage_store(dst + o + 2 * w, add_rn(storage_load(dst[o + 2 * w]), v));
            storage_store(dst + o + 2 * w + 1, add_rn(storage_load(dst[o + 2 * w + 1]), v));
        } else {
            storage_store(dst + o, v);
            storage_store(dst + o + 1, v);
            storage_store(dst + o + 2 * w, v);
            storage_store(dst + o + 2 * w + 1, v);
        }
    }
}

// dst[.., i, j] (+)= scale * (s00 + s01 + s10 + s11); dst is [planes, h, w]. One thread per small element.
template <typename S, typename T>
__device__ __forceinline__ void pool2x2_impl(const S* src, S* dst, i64 planes, int h, int w, T scale, int accumulate) {
    const i64 n = planes * h * w;
    for (i64 t = global_thread(); t < n; t += global_stride()) {
        const int j = (int)(t % w);
        const i64 pi = t / w;
        const int i = (int)(pi % h);
        const i64 p = pi / h;
        const i64 o = (p * 2 * h + 2 * i) * (i64)(2 * w) + 2 * j;
        const T sum = add_rn(add_rn(add_rn(storage_load(src[o]), storage_load(src[o + 1])), storage_load(src[o + 2 * w])),
                             storage_load(src[o + 2 * w + 1]));
        const T v = mul_rn(scale, sum);
        storage_store(dst + t, accumulate ? add_rn(storage_load(dst[t]), v) : v);
    }
}

#define NTR_RESAMPLE_STORAGE_KERNELS(ST, T, S)                                                                          \
    extern "C" __global__ void spread2x2_##S(const ST* src, ST* dst, i64 planes, int h, int w, T scale, int acc) {      \
        spread2x2_impl<ST, T>(src, dst, planes, h, w, scale, acc);                                                       \
    }                                                                                                                    \
    extern "C" __global__ void pool2x2_##S(const ST* src, ST* dst, i64 planes, int h, int w, T scale, int acc) {        \
        pool2x2_impl<ST, T>(src, dst, planes, h, w, scale, acc);                                                         \
    }
#define NTR_RESAMPLE_KERNELS(T, S) NTR_RESAMPLE_STORAGE_KERNELS(T, T, S)
NTR_FOR_EACH_DTYPE(NTR_RESAMPLE_KERNELS)
NTR_RESAMPLE_STORAGE_KERNELS(bf16_bits, float, bf16)
