// Fused scaled dot-product attention, flash style (CPU twin: Ops/Attention/Attention.Cpu.cs).
// q [BH, N, d], k and v [BH, M, d], contiguous. The forward pass streams key/value tiles through shared memory
// with an online softmax and stores the log-sum-exp of each score row (natural log, as the CPU); the backward
// pass recomputes the probabilities from it: one kernel accumulates dK and dV per key row, another dQ per query
// row, so no gradient is ever accumulated by two blocks (deterministic, no atomics).
// A group of G = D/E consecutive threads owns one row: each thread keeps E of the D (padded) head-dim entries in
// registers and the row's dot products are summed over the group with shuffles. D is the head dim rounded up
// to 8, 16, 32, 64 or 128; entries past the real d are zero. Grid x is batch·heads (grid y's limit of 65535 is too
// small for it at large batch), grid y the blocks of ROWS rows.
// Instantiated for storage S and math T: float/float, double/double and bf16 storage with float math (q, k, v, O, dO
// and the gradients bf16 in memory, widened on load into float registers and shared tiles; the log-sum-exp, the
// row sums delta and every product, softmax and accumulation in float32; each output rounded to bf16 once).
#include "common.cuh"

#define NTR_ATTENTION_THREADS 128

template <typename T, int D>
struct AttentionShape {
    static constexpr int E = D <= 32 ? 8 : 16;            // entries per thread
    static constexpr int G = D / E;                       // threads per row
    static constexpr int ROWS = NTR_ATTENTION_THREADS / G;  // rows per block
    static constexpr int TILE = (D * (int)sizeof(T) >= 512) ? 16 : 32;  // keys (or queries) per shared tile
};

#define NTR_LOG2E 1.4426950408889634
#define NTR_LN2 0.6931471805599453

template <typename T, int D>
__device__ __forceinline__ T attention_row_dot(const T (&a)[AttentionShape<T, D>::E], const T* shared_row, int part) {
    constexpr int E = AttentionShape<T, D>::E;
    T s = (T)0;
#pragma unroll
    for (int e = 0; e < E; e++) s += a[e] * shared_row[part * E + e];
    if (AttentionShape<T, D>::G > 1) s = group_sum(s, AttentionShape<T, D>::G);
    return s;
}

// Loads rows [row0, row0 + TILE) of a [rows, d] matrix into tile[TILE][D] (zero padding).
template <typename T, int D, int TILE, typename ST>
__device__ __forceinline__ void attention_load_tile(T (*tile)[D], const ST* src, int row0, int rows, int d) {
    for (int idx = threadIdx.x; idx < TILE * D; idx += NTR_ATTENTION_THREADS) {
        const int rr = idx / D;
        const int col = idx % D;
        const int row = row0 + rr;
        tile[rr][col] = (row < rows && col < d) ? (T)storage_load(src[(i64)row * d + col]) : (T)0;
    }
}

template <typename ST, typename T, int D>
__device__ __forceinline__ void attention_forward_impl(const ST* q, const ST* k, const ST* v, ST* o, T* lse, int n, int m, int d, T scale) {
    typedef AttentionShape<T, D> Shape;
    constexpr int E = Shape::E, G = Shape::G, ROWS = Shape::ROWS, TILE = Shape::TILE;
    __shared__ T ks[TILE][D];
    __shared__ T vs[TILE][D];
    const i64 bh = blockIdx.x;
    const int part = threadIdx.x % G;
    const int i = blockIdx.y * ROWS + threadIdx.x / G;
    const bool valid = i < n;
    const ST* qh = q + bh * n * d;
    const ST* kh = k + bh * m * d;
    const ST* vh = v + bh * m * d;
    const T qscale = scale * (T)NTR_LOG2E;  // scores in log2 units, so exp2 can be used

    T qr[E], acc[E];
#pragma unroll
    for (int e = 0; e < E; e++) {
        const int col = part * E + e;
        qr[e] = (valid && col < d) ? storage_load(qh[(i64)i * d + col]) * qscale : (T)0;
        acc[e] = (T)0;
    }
    T runMax = negative_infinity<T>();
    T runSum = (T)0;
    for (int k0 = 0; k0 < m; k0 += TILE) {
        __syncthreads();
        attention_load_tile<T, D, TILE>(ks, kh, k0, m, d);
        attention_load_tile<T, D, TILE>(vs, vh, k0, m, d);
        __syncthreads();
        T s[TILE];
        T tileMax = negative_infinity<T>();
#pragma unroll
        for (int jj = 0; jj < TILE; jj++) {
            const T dot = attention_row_dot<T, D>(qr, ks[jj], part);
            s[jj] = (k0 + jj < m) ? dot : negative_infinity<T>();
            tileMax = max_of(tileMax, s[jj]);
        }
        const T newMax = max_of(runMax, tileMax);
        const T alpha = exp2_of(runMax - newMax);
        runSum *= alpha;
#pragma unroll
        for (int e = 0; e < E; e++) acc[e] *= alpha;
#pragma unroll
        for (int jj = 0; jj < TILE; jj++) {
            const T p = exp2_of(s[jj] - newMax);
            runSum += p;
#pragma unroll
            for (int e = 0; e < E; e++) acc[e] += p * vs[jj][part * E + e];
        }
        runMax = newMax;
    }
    if (valid) {
        const T inv = (T)1 / runSum;
#pragma unroll
        for (int e = 0; e < E; e++) {
            const int col = part * E + e;
            if (col < d) storage_store(o + (bh * n + i) * d + col, acc[e] * inv);
        }
        if (part == 0) lse[bh * n + i] = (runMax + log2_of(runSum)) * (T)NTR_LN2;
    }
}

