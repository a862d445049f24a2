// Embedding lookup and its gradient, and sinusoidal timestep features
// (CPU twins: Ops/Embedding/Embedding.Cpu.cs and TimestepEmbedding.Cpu.cs).
#include "common.cuh"

// output[i, :] = table[ids[i], :]. Ids outside [0, rows) or not whole give a row of NaN (the CPU throws).
template <typename T>
__device__ __forceinline__ void embedding_forward_impl(const T* table, const T* ids, T* out, int count, int rows, int dim) {
    const i64 n = (i64)count * dim;
    for (i64 t = global_thread(); t < n; t += global_stride()) {
        const int i = (int)(t / dim);
        const int c = (int)(t % dim);
        const T v = ids[i];
        const int id = (int)v;
        const bool valid = (T)id == v && id >= 0 && id < rows;
        out[t] = valid ? table[(i64)id * dim + c] : quiet_nan<T>();
    }
}

// dtable[r, :] += dout[i, :] for every i with ids[i] == r, in increasing i: one block per table row and
// column slice, no atomics, the same order of additions as the CPU (bit-identical results). Grid x is the table
// rows (grid y's limit of 65535 is too small for them), grid y the column slices.
template <typename T>
__device__ __forceinline__ void embedding_backward_impl(const T* ids, const T* dout, T* dtable, int count, int rows, int dim) {
    const int r = blockIdx.x;
    const int c = blockIdx.y * blockDim.x + threadIdx.x;
    if (r >= rows || c >= dim) return;
    T acc = dtable[(i64)r * dim + c];
    bool any = false;
    for (int i = 0; i < count; i++) {
        if (ids[i] == (T)r) {
            acc = add_rn(acc, dout[(i64)i * dim + c]);
            any = true;
        }
    }
    if (any) dtable[(i64)r * dim + c] = acc;
}

// Row i: [sin(t f_j), cos(t f_j)] (or [cos, sin] when flip), f_j = exp(-ln(maxPeriod) j / (half - shift)),
// computed in double as the CPU does; an odd last column is zero.
template <typename T>
__device__ __forceinline__ void timestep_embedding_impl(const T* t, T* out, int count, int dim, int flip, double shift, double logMaxPeriod) {
    const int half = dim / 2;
    const i64 n = (i64)count * dim;
    for (i64 k = global_thread(); k < n; k += global_stride()) {
        const int i = (int)(k / dim);
        const int c = (int)(k % dim);
        double value = 0.0;
        if (c < 2 * half) {
            const int j = c < half ? c : c - half;
            const double freq = exp(-logMaxPeriod * j / (half - shift));
            const double arg = (double)t[i] * freq;
            const bool first = c < half;
            value = (first != (flip != 0)) ? sin(arg) : cos(arg);
        }
        out[k] = (T)value;
    }
}

#define NTR_EMBEDDING_KERNELS(T, S)                                                                                      \
    extern "C" __global__ void embedding_forward_##S(const T* table, const T* ids, T* out, int count, int rows, int dim) { \
        embedding_forward_impl<T>(table, ids, out, count, rows, dim);                                                    \
    }                                                                                                                    \
    extern "C" __global__ void embedding_backward_##S(const T* ids, const T* dout, T* dtable, int count, int rows, int dim) { \
        embedding_backward_impl<T>(ids, dout, dtable, count, rows, dim);                                                 \
    }                                                                                                                    \
    extern "C" __global__ void timestep_embedding_##S(const T* t, T* out, int count, int dim, int flip, double shift,    \
                                                      double logMaxPeriod) {                                             \
        timestep_embedding_impl<T>(t, out, count, dim, flip, shift, logMaxPeriod);                                       \
    }
NTR_FOR_EACH_DTYPE(NTR_EMBEDDING_KERNELS)
