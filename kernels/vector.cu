// Flat-vector operations (CPU twin: Ops/Vector/VectorOps.Cpu.cs): axpby, deterministic dot products in
// double, and the Adam update (bit-identical to the CPU: no contracted multiply-adds, IEEE sqrt and division).
#include "common.cuh"

// Elements per block of the two-level dot product; fixed so the summation order never depends on the device.
#define NTR_DOT_CHUNK 16384

template <typename T>
__device__ __forceinline__ void axpby_impl(T alpha, const T* x, T beta, T* y, i64 n) {
    for (i64 i = global_thread(); i < n; i += global_stride()) {
        if (beta == (T)0) y[i] = mul_rn(x[i], alpha);
        else if (beta == (T)1) y[i] = add_rn(mul_rn(x[i], alpha), y[i]);
        else y[i] = add_rn(mul_rn(x[i], alpha), mul_rn(y[i], beta));
    }
}

// partial[block] = sum of a[i]*b[i] (in double) over the block's chunk.
template <typename T>
__device__ __forceinline__ void dot_partial_impl(const T* a, const T* b, double* partial, i64 n) {
    __shared__ double scratch[32];
    const i64 begin = (i64)blockIdx.x * NTR_DOT_CHUNK;
    const i64 end = begin + NTR_DOT_CHUNK < n ? begin + NTR_DOT_CHUNK : n;
    double acc = 0.0;
    for (i64 i = begin + threadIdx.x; i < end; i += blockDim.x) acc += (double)a[i] * (double)b[i];
    acc = block_sum(acc, scratch);
    if (threadIdx.x == 0) partial[blockIdx.x] = acc;
}

// One block per row r of partial [rows, count]: result[r] = sum of the row, in a fixed tree.
extern "C" __global__ void sum_partials(const double* partial, int count, double* result) {
    __shared__ double scratch[32];
    const double* row = partial + (i64)blockIdx.x * count;
    double acc = 0.0;
    for (int i = threadIdx.x; i < count; i += blockDim.x) acc += row[i];
    acc = block_sum(acc, scratch);
    if (threadIdx.x == 0) result[blockIdx.x] = acc;
}

// PyTorch Adam(W-style decay as the CPU reference): m = b1 m + (1-b1) g; v = b2 v + (1-b2) g g;
// p -= lr (m/c1/(sqrt(v)/sqrt(c2) + eps) + wd p). All scalars arrive already rounded to T.
template <typename T>
__device__ __forceinline__ void adam_element(T& p, T g, T& m, T& v, T b1, T b2, T lr, T eps, T wd, T c1, T sqrtC2) {
    const T mi = add_rn(mul_rn(b1, m), mul_rn(sub_rn((T)1, b1), g));
    const T vi = add_rn(mul_rn(b2, v), mul_rn(mul_rn(sub_rn((T)1, b2), g), g));
    m = mi;
    v = vi;
    const T denom = add_rn(div_rn(sqrt_rn(vi), sqrtC2), eps);
    p = sub_rn(p, mul_rn(lr, add_rn(div_rn(div_rn(mi, c1), denom), mul_rn(wd, p))));
}

template <typename T>
__device__ __forceinline__ void adam_impl(T* p, const T* g, T* m, T* v, i64 n, T b1, T b2, T lr, T eps, T wd, T c1, T sqrtC2) {
    for (i64 i = global_thread(); i < n; i += global_stride()) {
        T pi = p[i], mi = m[i], vi = v[i];
        adam_element(pi, g[i], mi, vi, b1, b2, lr, eps, wd, c1, sqrtC2);
        p[i] = pi;
        m[i] = mi;
        v[i] = vi;
    }
}

// Gradient clipping by global norm without a host read (GradientClipping.ClipGlobalNorm's numbers): norm = sqrt of
// the two-level dot product in sumSquares[0]; when finite and above maxNorm, g <- 0*g + s*g with s = maxNorm/(norm +
// 1e-6) rounded to T, exactly the axpby(0, g, s, g) the eager path launches.
// normOut (may be null) receives the norm before clipping, as ClipGlobalNorm returns it.
template <typename T>
__device__ __forceinline__ void clip_by_norm_impl(T* g, i64 n, const double* sumSquares, double maxNorm, double* normOut) {
    const double norm = sqrt_rn(sumSquares[0]);
    if (normOut && blockIdx.x == 0 && threadIdx.x == 0) normOut[0] = norm;
    if (!(norm - norm == 0.0) || !(norm > maxNorm)) return;  // NaN or infinite norm, or within the bound
    const T s = (T)__ddiv_rn(maxNorm, __dadd_rn(norm, 1e-6));
    for (i64 i = global_thread(); i < n; i += global_stride()) g[i] = add_rn(mul_rn(g[i], (T)0), mul_rn(g[i], s));
}

#define NTR_VECTOR_KERNELS(T, S)                                                                                        \
    extern "C" __global__ void axpby_##S(T alpha, const T* x, T beta, T* y, i64 n) { axpby_impl<T>(alpha, x, beta, y, n); } \
    extern "C" __global__ void dot_partial_##S(const T* a, const T* b, double* partial, i64 n) {                       \
        dot_partial_impl<T>(a, b, partial, n);                                                                          \
    }                                                                                                                   \
    extern "C" __global__ void adam_##S(T* p, const T* g, T* m, T* v, i64 n, T b1, T b2, T lr, T eps, T wd, T c1,      \
                                        T sqrtC2) {                                                                     \
        adam_impl<T>(p, g, m, v, n, b1, b2, lr, eps, wd, c1, sqrtC2);                                                   \
    }                                                                                                                   \
    /* The step-dependent scalars (lr, c1, sqrt c2) read from device memory: a CUDA graph replays this launch */      \
    /* every step with the values the host staged for that step (kernel arguments are frozen at capture). */          \
    extern "C" __global__ void adam_staged_##S(T* p, const T* g, T* m, T* v, i64 n, T b1, T b2, T eps, T wd,           \
                                               const T* lrC1SqrtC2) {                                                   \
        adam_impl<T>(p, g, m, v, n, b1, b2, lrC1SqrtC2[0], eps, wd, lrC1SqrtC2[1], lrC1SqrtC2[2]);                      \
    }                                                                                                                   \
    extern "C" __global__ void clip_by_norm_##S(T* g, i64 n, const double* sumSquares, double maxNorm, double* normOut) { \
        clip_by_norm_impl<T>(g, n, sumSquares, maxNorm, normOut);                                                       \
    }
NTR_FOR_EACH_DTYPE(NTR_VECTOR_KERNELS)