// delta[r] = sum over the head dim of dO[r] * O[r] (one thread per row).
template <typename ST, typename T>
__device__ __forceinline__ void attention_row_dot_impl(const ST* o, const ST* dout, T* delta, i64 rows, int d) {
    for (i64 r = global_thread(); r < rows; r += global_stride()) {
        T s = (T)0;
        for (int c = 0; c < d; c++) s += storage_load(dout[r * d + c]) * storage_load(o[r * d + c]);
        delta[r] = s;
    }
}

// dK and dV for one key row per thread group, looping over query tiles.
template <typename ST, typename T, int D>
__device__ __forceinline__ void attention_backward_kv_impl(const ST* q, const ST* k, const ST* v, const ST* dout, const T* lse, const T* delta,
                                                           ST* dk, ST* dv, int n, int m, int d, T scale, int accK, int accV) {
    typedef AttentionShape<T, D> Shape;
    constexpr int E = Shape::E, G = Shape::G, ROWS = Shape::ROWS, TILE = Shape::TILE;
    __shared__ T qs[TILE][D];
    __shared__ T dos[TILE][D];
    __shared__ T lses[TILE];
    __shared__ T deltas[TILE];
    const i64 bh = blockIdx.x;
    const int part = threadIdx.x % G;
    const int j = blockIdx.y * ROWS + threadIdx.x / G;
    const bool valid = j < m;
    const ST* qh = q + bh * n * d;
    const ST* dh = dout + bh * n * d;
    const ST* kh = k + bh * m * d;
    const ST* vh = v + bh * m * d;
    const T kscale = scale * (T)NTR_LOG2E;

    T kr[E], vr[E], dka[E], dva[E];
#pragma unroll
    for (int e = 0; e < E; e++) {
        const int col = part * E + e;
        const bool ok = valid && col < d;
        kr[e] = ok ? storage_load(kh[(i64)j * d + col]) * kscale : (T)0;
        vr[e] = ok ? (T)storage_load(vh[(i64)j * d + col]) : (T)0;
        dka[e] = (T)0;
        dva[e] = (T)0;
    }
    for (int i0 = 0; i0 < n; i0 += TILE) {
        __syncthreads();
        attention_load_tile<T, D, TILE>(qs, qh, i0, n, d);
        attention_load_tile<T, D, TILE>(dos, dh, i0, n, d);
        for (int t = threadIdx.x; t < TILE; t += NTR_ATTENTION_THREADS) {
            const bool ok = i0 + t < n;
            lses[t] = ok ? lse[bh * n + i0 + t] * (T)NTR_LOG2E : (T)0;
            deltas[t] = ok ? delta[bh * n + i0 + t] : (T)0;
        }
        __syncthreads();
#pragma unroll 4
        for (int ii = 0; ii < TILE; ii++) {
            const T s = attention_row_dot<T, D>(kr, qs[ii], part);
            const T p = (i0 + ii < n) ? exp2_of(s - lses[ii]) : (T)0;
            const T dp = attention_row_dot<T, D>(vr, dos[ii], part);
            const T ds = p * (dp - deltas[ii]);
#pragma unroll
            for (int e = 0; e < E; e++) {
                dva[e] += p * dos[ii][part * E + e];
                dka[e] += ds * qs[ii][part * E + e];
            }
        }
    }
    if (!valid) return;
#pragma unroll
    for (int e = 0; e < E; e++) {
        const int col = part * E + e;
        if (col >= d) continue;
        const i64 idx = (bh * m + j) * d + col;
        if (dk) {
            const T g = scale * dka[e];
            storage_store(dk + idx, accK ? storage_load(dk[idx]) + g : g);
        }
        if (dv) storage_store(dv + idx, accV ? storage_load(dv[idx]) + dva[e] : dva[e]);
    }
}

