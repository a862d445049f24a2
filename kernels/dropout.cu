// Inverted dropout (CPU twin: Ops/Dropout/Dropout.Cpu.cs). Element i is kept when the Philox uniform
// (seed, offset + i) >= p; the mask is bit-identical to the CPU's and is regenerated in the backward pass.
// Instantiated for float, double and bf16 storage with float math (read widened, written rounded once).
#include "philox.cuh"

template <typename S, typename T>
__device__ __forceinline__ void dropout_impl(const S* src, S* dst, i64 n, float threshold, T keepScale, u64 seed, u64 offset, int accumulate) {
    for (i64 i = global_thread(); i < n; i += global_stride()) {
        const bool kept = philox_uniform_float_at(seed, offset + (u64)i) >= threshold;
        const T v = kept ? mul_rn(storage_load(src[i]), keepScale) : (T)0;
        storage_store(dst + i, accumulate ? add_rn(storage_load(dst[i]), v) : v);
    }
}

#define NTR_DROPOUT_STORAGE_KERNELS(ST, T, S)                                                                           \
    extern "C" __global__ void dropout_##S(const ST* src, ST* dst, i64 n, float threshold, T keepScale, u64 seed,      \
                                           u64 offset, int acc) {                                                       \
        dropout_impl<ST, T>(src, dst, n, threshold, keepScale, seed, offset, acc);                                      \
    }                                                                                                                   \
    /* offset + shift[0]: the mask of a CUDA graph replay follows the step's generator offset (see random.cu) */      \
    extern "C" __global__ void dropout_shifted_##S(const ST* src, ST* dst, i64 n, float threshold, T keepScale,         \
                                                   u64 seed, u64 offset, int acc, const u64* shift) {                   \
        dropout_impl<ST, T>(src, dst, n, threshold, keepScale, seed, offset + shift[0], acc);                           \
    }
#define NTR_DROPOUT_KERNELS(T, S) NTR_DROPOUT_STORAGE_KERNELS(T, T, S)
NTR_FOR_EACH_DTYPE(NTR_DROPOUT_KERNELS)
NTR_DROPOUT_STORAGE_KERNELS(bf16_bits, float, bf16)
