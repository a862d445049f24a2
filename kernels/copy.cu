// Strided copies, fills and dtype conversions (CPU twins: CpuBackend.Copy / Fill in CpuBackend.cs, CpuBackend.Cast in
// src/Engine/Ops/Cast/Cast.Cpu.cs).
#include "common.cuh"

template <typename T>
__device__ __forceinline__ void copy_strided_impl(const T* __restrict__ src, T* __restrict__ dst, const StridedLayout& layout, i64 n) {
    for (i64 i = global_thread(); i < n; i += global_stride()) {
        i64 off[2];
        strided_offsets<2>(layout, i, off);
        dst[off[1]] = src[off[0]];
    }
}

template <typename T>
__device__ __forceinline__ void fill_impl(T* __restrict__ dst, i64 n, T value) {
    for (i64 i = global_thread(); i < n; i += global_stride()) dst[i] = value;
}

#define NTR_COPY_KERNELS(T, S)                                                                               \
    extern "C" __global__ void copy_strided_##S(const T* src, T* dst, StridedLayout layout, i64 n) {         \
        copy_strided_impl<T>(src, dst, layout, n);                                                           \
    }                                                                                                        \
    extern "C" __global__ void fill_##S(T* dst, i64 n, T value) { fill_impl<T>(dst, n, value); }
NTR_FOR_EACH_DTYPE(NTR_COPY_KERNELS)
NTR_COPY_KERNELS(bf16_bits, bf16)

extern "C" __global__ void cast_f32_to_f64(const float* __restrict__ src, double* __restrict__ dst, i64 n) {
    for (i64 i = global_thread(); i < n; i += global_stride()) dst[i] = (double)src[i];
}

extern "C" __global__ void cast_f64_to_f32(const double* __restrict__ src, float* __restrict__ dst, i64 n) {
    for (i64 i = global_thread(); i < n; i += global_stride()) dst[i] = __double2float_rn(src[i]);
}

extern "C" __global__ void cast_f32_to_bf16(const float* __restrict__ src, bf16_bits* __restrict__ dst, i64 n) {
    for (i64 i = global_thread(); i < n; i += global_stride()) dst[i] = float_to_bf16(src[i]);
}

extern "C" __global__ void cast_bf16_to_f32(const bf16_bits* __restrict__ src, float* __restrict__ dst, i64 n) {
    for (i64 i = global_thread(); i < n; i += global_stride()) dst[i] = bf16_to_float(src[i]);
}
