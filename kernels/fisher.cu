// Rank-1 Fisher trust-region penalty and its fused Adam step, and per-sample gradient collinearity
// (CPU twins: Ops/Fisher/Rank1Fisher.Cpu.cs and GradientCollinearity.Cpu.cs).
// Penalty: λ/2 Σ_i ρ_i (u_i·θ − b_i)², gradient λ Σ_i ρ_i (u_i·θ − b_i) u_i. The k dot products u_i·θ are taken
// in double over fixed chunks (multi_dot_partial, then sum_partials in vector.cu): deterministic and
// independent of the device. The per-element arithmetic (g + c_0 u_0 + c_1 u_1 + ..., then Adam) uses no
// contracted multiply-adds, so it equals the CPU reference bit for bit given the same dot products.
#include "common.cuh"

#define NTR_DOT_CHUNK 16384
#define NTR_MAX_DIRECTIONS 16

// partial[i * blocks + block] = Σ over the block's chunk of θ[e]·u_i[e] for i < k (k <= 16 per launch).
// θ is read once per chunk for all k directions.
template <typename T>
__device__ __forceinline__ void multi_dot_partial_impl(const T* theta, const T* directions, int k, i64 p, double* partial) {
    __shared__ double scratch[32];
    const i64 begin = (i64)blockIdx.x * NTR_DOT_CHUNK;
    const i64 end = begin + NTR_DOT_CHUNK < p ? begin + NTR_DOT_CHUNK : p;
    double acc[NTR_MAX_DIRECTIONS];
#pragma unroll
    for (int i = 0; i < NTR_MAX_DIRECTIONS; i++) acc[i] = 0.0;
    for (i64 e = begin + threadIdx.x; e < end; e += blockDim.x) {
        const double t = (double)theta[e];
#pragma unroll
        for (int i = 0; i < NTR_MAX_DIRECTIONS; i++)
            if (i < k) acc[i] += t * (double)directions[(i64)i * p + e];
    }
#pragma unroll
    for (int i = 0; i < NTR_MAX_DIRECTIONS; i++) {
        if (i < k) {
            const double s = block_sum(acc[i], scratch);
            if (threadIdx.x == 0) partial[(i64)i * gridDim.x + blockIdx.x] = s;
        }
    }
}

// One thread: coefficient c_i = λ ρ_i (dot_i − b_i) and the penalty λ/2 Σ ρ_i (dot_i − b_i)² (in order of i).
// rhoAnchors holds ρ_0..ρ_{k-1} then b_0..b_{k-1}. penaltyOut (element type T) may be null.
template <typename T>
__device__ __forceinline__ void rank1_coefficients_impl(const double* dots, const double* rhoAnchors, double lambda, int k, double* coef,
                                                        double* penalty, T* penaltyOut) {
    if (blockIdx.x != 0 || threadIdx.x != 0) return;
    double total = 0.0;
    for (int i = 0; i < k; i++) {
        const double gap = dots[i] - rhoAnchors[k + i];
        coef[i] = lambda * rhoAnchors[i] * gap;
        total += rhoAnchors[i] * gap * gap;
    }
    const double value = 0.5 * lambda * total;
    if (penalty) penalty[0] = value;
    if (penaltyOut) penaltyOut[0] = (T)value;
}

template <typename T>
__device__ __forceinline__ T penalized_gradient(T g, const T* directions, const double* coef, int k, i64 p, i64 e) {
    for (int i = 0; i < k; i++) g = add_rn(g, mul_rn((T)coef[i], directions[(i64)i * p + e]));
    return g;
}

// grad += Σ_i c_i u_i.
template <typename T>
__device__ __forceinline__ void rank1_penalty_gradient_impl(T* grad, const T* directions, int k, i64 p, const double* coef) {
    for (i64 e = global_thread(); e < p; e += global_stride()) grad[e] = penalized_gradient(grad[e], directions, coef, k, p, e);
}

// The Adam update of vector.cu, repeated here so this module stands alone (same operations, same order).
template <typename T>
__device__ __forceinline__ void fisher_adam_element(T& p, T g, T& m, T& v, T b1, T b2, T lr, T eps, T wd, T c1, T sqrtC2) {
    const T mi = add_rn(mul_rn(b1, m), mul_rn(sub_rn((T)1, b1), g));
    const T vi = add_rn(mul_rn(b2, v), mul_rn(mul_rn(sub_rn((T)1, b2), g), g));
    m = mi;
    v = vi;
    const T denom = add_rn(div_rn(sqrt_rn(vi), sqrtC2), eps);
    p = sub_rn(p, mul_rn(lr, add_rn(div_rn(div_rn(mi, c1), denom), mul_rn(wd, p))));
}

