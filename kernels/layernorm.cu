// LayerNorm over the last dimension (CPU twin: Ops/Normalization/LayerNorm.Cpu.cs). Rows are normalised by
// one block each; the affine gradients are column sums over row chunks (layernorm_param_partial) finished in
// order by reduce_finish (reduce.cu), so they are deterministic.
#include "common.cuh"

template <typename T>
__device__ __forceinline__ void layernorm_forward_impl(const T* x, const T* gamma, const T* beta, T* y, T* mean, T* rstd, int d, T eps) {
    __shared__ T scratch[32];
    const i64 base = (i64)blockIdx.x * d;
    T sum = (T)0;
    for (int j = threadIdx.x; j < d; j += blockDim.x) sum += x[base + j];
    const T m = block_sum(sum, scratch) / (T)d;
    T sq = (T)0;
    for (int j = threadIdx.x; j < d; j += blockDim.x) {
        const T c = x[base + j] - m;
        sq += c * c;
    }
    const T rs = (T)1 / sqrt_rn(block_sum(sq, scratch) / (T)d + eps);
    if (threadIdx.x == 0) {
        mean[blockIdx.x] = m;
        rstd[blockIdx.x] = rs;
    }
    for (int j = threadIdx.x; j < d; j += blockDim.x) {
        const T h = (x[base + j] - m) * rs;
        y[base + j] = (gamma ? h * gamma[j] : h) + (beta ? beta[j] : (T)0);
    }
}

template <typename T>
__device__ __forceinline__ void layernorm_backward_dx_impl(const T* x, const T* dy, const T* mean, const T* rstd, const T* gamma, T* dx, int d, int accumulate) {
    __shared__ T scratch[32];
    const i64 base = (i64)blockIdx.x * d;
    const T m = mean[blockIdx.x];
    const T rs = rstd[blockIdx.x];
    T sumD = (T)0, sumDX = (T)0;
    for (int j = threadIdx.x; j < d; j += blockDim.x) {
        const T dh = dy[base + j] * (gamma ? gamma[j] : (T)1);
        sumD += dh;
        sumDX += dh * (x[base + j] - m) * rs;
    }
    const T meanD = block_sum(sumD, scratch) / (T)d;
    const T meanDX = block_sum(sumDX, scratch) / (T)d;
    for (int j = threadIdx.x; j < d; j += blockDim.x) {
        const T dh = dy[base + j] * (gamma ? gamma[j] : (T)1);
        const T xh = (x[base + j] - m) * rs;
        const T v = rs * (dh - meanD - xh * meanDX);
        dx[base + j] = accumulate ? dx[base + j] + v : v;
    }
}

// One thread per (column j, split s): partials over rows [s*rows/splits, (s+1)*rows/splits).
template <typename T>
__device__ __forceinline__ void layernorm_param_partial_impl(const T* x, const T* dy, const T* mean, const T* rstd, T* pgamma, T* pbeta, int rows, int d, int splits) {
    const i64 t = global_thread();
    if (t >= (i64)d * splits) return;
    const int j = (int)(t % d);
    const int s = (int)(t / d);
    const int begin = (int)((i64)s * rows / splits);
    const int end = (int)((i64)(s + 1) * rows / splits);
    T sg = (T)0, sb = (T)0;
    for (int r = begin; r < end; r++) {
        const T v = dy[(i64)r * d + j];
        sb += v;
        sg += v * (x[(i64)r * d + j] - mean[r]) * rstd[r];
    }
    if (pgamma) pgamma[(i64)s * d + j] = sg;
    if (pbeta) pbeta[(i64)s * d + j] = sb;
}

#define NTR_LAYERNORM_KERNELS(T, S)                                                                                    \
    extern "C" __global__ void layernorm_forward_##S(const T* x, const T* gamma, const T* beta, T* y, T* mean,        \
                                                     T* rstd, int d, T eps) {                                          \
        layernorm_forward_impl<T>(x, gamma, beta, y, mean, rstd, d, eps);                                              \
    }                                                                                                                  \
    extern "C" __global__ void layernorm_backward_dx_##S(const T* x, const T* dy, const T* mean, const T* rstd,        \
                                                         const T* gamma, T* dx, int d, int acc) {                      \
        layernorm_backward_dx_impl<T>(x, dy, mean, rstd, gamma, dx, d, acc);                                           \
    }                                                                                                                  \
    extern "C" __global__ void layernorm_param_partial_##S(const T* x, const T* dy, const T* mean, const T* rstd,      \
                                                           T* pgamma, T* pbeta, int rows, int d, int splits) {         \
        layernorm_param_partial_impl<T>(x, dy, mean, rstd, pgamma, pbeta, rows, d, splits);                            \
    }
NTR_FOR_EACH_DTYPE(NTR_LAYERNORM_KERNELS)