// dQ for one query row per thread group, looping over key tiles.
template <typename ST, typename T, int D>
__device__ __forceinline__ void attention_backward_q_impl(const ST* q, const ST* k, const ST* v, const ST* dout, const T* lse, const T* delta,
                                                          ST* dq, int n, int m, int d, T scale, int accQ) {
    typedef AttentionShape<T, D> Shape;
    constexpr int E = Shape::E, G = Shape::G, ROWS = Shape::ROWS, TILE = Shape::TILE;
    __shared__ T ks[TILE][D];
    __shared__ T vs[TILE][D];
    const i64 bh = blockIdx.x;
    const int part = threadIdx.x % G;
    const int i = blockIdx.y * ROWS + threadIdx.x / G;
    const bool valid = i < n;
    const ST* qh = q + bh * n * d;
    const ST* dh = dout + bh * n * d;
    const ST* kh = k + bh * m * d;
    const ST* vh = v + bh * m * d;
    const T qscale = scale * (T)NTR_LOG2E;

    T qr[E], dor[E], dqa[E];
#pragma unroll
    for (int e = 0; e < E; e++) {
        const int col = part * E + e;
        const bool ok = valid && col < d;
        qr[e] = ok ? storage_load(qh[(i64)i * d + col]) * qscale : (T)0;
        dor[e] = ok ? (T)storage_load(dh[(i64)i * d + col]) : (T)0;
        dqa[e] = (T)0;
    }
    const T rowLse = valid ? lse[bh * n + i] * (T)NTR_LOG2E : (T)0;
    const T rowDelta = valid ? delta[bh * n + i] : (T)0;
    for (int k0 = 0; k0 < m; k0 += TILE) {
        __syncthreads();
        attention_load_tile<T, D, TILE>(ks, kh, k0, m, d);
        attention_load_tile<T, D, TILE>(vs, vh, k0, m, d);
        __syncthreads();
#pragma unroll 4
        for (int jj = 0; jj < TILE; jj++) {
            const T s = attention_row_dot<T, D>(qr, ks[jj], part);
            const T p = (k0 + jj < m) ? exp2_of(s - rowLse) : (T)0;
            const T dp = attention_row_dot<T, D>(dor, vs[jj], part);
            const T ds = p * (dp - rowDelta);
#pragma unroll
            for (int e = 0; e < E; e++) dqa[e] += ds * ks[jj][part * E + e];
        }
    }
    if (!valid) return;
#pragma unroll
    for (int e = 0; e < E; e++) {
        const int col = part * E + e;
        if (col >= d) continue;
        const i64 idx = (bh * n + i) * d + col;
        const T g = scale * dqa[e];
        storage_store(dq + idx, accQ ? storage_load(dq[idx]) + g : g);
    }
}

#define NTR_ATTENTION_HEAD(ST, T, S, DIM)                                                                               \
    extern "C" __global__ void __launch_bounds__(NTR_ATTENTION_THREADS) attention_forward_##S##_d##DIM(                \
        const ST* q, const ST* k, const ST* v, ST* o, T* lse, int n, int m, int d, T scale) {                           \
        attention_forward_impl<ST, T, DIM>(q, k, v, o, lse, n, m, d, scale);                                            \
    }                                                                                                                   \
    extern "C" __global__ void __launch_bounds__(NTR_ATTENTION_THREADS) attention_backward_kv_##S##_d##DIM(            \
        const ST* q, const ST* k, const ST* v, const ST* dout, const T* lse, const T* delta, ST* dk, ST* dv, int n,      \
        int m, int d, T scale, int accK, int accV) {                                                                    \
        attention_backward_kv_impl<ST, T, DIM>(q, k, v, dout, lse, delta, dk, dv, n, m, d, scale, accK, accV);          \
    }                                                                                                                   \
    extern "C" __global__ void __launch_bounds__(NTR_ATTENTION_THREADS) attention_backward_q_##S##_d##DIM(             \
        const ST* q, const ST* k, const ST* v, const ST* dout, const T* lse, const T* delta, ST* dq, int n, int m,      \
        int d, T scale, int accQ) {                                                                                     \
        attention_backward_q_impl<ST, T, DIM>(q, k, v, dout, lse, delta, dq, n, m, d, scale, accQ);                     \
    }

#define NTR_ATTENTION_STORAGE_KERNELS(ST, T, S)                                                                         \
    NTR_ATTENTION_HEAD(ST, T, S, 8)                                                                                     \
    NTR_ATTENTION_HEAD(ST, T, S, 16)                                                                                    \
    NTR_ATTENTION_HEAD(ST, T, S, 32)                                                                                    \
    NTR_ATTENTION_HEAD(ST, T, S, 64)                                                                                    \
    NTR_ATTENTION_HEAD(ST, T, S, 128)                                                                                   \
    extern "C" __global__ void attention_row_dot_##S(const ST* o, const ST* dout, T* delta, i64 rows, int d) {         \
        attention_row_dot_impl<ST, T>(o, dout, delta, rows, d);                                                         \
    }
#define NTR_ATTENTION_KERNELS(T, S) NTR_ATTENTION_STORAGE_KERNELS(T, T, S)
NTR_FOR_EACH_DTYPE(NTR_ATTENTION_KERNELS)
NTR_ATTENTION_STORAGE_KERNELS(bf16_bits, float, bf16)
