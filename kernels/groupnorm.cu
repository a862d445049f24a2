// GroupNorm, and GroupNorm fused with an optional FiLM and SiLU, forward and backward
// (CPU twins: Ops/Normalization/GroupNorm.Cpu.cs and GroupNormSiLU.Cpu.cs).
// x is [N, C, S] contiguous; a group (n, g) is the contiguous run of C/G channels x S positions. One block per
// group. Fused forward: h = GN(x)·gamma + beta; z = h·scale[n,c] + shift[n,c] (FiLM); y = SiLU(z).
// Backward: per-channel sums are taken by one warp per channel (fixed order), gamma/beta partials go to [N, C]
// buffers that reduce_finish (reduce.cu) adds over n in order; FiLM gradients are owned by one block each.
// Storage S (x, y, dy, dx) and math T: float/float, double/double, and bf16 storage with float math (statistics,
// gamma, beta, FiLM, the affine and FiLM gradients and their partials all float; each element read is widened once
// and each output element rounded to bf16 once: storage_load / storage_store). For S == T they are plain.
#include "common.cuh"

template <typename T>
__device__ __forceinline__ T silu_of(T z) { return z / ((T)1 + exp_of(-z)); }

template <typename T>
__device__ __forceinline__ T silu_grad(T z) {
    const T s = (T)1 / ((T)1 + exp_of(-z));
    return s * ((T)1 + z * ((T)1 - s));
}

// `cache` != 0: the group's values are kept in dynamic shared memory (L elements of S) between the passes.
template <typename S, typename T, bool SILU, bool FILM>
__device__ __forceinline__ void groupnorm_forward_impl(const S* x, const T* gamma, const T* beta, const T* fscale, const T* fshift,
                                                       S* y, T* mean, T* rstd, int channels, int groups, i64 spatial, T eps, int cache) {
    __shared__ T scratch[32];
    S* cached = dynamic_shared<S>();
    const int grp = blockIdx.x;
    const int n = grp / groups;
    const int g = grp % groups;
    const int cpg = channels / groups;
    const i64 len = (i64)cpg * spatial;
    const S* xg = x + (i64)grp * len;
    S* yg = y + (i64)grp * len;

    T sum = (T)0;
    for (i64 i = threadIdx.x; i < len; i += blockDim.x) {
        const S v = xg[i];
        if (cache) cached[i] = v;
        sum += storage_load(v);
    }
    const T m = block_sum(sum, scratch) / (T)len;
    T sq = (T)0;
    for (i64 i = threadIdx.x; i < len; i += blockDim.x) {
        const T c = storage_load(cache ? cached[i] : xg[i]) - m;
        sq += c * c;
    }
    const T var = block_sum(sq, scratch) / (T)len;
    const T r = (T)1 / sqrt_rn(var + eps);
    if (threadIdx.x == 0) {
        mean[grp] = m;
        rstd[grp] = r;
    }
    for (i64 i = threadIdx.x; i < len; i += blockDim.x) {
        const int ch = g * cpg + (int)(i / spatial);
        const T sc = gamma ? mul_rn(r, gamma[ch]) : r;
        const T sh = sub_rn(beta ? beta[ch] : (T)0, mul_rn(m, sc));
        T h = add_rn(mul_rn(storage_load(cache ? cached[i] : xg[i]), sc), sh);
        if (FILM) {
            const i64 nc = (i64)n * channels + ch;
            h = add_rn(mul_rn(h, fscale[nc]), fshift ? fshift[nc] : (T)0);
        }
        if (SILU) h = silu_of(h);
        storage_store(yg + i, h);
    }
}

// The gradient with respect to h = GN(x)·gamma + beta at one element, and (through dz) the FiLM terms.
template <typename T, bool SILU, bool FILM>
__device__ __forceinline__ T groupnorm_upstream(T d, T xhat, T gam, T bet, T sc, T sh, T& dz, T& h) {
    h = xhat * gam + bet;
    if (!SILU && !FILM) {
        dz = d;
        return d;
    }
    const T z = FILM ? h * sc + sh : h;
    dz = SILU ? d * silu_grad(z) : d;
    return FILM ? dz * sc : dz;
}

