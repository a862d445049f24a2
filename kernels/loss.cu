// Mean squared error (CPU twin: Ops/Loss/MseLoss.Cpu.cs). Forward: squared differences summed in double over
// fixed chunks of 8192 elements (one block each, as the CPU's chunks), then the chunk sums in a fixed tree
// (mse_finish): deterministic, and the loss stays on the device. Backward reads the upstream gradient from
// device memory, so a training step never waits for the host.
#include "common.cuh"

#define NTR_MSE_CHUNK 8192

template <typename T>
__device__ __forceinline__ void mse_partial_impl(const T* pred, const T* target, double* partial, i64 n) {
    __shared__ double scratch[32];
    const i64 begin = (i64)blockIdx.x * NTR_MSE_CHUNK;
    const i64 end = begin + NTR_MSE_CHUNK < n ? begin + NTR_MSE_CHUNK : n;
    double acc = 0.0;
    for (i64 i = begin + threadIdx.x; i < end; i += blockDim.x) {
        const double d = (double)(pred[i] - target[i]);
        acc += d * d;
    }
    acc = block_sum(acc, scratch);
    if (threadIdx.x == 0) partial[blockIdx.x] = acc;
}

// One block: loss[0] = (sum of the partials) / n.
template <typename T>
__device__ __forceinline__ void mse_finish_impl(const double* partial, int count, T* loss, i64 n) {
    __shared__ double scratch[32];
    double acc = 0.0;
    for (int i = threadIdx.x; i < count; i += blockDim.x) acc += partial[i];
    acc = block_sum(acc, scratch);
    if (threadIdx.x == 0) loss[0] = (T)(acc / (double)(n > 0 ? n : 1));
}

// dpred (+)= sign * (2/n) * g[0] * (pred - target).
template <typename T>
__device__ __forceinline__ void mse_backward_impl(const T* pred, const T* target, const T* g, double sign2OverN, T* dpred, i64 n, int accumulate) {
    const T scale = (T)(sign2OverN * (double)g[0]);
    for (i64 i = global_thread(); i < n; i += global_stride()) {
        const T v = mul_rn(scale, sub_rn(pred[i], target[i]));
        dpred[i] = accumulate ? add_rn(dpred[i], v) : v;
    }
}

#define NTR_LOSS_KERNELS(T, S)                                                                                         \
    extern "C" __global__ void mse_partial_##S(const T* pred, const T* target, double* partial, i64 n) {              \
        mse_partial_impl<T>(pred, target, partial, n);                                                                 \
    }                                                                                                                  \
    extern "C" __global__ void mse_finish_##S(const double* partial, int count, T* loss, i64 n) {                     \
        mse_finish_impl<T>(partial, count, loss, n);                                                                   \
    }                                                                                                                  \
    extern "C" __global__ void mse_backward_##S(const T* pred, const T* target, const T* g, double sign2OverN, T* dpred, \
                                                i64 n, int acc) {                                                      \
        mse_backward_impl<T>(pred, target, g, sign2OverN, dpred, n, acc);                                              \
    }
NTR_FOR_EACH_DTYPE(NTR_LOSS_KERNELS)
