// Bilinear resize with PyTorch's align_corners=False semantics, forward and backward (CPU twin:
// Ops/Resampling/ResizeBilinear.Cpu.cs and BilinearTap.cs, same arithmetic in the same order). Planes are
// [planes, in_h, in_w] <-> [planes, out_h, out_w]. The backward gathers: one thread per input pixel sums the weighted
// dy of every output pixel that reads it (no atomics, deterministic).
#include "common.cuh"

// The two input indices and weights that output index o reads along one axis: s = max(0, in/out * (o + 1/2) - 1/2),
// i0 = floor(s), i1 = i0 + 1 (i0 at the last index), l1 = s - i0, l0 = 1 - l1; in the element type, as PyTorch does.
template <typename T>
struct BilinearTap {
    int i0, i1;
    T l0, l1;
};

template <typename T>
__device__ __forceinline__ BilinearTap<T> bilinear_tap(int o, int in_size, int out_size) {
    const T half = (T)0.5;
    const T scale = div_rn((T)in_size, (T)out_size);
    T source = sub_rn(mul_rn(scale, add_rn((T)o, half)), half);
    if (source < (T)0) source = (T)0;
    BilinearTap<T> tap;
    tap.i0 = (int)source;
    tap.i1 = tap.i0 < in_size - 1 ? tap.i0 + 1 : tap.i0;
    tap.l1 = sub_rn(source, (T)tap.i0);
    tap.l0 = sub_rn((T)1, tap.l1);
    return tap;
}

// The weight with which output index o reads input index i (0 if it does not).
template <typename T>
__device__ __forceinline__ T bilinear_weight(int o, int i, int in_size, int out_size) {
    const BilinearTap<T> tap = bilinear_tap<T>(o, in_size, out_size);
    T w = (T)0;
    if (tap.i0 == i) w = add_rn(w, tap.l0);
    if (tap.i1 == i) w = add_rn(w, tap.l1);
    return w;
}

// Bounds (with a margin for rounding) on the outputs that read input index i: those have i0 in {i - 1, i}.
__device__ __forceinline__ int first_output_reading(int i, int in_size, int out_size) {
    if (i <= 1) return 0;
    const int o = (int)floor((i - 0.5) * out_size / in_size - 0.5) - 1;
    return o > 0 ? o : 0;
}

__device__ __forceinline__ int last_output_reading(int i, int in_size, int out_size) {
    const int o = (int)ceil((i + 1.5) * out_size / in_size - 0.5) + 1;
    return o < out_size - 1 ? o : out_size - 1;
}

template <typename T>
__device__ __forceinline__ void resize_bilinear_forward_impl(const T* x, T* y, i64 planes, int in_h, int in_w, int out_h, int out_w) {
    const i64 n = planes * out_h * out_w;
    for (i64 t = global_thread(); t < n; t += global_stride()) {
        const int ow = (int)(t % out_w);
        const i64 rest = t / out_w;
        const int oh = (int)(rest % out_h);
        const i64 p = rest / out_h;
        const BilinearTap<T> row = bilinear_tap<T>(oh, in_h, out_h);
        const BilinearTap<T> col = bilinear_tap<T>(ow, in_w, out_w);
        const T* top = x + (p * in_h + row.i0) * in_w;
        const T* bottom = x + (p * in_h + row.i1) * in_w;
        const T upper = add_rn(mul_rn(col.l0, top[col.i0]), mul_rn(col.l1, top[col.i1]));
        const T lower = add_rn(mul_rn(col.l0, bottom[col.i0]), mul_rn(col.l1, bottom[col.i1]));
        y[t] = add_rn(mul_rn(row.l0, upper), mul_rn(row.l1, lower));
    }
}

template <typename T>
__device__ __forceinline__ void resize_bilinear_backward_impl(const T* dy, T* dx, i64 planes, int in_h, int in_w, int out_h, int out_w,
                                                              int accumulate) {
    const i64 n = planes * in_h * in_w;
    for (i64 t = global_thread(); t < n; t += global_stride()) {
        const int iw = (int)(t % in_w);
        const i64 rest = t / in_w;
        const int ih = (int)(rest % in_h);
        const i64 p = rest / in_h;
        const T* grad = dy + p * out_h * out_w;
        const int oh0 = first_output_reading(ih, in_h, out_h), oh1 = last_output_reading(ih, in_h, out_h);
        const int ow0 = first_output_reading(iw, in_w, out_w), ow1 = last_output_reading(iw, in_w, out_w);
        T sum = (T)0;
        for (int oh = oh0; oh <= oh1; oh++) {
            const T wh = bilinear_weight<T>(oh, ih, in_h, out_h);
            if (wh == (T)0) continue;
            T inner = (T)0;
            for (int ow = ow0; ow <= ow1; ow++) {
                const T ww = bilinear_weight<T>(ow, iw, in_w, out_w);
                if (ww != (T)0) inner = add_rn(inner, mul_rn(ww, grad[oh * out_w + ow]));
            }
            sum = add_rn(sum, mul_rn(wh, inner));
        }
        dx[t] = accumulate ? add_rn(dx[t], sum) : sum;
    }
}

#define NTR_BILINEAR_KERNELS(T, S)                                                                                      \
    extern "C" __global__ void resize_bilinear_forward_##S(const T* x, T* y, i64 planes, int in_h, int in_w, int out_h, \
                                                           int out_w) {                                                 \
        resize_bilinear_forward_impl<T>(x, y, planes, in_h, in_w, out_h, out_w);                                        \
    }                                                                                                                   \
    extern "C" __global__ void resize_bilinear_backward_##S(const T* dy, T* dx, i64 planes, int in_h, int in_w,         \
                                                            int out_h, int out_w, int acc) {                            \
        resize_bilinear_backward_impl<T>(dy, dx, planes, in_h, in_w, out_h, out_w, acc);                                \
    }
NTR_FOR_EACH_DTYPE(NTR_BILINEAR_KERNELS)
