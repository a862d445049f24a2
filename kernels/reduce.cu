// Sum over axes (CPU twin: Ops/Reduction/Sum.Cpu.cs). The reduced range of every output element is split
// into `splits` pieces whose count depends only on the shapes (never on the device), each piece is summed in a
// fixed order, and reduce_finish adds the pieces in order: results are deterministic and device-independent.
#include "common.cuh"

__device__ __forceinline__ i64 reduce_kept_offset(const ReduceLayout& L, i64 o) {
    i64 off = 0;
#pragma unroll
    for (int d = NTR_MAX_DIMS - 1; d >= 0; d--) {
        if (d < L.keptRank) {
            const i64 idx = o % L.keptShape[d];
            o /= L.keptShape[d];
            off += idx * L.keptStride[d];
        }
    }
    return off;
}

__device__ __forceinline__ i64 reduce_reduced_offset(const ReduceLayout& L, i64 r) {
    if (L.reducedRank == 1) return r * L.reducedStride[0];
    i64 off = 0;
#pragma unroll
    for (int d = NTR_MAX_DIMS - 1; d >= 0; d--) {
        if (d < L.reducedRank) {
            const i64 idx = r % L.reducedShape[d];
            r /= L.reducedShape[d];
            off += idx * L.reducedStride[d];
        }
    }
    return off;
}

// One warp per (output, split): lanes read consecutive reduced elements (coalesced when the innermost reduced
// dimension is contiguous). With splits == 1 it writes out (accumulating if asked), else partial[s*outCount+o].
template <typename T>
__device__ __forceinline__ void reduce_warp_impl(const T* x, T* out, T* partial, ReduceLayout L, i64 outCount, i64 reduceCount, int splits, int accumulate) {
    const i64 warp = global_thread() >> 5;
    const int lane = threadIdx.x & 31;
    if (warp >= outCount * splits) return;
    const i64 o = warp % outCount;
    const i64 s = warp / outCount;
    const i64 begin = s * reduceCount / splits;
    const i64 end = (s + 1) * reduceCount / splits;
    const T* base = x + reduce_kept_offset(L, o);
    T acc = (T)0;
    for (i64 r = begin + lane; r < end; r += 32) acc += base[reduce_reduced_offset(L, r)];
    acc = warp_sum(acc);
    if (lane == 0) {
        if (splits == 1) out[o] = accumulate ? out[o] + acc : acc;
        else partial[s * outCount + o] = acc;
    }
}

// One thread per (output, split), consecutive threads on consecutive outputs: coalesced when the innermost
// kept dimension is contiguous (column sums such as bias gradients).
template <typename T>
__device__ __forceinline__ void reduce_columns_impl(const T* x, T* out, T* partial, ReduceLayout L, i64 outCount, i64 reduceCount, int splits, int accumulate) {
    const i64 t = global_thread();
    if (t >= outCount * splits) return;
    const i64 o = t % outCount;
    const i64 s = t / outCount;
    const i64 begin = s * reduceCount / splits;
    const i64 end = (s + 1) * reduceCount / splits;
    const T* base = x + reduce_kept_offset(L, o);
    T acc = (T)0;
    for (i64 r = begin; r < end; r++) acc += base[reduce_reduced_offset(L, r)];
    if (splits == 1) out[o] = accumulate ? out[o] + acc : acc;
    else partial[s * outCount + o] = acc;
}

// out[o] (+)= sum over s of partial[s*outCount + o], in order of s.
template <typename T>
__device__ __forceinline__ void reduce_finish_impl(const T* partial, T* out, i64 outCount, int splits, int accumulate) {
    for (i64 o = global_thread(); o < outCount; o += global_stride()) {
        T acc = (T)0;
        for (int s = 0; s < splits; s++) acc += partial[(i64)s * outCount + o];
        out[o] = accumulate ? out[o] + acc : acc;
    }
}

#define NTR_REDUCE_KERNELS(T, S)                                                                                        \
    extern "C" __global__ void reduce_warp_##S(const T* x, T* out, T* partial, ReduceLayout L, i64 outCount,           \
                                               i64 reduceCount, int splits, int acc) {                                  \
        reduce_warp_impl<T>(x, out, partial, L, outCount, reduceCount, splits, acc);                                    \
    }                                                                                                                   \
    extern "C" __global__ void reduce_columns_##S(const T* x, T* out, T* partial, ReduceLayout L, i64 outCount,        \
                                                  i64 reduceCount, int splits, int acc) {                               \
        reduce_columns_impl<T>(x, out, partial, L, outCount, reduceCount, splits, acc);                                 \
    }                                                                                                                   \
    extern "C" __global__ void reduce_finish_##S(const T* partial, T* out, i64 outCount, int splits, int acc) {        \
        reduce_finish_impl<T>(partial, out, outCount, splits, acc);                                                     \
    }
NTR_FOR_EACH_DTYPE(NTR_REDUCE_KERNELS)
