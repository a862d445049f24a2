// Row softmax forward and backward (CPU twin: Ops/Attention/Softmax.Cpu.cs). One block per row.
#include "common.cuh"

template <typename T>
__device__ __forceinline__ void softmax_forward_impl(const T* x, T* y, int d) {
    __shared__ T scratch[32];
    const T* xr = x + (i64)blockIdx.x * d;
    T* yr = y + (i64)blockIdx.x * d;
    T m = negative_infinity<T>();
    for (int j = threadIdx.x; j < d; j += blockDim.x) m = max_of(m, xr[j]);
    m = block_max(m, scratch);
    T sum = (T)0;
    for (int j = threadIdx.x; j < d; j += blockDim.x) {
        const T e = exp_of(xr[j] - m);
        yr[j] = e;
        sum += e;
    }
    sum = block_sum(sum, scratch);
    for (int j = threadIdx.x; j < d; j += blockDim.x) yr[j] = yr[j] / sum;
}

// dx (+)= y * (dy - sum(y * dy)).
template <typename T>
__device__ __forceinline__ void softmax_backward_impl(const T* y, const T* dy, T* dx, int d, int accumulate) {
    __shared__ T scratch[32];
    const i64 base = (i64)blockIdx.x * d;
    T dot = (T)0;
    for (int j = threadIdx.x; j < d; j += blockDim.x) dot += y[base + j] * dy[base + j];
    dot = block_sum(dot, scratch);
    for (int j = threadIdx.x; j < d; j += blockDim.x) {
        const T v = y[base + j] * (dy[base + j] - dot);
        dx[base + j] = accumulate ? dx[base + j] + v : v;
    }
}

#define NTR_SOFTMAX_KERNELS(T, S)                                                                                     \
    extern "C" __global__ void softmax_forward_##S(const T* x, T* y, int d) { softmax_forward_impl<T>(x, y, d); }   \
    extern "C" __global__ void softmax_backward_##S(const T* y, const T* dy, T* dx, int d, int acc) {               \
        softmax_backward_impl<T>(y, dy, dx, d, acc);                                                                  \
    }
NTR_FOR_EACH_DTYPE(NTR_SOFTMAX_KERNELS)
