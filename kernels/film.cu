// FiLM: y = x * scale[b, c] + bias[b, c] over x [B, C, T] (CPU twin: Ops/FiLM/FiLM.Cpu.cs).
#include "common.cuh"

template <typename T>
__device__ __forceinline__ void film_forward_impl(const T* x, const T* scale, const T* bias, T* y, i64 n, int t) {
    for (i64 i = global_thread(); i < n; i += global_stride()) {
        const i64 r = i / t;
        y[i] = add_rn(mul_rn(x[i], scale[r]), bias ? bias[r] : (T)0);
    }
}

// `width` lanes (a power of two <= 32) per row (b, c): dx = dy * scale, dscale = sum_t dy * x, dbias = sum_t dy.
// Any of dx, dscale, dbias may be null; each has its own accumulate flag.
template <typename T>
__device__ __forceinline__ void film_backward_impl(const T* x, const T* scale, const T* dy, T* dx, T* dscale, T* dbias, i64 rows, int t, int width,
                                                   int accX, int accScale, int accBias) {
    const i64 thread = global_thread();
    const i64 r = thread / width;
    const int lane = (int)(thread % width);
    const bool valid = r < rows;
    T sx = (T)0, sb = (T)0;
    if (valid) {
        const T s = scale[r];
        const i64 base = r * t;
        for (int j = lane; j < t; j += width) {
            const T d = dy[base + j];
            if (dx) {
                const T v = mul_rn(d, s);
                dx[base + j] = accX ? add_rn(dx[base + j], v) : v;
            }
            sx += d * x[base + j];
            sb += d;
        }
    }
    sx = group_sum(sx, width);
    sb = group_sum(sb, width);
    if (valid && lane == 0) {
        if (dscale) dscale[r] = accScale ? dscale[r] + sx : sx;
        if (dbias) dbias[r] = accBias ? dbias[r] + sb : sb;
    }
}

#define NTR_FILM_KERNELS(T, S)                                                                                          \
    extern "C" __global__ void film_forward_##S(const T* x, const T* scale, const T* bias, T* y, i64 n, int t) {       \
        film_forward_impl<T>(x, scale, bias, y, n, t);                                                                  \
    }                                                                                                                   \
    extern "C" __global__ void film_backward_##S(const T* x, const T* scale, const T* dy, T* dx, T* dscale, T* dbias,  \
                                                 i64 rows, int t, int width, int accX, int accScale, int accBias) {     \
        film_backward_impl<T>(x, scale, dy, dx, dscale, dbias, rows, t, width, accX, accScale, accBias);                \
    }
NTR_FOR_EACH_DTYPE(NTR_FILM_KERNELS)