template <typename S, typename T, bool SILU, bool FILM>
__device__ __forceinline__ void groupnorm_backward_impl(const S* x, const S* dy, const T* mean, const T* rstd, const T* gamma, const T* beta,
                                                        const T* fscale, const T* fshift, S* dx, int accDx, T* pgamma, T* pbeta,
                                                        T* dscale, T* dshift, int channels, int groups, i64 spatial) {
    T* channelD = dynamic_shared<T>();  // [cpg]: gamma * sum dh
    const int grp = blockIdx.x;
    const int n = grp / groups;
    const int g = grp % groups;
    const int cpg = channels / groups;
    T* channelDX = channelD + cpg;  // [cpg]: gamma * sum dh * xhat
    const i64 len = (i64)cpg * spatial;
    const i64 base = (i64)grp * len;
    const T m = mean[grp];
    const T r = rstd[grp];
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    const int warps = blockDim.x >> 5;

    for (int cc = warp; cc < cpg; cc += warps) {
        const int ch = g * cpg + cc;
        const i64 nc = (i64)n * channels + ch;
        const T gam = gamma ? gamma[ch] : (T)1;
        const T bet = beta ? beta[ch] : (T)0;
        const T sc = FILM ? fscale[nc] : (T)1;
        const T sh = (FILM && fshift) ? fshift[nc] : (T)0;
        const i64 off = base + (i64)cc * spatial;
        T sDh = (T)0, sDhX = (T)0, sDzH = (T)0, sDz = (T)0;
        for (i64 j = lane; j < spatial; j += 32) {
            const T xhat = (storage_load(x[off + j]) - m) * r;
            T dz, h;
            const T dh = groupnorm_upstream<T, SILU, FILM>(storage_load(dy[off + j]), xhat, gam, bet, sc, sh, dz, h);
            sDh += dh;
            sDhX += dh * xhat;
            if (FILM) {
                sDzH += dz * h;
                sDz += dz;
            }
        }
        sDh = warp_sum(sDh);
        sDhX = warp_sum(sDhX);
        if (FILM) {
            sDzH = warp_sum(sDzH);
            sDz = warp_sum(sDz);
        }
        if (lane == 0) {
            channelD[cc] = gam * sDh;
            channelDX[cc] = gam * sDhX;
            if (pgamma) pgamma[nc] = sDhX;
            if (pbeta) pbeta[nc] = sDh;
            if (FILM && dscale) dscale[nc] += sDzH;
            if (FILM && dshift) dshift[nc] += sDz;
        }
    }
    if (!dx) return;
    __syncthreads();
    T sumD = (T)0, sumDX = (T)0;
    for (int cc = 0; cc < cpg; cc++) {
        sumD += channelD[cc];
        sumDX += channelDX[cc];
    }
    const T meanD = sumD / (T)len;
    const T meanDX = sumDX / (T)len;
    for (i64 i = threadIdx.x; i < len; i += blockDim.x) {
        const int cc = (int)(i / spatial);
        const int ch = g * cpg + cc;
        const i64 nc = (i64)n * channels + ch;
        const T gam = gamma ? gamma[ch] : (T)1;
        const T bet = beta ? beta[ch] : (T)0;
        const T sc = FILM ? fscale[nc] : (T)1;
        const T sh = (FILM && fshift) ? fshift[nc] : (T)0;
        const T xhat = (storage_load(x[base + i]) - m) * r;
        T dz, h;
        const T dh = groupnorm_upstream<T, SILU, FILM>(storage_load(dy[base + i]), xhat, gam, bet, sc, sh, dz, h);
        const T v = r * (gam * dh - meanD - xhat * meanDX);
        storage_store(dx + base + i, accDx ? storage_load(dx[base + i]) + v : v);
    }
}

#define NTR_GROUPNORM_VARIANT(S, T, SUFFIX, NAME, SILU, FILM)                                                           \
    extern "C" __global__ void NAME##_forward_##SUFFIX(const S* x, const T* gamma, const T* beta, const T* fscale,      \
                                                       const T* fshift, S* y, T* mean, T* rstd, int channels,           \
                                                       int groups, i64 spatial, T eps, int cache) {                     \
        groupnorm_forward_impl<S, T, SILU, FILM>(x, gamma, beta, fscale, fshift, y, mean, rstd, channels, groups,      \
                                                 spatial, eps, cache);                                                 \
    }                                                                                                                  \
    extern "C" __global__ void NAME##_backward_##SUFFIX(const S* x, const S* dy, const T* mean, const T* rstd,         \
                                                        const T* gamma, const T* beta, const T* fscale,                \
                                                        const T* fshift, S* dx, int accDx, T* pgamma, T* pbeta,        \
                                                        T* dscale, T* dshift, int channels, int groups, i64 spatial) { \
        groupnorm_backward_impl<S, T, SILU, FILM>(x, dy, mean, rstd, gamma, beta, fscale, fshift, dx, accDx, pgamma,   \
                                                  pbeta, dscale, dshift, channels, groups, spatial);                   \
    }

#define NTR_GROUPNORM_KERNELS_OF(S, T, SUFFIX)                              \
    NTR_GROUPNORM_VARIANT(S, T, SUFFIX, groupnorm, false, false)            \
    NTR_GROUPNORM_VARIANT(S, T, SUFFIX, groupnorm_silu, true, false)        \
    NTR_GROUPNORM_VARIANT(S, T, SUFFIX, groupnorm_film_silu, true, true)
#define NTR_GROUPNORM_KERNELS(T, SUFFIX) NTR_GROUPNORM_KERNELS_OF(T, T, SUFFIX)
NTR_FOR_EACH_DTYPE(NTR_GROUPNORM_KERNELS)
NTR_GROUPNORM_KERNELS_OF(bf16_bits, float, bf16)