// One pass: g ← g + Σ c_i u_i (written back), then the Adam step with that gradient.
template <typename T>
__device__ __forceinline__ void rank1_fisher_adam_impl(T* param, T* grad, T* m, T* v, const T* directions, int k, i64 p, const double* coef,
                                                       T b1, T b2, T lr, T eps, T wd, T c1, T sqrtC2) {
    __shared__ double sc[NTR_MAX_DIRECTIONS * 4];
    for (int i = threadIdx.x; i < k && i < NTR_MAX_DIRECTIONS * 4; i += blockDim.x) sc[i] = coef[i];
    __syncthreads();
    const double* c = k <= NTR_MAX_DIRECTIONS * 4 ? sc : coef;
    for (i64 e = global_thread(); e < p; e += global_stride()) {
        const T g = penalized_gradient(grad[e], directions, c, k, p, e);
        grad[e] = g;
        T pe = param[e], me = m[e], ve = v[e];
        fisher_adam_element(pe, g, me, ve, b1, b2, lr, eps, wd, c1, sqrtC2);
        param[e] = pe;
        m[e] = me;
        v[e] = ve;
    }
}

// One block: cosine of each per-sample gradient to the mean gradient, from the Gram matrix gram = G·Gᵀ/N:
// g_i·ḡ = Σ_j gram_ij and |g_i|·|ḡ| = sqrt(gram_ii · Σ_jk gram_jk). Zero when a norm is zero.
template <typename T>
__device__ __forceinline__ void collinearity_cosines_impl(const T* gram, int n, T* cosines) {
    __shared__ double scratch[32];
    double total = 0.0;
    for (i64 t = threadIdx.x; t < (i64)n * n; t += blockDim.x) total += (double)gram[t];
    total = block_sum(total, scratch);
    for (int i = threadIdx.x; i < n; i += blockDim.x) {
        double row = 0.0;
        for (int j = 0; j < n; j++) row += (double)gram[(i64)i * n + j];
        const double denom = sqrt((double)gram[(i64)i * n + i] * total);
        cosines[i] = denom > 0.0 ? (T)(row / denom) : (T)0;
    }
}

#define NTR_FISHER_KERNELS(T, S)                                                                                         \
    extern "C" __global__ void multi_dot_partial_##S(const T* theta, const T* directions, int k, i64 p, double* partial) { \
        multi_dot_partial_impl<T>(theta, directions, k, p, partial);                                                     \
    }                                                                                                                    \
    extern "C" __global__ void rank1_coefficients_##S(const double* dots, const double* rhoAnchors, double lambda, int k, \
                                                      double* coef, double* penalty, T* penaltyOut) {                    \
        rank1_coefficients_impl<T>(dots, rhoAnchors, lambda, k, coef, penalty, penaltyOut);                              \
    }                                                                                                                    \
    extern "C" __global__ void rank1_penalty_gradient_##S(T* grad, const T* directions, int k, i64 p, const double* coef) { \
        rank1_penalty_gradient_impl<T>(grad, directions, k, p, coef);                                                    \
    }                                                                                                                    \
    extern "C" __global__ void rank1_fisher_adam_##S(T* param, T* grad, T* m, T* v, const T* directions, int k, i64 p,  \
                                                     const double* coef, T b1, T b2, T lr, T eps, T wd, T c1, T sqrtC2) { \
        rank1_fisher_adam_impl<T>(param, grad, m, v, directions, k, p, coef, b1, b2, lr, eps, wd, c1, sqrtC2);           \
    }                                                                                                                    \
    /* lr, c1 and sqrt c2 from device memory (staged per step for CUDA graph replay; see adam_staged in vector.cu) */ \
    extern "C" __global__ void rank1_fisher_adam_staged_##S(T* param, T* grad, T* m, T* v, const T* directions, int k,  \
                                                            i64 p, const double* coef, T b1, T b2, T eps, T wd,          \
                                                            const T* lrC1SqrtC2) {                                       \
        rank1_fisher_adam_impl<T>(param, grad, m, v, directions, k, p, coef, b1, b2, lrC1SqrtC2[0], eps, wd,            \
                                  lrC1SqrtC2[1], lrC1SqrtC2[2]);                                                         \
    }                                                                                                                    \
    extern "C" __global__ void collinearity_cosines_##S(const T* gram, int n, T* cosines) {                             \
        collinearity_cosines_impl<T>(gram, n, cosines);                                                                  \
    }
NTR_FOR_EACH_DTYPE(NTR_FISHER_KERNELS)

// One block per row r of partial [rows, count]: result[r] = sum of the row in a fixed tree (as vector.cu).
extern "C" __global__ void fisher_sum_partials(const double* partial, int count, double* result) {
    __shared__ double scratch[32];
    const double* row = partial + (i64)blockIdx.x * count;
    double acc = 0.0;
    for (int i = threadIdx.x; i < count; i += blockDim.x) acc += row[i];
    acc = block_sum(acc, scratch);
    if (threadIdx.x == 0) result[blockIdx.x] = acc;
}
