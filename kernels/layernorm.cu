// LayerNorm over the last dimension (CPU twin: Ops/Normalization/LayerNorm.Cpu.cs). Rows are normalised by
// one block each; the affine gradients are column sums over row chunks (layernorm_param_partial) finished in
// order by reduce_finish (reduce.cu), so they are deterministic.
// Instantiated for storage S and math T: float/float, double/double and bf16 storage with float math (x, y, dy and dx
// bf16 in memory; gamma, beta, the statistics and the affine gradients float32; each bf16 output rounded once).
#include "common.cuh"

template <typename S, typename T>
__device__ __forceinline__ void layernorm_forward_impl(const S* x, const T* gamma, const T* beta, S* y, T* mean, T* rstd, int d, T eps) {
    __shared__ T scratch[32];
    const i64 base = (i64)blockIdx.x * d;
    T sum = (T)0;
    for (int j = threadIdx.x; j < d; j += blockDim.x) sum += storage_load(x[base + j]);
    const T m = block_sum(sum, scratch) / (T)d;
    T sq = (T)0;
    for (int j = threadIdx.x; j < d; j += blockDim.x) {
        const T c = storage_load(x[base + j]) - m;
        sq += c * c;
    }
    const T rs = (T)1 / sqrt_rn(block_sum(sq, scratch) / (T)d + eps);
    if (threadIdx.x == 0) {
        mean[blockIdx.x] = m;
        rstd[blockIdx.x] = rs;
    }
    for (int j = threadIdx.x; j < d; j += blockDim.x) {
        const T h = (storage_load(x[base + j]) - m) * rs;
        storage_store(y + base + j, (gamma ? h * gamma[j] : h) + (beta ? beta[j] : (T)0));
    }
}

template <typename S, typename T>
__device__ __forceinline__ void layernorm_backward_dx_impl(const S* x, const S* dy, const T* mean, const T* rstd, const T* gamma, S* dx, int d, int accumulate) {
    __shared__ T scratch[32];
    const i64 base = (i64)blockIdx.x * d;
    const T m = mean[blockIdx.x];
    const T rs = rstd[blockIdx.x];
    T sumD = (T)0, sumDX = (T)0;
    for (int j = threadIdx.x; j < d; j += blockDim.x) {
        const T dh = storage_load(dy[base + j]) * (gamma ? gamma[j] : (T)1);
        sumD += dh;
        sumDX += dh * (storage_load(x[base + j]) - m) * rs;
    }
    const T meanD = block_sum(sumD, scratch) / (T)d;
    const T meanDX = block_sum(sumDX, scratch) / (T)d;
    for (int j = threadIdx.x; j < d; j += blockDim.x) {
        const T dh = storage_load(dy[base + j]) * (gamma ? gamma[j] : (T)1);
        const T xh = (storage_load(x[base + j]) - m) * rs;
        const T v = rs * (dh - meanD - xh * meanDX);
        storage_store(dx + base + j, accumulate ? storage_load(dx[base + j]) + v : v);
    }
}

// One thread per (column j, split s): partials over rows [s*rows/splits, (s+1)*rows/splits).
template <typename S, typename T>
__device__ __forceinline__ void layernorm_param_partial_impl(const S* x, const S* dy, const T* mean, const T* rstd, T* pgamma, T* pbeta, int rows, int d, int splits) {
    const i64 t = global_thread();
    if (t >= (i64)d * splits) return;
    const int j = (int)(t % d);
    const int s = (int)(t / d);
    const int begin = (int)((i64)s * rows / splits);
    const int end = (int)((i64)(s + 1) * rows / splits);
    T sg = (T)0, sb = (T)0;
    for (int r = begin; r < end; r++) {
        const T v = storage_load(dy[(i64)r * d + j]);
        sb += v;
        sg += v * (storage_load(x[(i64)r * d + j]) - mean[r]) * rstd[r];
    }
    if (pgamma) pgamma[(i64)s * d + j] = sg;
    if (pbeta) pbeta[(i64)s * d + j] = sb;
}

#define NTR_LAYERNORM_STORAGE_KERNELS(ST, T, S)                                                                        \
    extern "C" __global__ void layernorm_forward_##S(const ST* x, const T* gamma, const T* beta, ST* y, T* mean,      \
                                                     T* rstd, int d, T eps) {                                          \
        layernorm_forward_impl<ST, T>(x, gamma, beta, y, mean, rstd, d, eps);                                          \
    }                                                                                                                  \
    extern "C" __global__ void layernorm_backward_dx_##S(const ST* x, const ST* dy, const T* mean, const T* rstd,      \
                                                         const T* gamma, ST* dx, int d, int acc) {                     \
        layernorm_backward_dx_impl<ST, T>(x, dy, mean, rstd, gamma, dx, d, acc);                                       \
    }                                                                                                                  \
    extern "C" __global__ void layernorm_param_partial_##S(const ST* x, const ST* dy, const T* mean, const T* rstd,    \
                                                           T* pgamma, T* pbeta, int rows, int d, int splits) {         \
        layernorm_param_partial_impl<ST, T>(x, dy, mean, rstd, pgamma, pbeta, rows, d, splits);                        \
    }
#define NTR_LAYERNORM_KERNELS(T, S) NTR_LAYERNORM_STORAGE_KERNELS(T, T, S)
NTR_FOR_EACH_DTYPE(NTR_LAYERNORM_KERNELS)
NTR_LAYERNORM_STORAGE_KERNELS(bf16_bits, float, bf16)
