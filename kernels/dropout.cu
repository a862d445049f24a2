// Inverted dropout (CPU twin: Ops/Dropout/Dropout.Cpu.cs). Element i is kept when the Philox uniform
// (seed, offset + i) >= p; the mask is bit-identical to the CPU's and is regenerated in the backward pass.
#include "philox.cuh"

template <typename T>
__device__ __forceinline__ void dropout_impl(const T* src, T* dst, i64 n, float threshold, T keepScale, u64 seed, u64 offset, int accumulate) {
    for (i64 i = global_thread(); i < n; i += global_stride()) {
        const bool kept = philox_uniform_float_at(seed, offset + (u64)i) >= threshold;
        const T v = kept ? mul_rn(src[i], keepScale) : (T)0;
        dst[i] = accumulate ? add_rn(dst[i], v) : v;
    }
}

#define NTR_DROPOUT_KERNELS(T, S)                                                                                       \
    extern "C" __global__ void dropout_##S(const T* src, T* dst, i64 n, float threshold, T keepScale, u64 seed,        \
                                           u64 offset, int acc) {                                                       \
        dropout_impl<T>(src, dst, n, threshold, keepScale, seed, offset, acc);                                          \
    }                                                                                                                   \
    /* offset + shift[0]: the mask of a CUDA graph replay follows the step's generator offset (see random.cu) */      \
    extern "C" __global__ void dropout_shifted_##S(const T* src, T* dst, i64 n, float threshold, T keepScale,           \
                                                   u64 seed, u64 offset, int acc, const u64* shift) {                   \
        dropout_impl<T>(src, dst, n, threshold, keepScale, seed, offset + shift[0], acc);                               \
    }
NTR_FOR_EACH_DTYPE(NTR_DROPOUT_KERNELS)
