// Max and average pooling over square windows, forward and backward (CPU twins: Ops/Pooling/*.Cpu.cs, same
// arithmetic in the same order). Planes are [planes, in_h, in_w] -> [planes, out_h, out_w]; window (oh, ow) starts at
// (oh * stride - pad, ow * stride - pad). Backward passes gather: one thread per input element sums over the windows
// covering it in row-major order (no atomics, deterministic).
#include "common.cuh"

// First / last output index whose window covers input index i.
__device__ __forceinline__ int first_window_covering(int i, int kernel, int stride, int pad) {
    const int t = i + pad - kernel + 1;
    return t <= 0 ? 0 : (t + stride - 1) / stride;
}

__device__ __forceinline__ int last_window_covering(int i, int stride, int pad, int out) {
    const int t = (i + pad) / stride;
    return t < out - 1 ? t : out - 1;
}

// Index in the plane of the element that wins window (oh, ow): the first maximum in row-major order or the last NaN
// (PyTorch's rule). Padding never wins.
template <typename T>
__device__ __forceinline__ int window_argmax(const T* plane, int in_h, int in_w, int oh, int ow, int kernel, int stride, int pad) {
    const int h0 = oh * stride - pad, w0 = ow * stride - pad;
    const int hs = h0 > 0 ? h0 : 0, ws = w0 > 0 ? w0 : 0;
    const int he = h0 + kernel < in_h ? h0 + kernel : in_h;
    const int we = w0 + kernel < in_w ? w0 + kernel : in_w;
    T best = negative_infinity<T>();
    int winner = hs * in_w + ws;
    for (int ih = hs; ih < he; ih++) {
        for (int iw = ws; iw < we; iw++) {
            const T v = plane[ih * in_w + iw];
            if (v > best || v != v) {
                best = v;
                winner = ih * in_w + iw;
            }
        }
    }
    return winner;
}

// PyTorch's divisor of window (oh, ow): its area clipped to the padded input, or the number of input elements under it.
__device__ __forceinline__ int avg_divisor(int in_h, int in_w, int oh, int ow, int kernel, int stride, int pad, int count_include_pad) {
    const int h0 = oh * stride - pad, w0 = ow * stride - pad;
    if (count_include_pad) {
        const int he = h0 + kernel < in_h + pad ? h0 + kernel : in_h + pad;
        const int we = w0 + kernel < in_w + pad ? w0 + kernel : in_w + pad;
        return (he - h0) * (we - w0);
    }
    const int hs = h0 > 0 ? h0 : 0, ws = w0 > 0 ? w0 : 0;
    const int he = h0 + kernel < in_h ? h0 + kernel : in_h;
    const int we = w0 + kernel < in_w ? w0 + kernel : in_w;
    return (he - hs) * (we - ws);
}

template <typename T>
__device__ __forceinline__ void max_pool2d_forward_impl(const T* x, T* y, i64 planes, int in_h, int in_w, int out_h, int out_w,
                                                        int kernel, int stride, int pad) {
    const i64 n = planes * out_h * out_w;
    for (i64 t = global_thread(); t < n; t += global_stride()) {
        const int ow = (int)(t % out_w);
        const i64 rest = t / out_w;
        const int oh = (int)(rest % out_h);
        const i64 p = rest / out_h;
        const T* plane = x + p * in_h * in_w;
        y[t] = plane[window_argmax(plane, in_h, in_w, oh, ow, kernel, stride, pad)];
    }
}

template <typename T>
__device__ __forceinline__ void max_pool2d_backward_impl(const T* x, const T* dy, T* dx, i64 planes, int in_h, int in_w, int out_h,
                                                         int out_w, int kernel, int stride, int pad, int accumulate) {
    const i64 n = planes * in_h * in_w;
    for (i64 t = global_thread(); t < n; t += global_stride()) {
        const int iw = (int)(t % in_w);
        const i64 rest = t / in_w;
        const int ih = (int)(rest % in_h);
        const i64 p = rest / in_h;
        const T* plane = x + p * in_h * in_w;
        const T* grad = dy + p * out_h * out_w;
        const int here = ih * in_w + iw;
        const int oh0 = first_window_covering(ih, kernel, stride, pad), oh1 = last_window_covering(ih, stride, pad, out_h);
        const int ow0 = first_window_covering(iw, kernel, stride, pad), ow1 = last_window_covering(iw, stride, pad, out_w);
        T sum = (T)0;
        for (int oh = oh0; oh <= oh1; oh++) {
            for (int ow = ow0; ow <= ow1; ow++) {
                if (window_argmax(plane, in_h, in_w, oh, ow, kernel, stride, pad) == here) sum = add_rn(sum, grad[oh * out_w + ow]);
            }
        }
        dx[t] = accumulate ? add_rn(dx[t], sum) : sum;
    }
}

template <typename T>
__device__ __forceinline__ void avg_pool2d_forward_impl(const T* x, T* y, i64 planes, int in_h, int in_w, int out_h, int out_w,
                                                        int kernel, int stride, int pad, int count_include_pad) {
    const i64 n = planes * out_h * out_w;
    for (i64 t = global_thread(); t < n; t += global_stride()) {
        const int ow = (int)(t % out_w);
        const i64 rest = t / out_w;
        const int oh = (int)(rest % out_h);
        const i64 p = rest / out_h;
        const T* plane = x + p * in_h * in_w;
        const int h0 = oh * stride - pad, w0 = ow * stride - pad;
        const int hs = h0 > 0 ? h0 : 0, ws = w0 > 0 ? w0 : 0;
        const int he = h0 + kernel < in_h ? h0 + kernel : in_h;
        const int we = w0 + kernel < in_w ? w0 + kernel : in_w;
        T sum = (T)0;
        for (int ih = hs; ih < he; ih++) {
            for (int iw = ws; iw < we; iw++) sum = add_rn(sum, plane[ih * in_w + iw]);
        }
        y[t] = div_rn(sum, (T)avg_divisor(in_h, in_w, oh, ow, kernel, stride, pad, count_include_pad));
    }
}

template <typename T>
__device__ __forceinline__ void avg_pool2d_backward_impl(const T* dy, T* dx, i64 planes, int in_h, int in_w, int out_h, int out_w,
                                                         int kernel, int stride, int pad, int count_include_pad, int accumulate) {
    const i64 n = planes * in_h * in_w;
    for (i64 t = global_thread(); t < n; t += global_stride()) {
        const int iw = (int)(t % in_w);
        const i64 rest = t / in_w;
        const int ih = (int)(rest % in_h);
        const i64 p = rest / in_h;
        const T* grad = dy + p * out_h * out_w;
        const int oh0 = first_window_covering(ih, kernel, stride, pad), oh1 = last_window_covering(ih, stride, pad, out_h);
        const int ow0 = first_window_covering(iw, kernel, stride, pad), ow1 = last_window_covering(iw, stride, pad, out_w);
        T sum = (T)0;
        for (int oh = oh0; oh <= oh1; oh++) {
            for (int ow = ow0; ow <= ow1; ow++) {
                const T divisor = (T)avg_divisor(in_h, in_w, oh, ow, kernel, stride, pad, count_include_pad);
                sum = add_rn(sum, div_rn(grad[oh * out_w + ow], divisor));
            }
        }
        dx[t] = accumulate ? add_rn(dx[t], sum) : sum;
    }
}

#define NTR_POOL_KERNELS(T, S)                                                                                          \
    extern "C" __global__ void max_pool2d_forward_##S(const T* x, T* y, i64 planes, int in_h, int in_w, int out_h,      \
                                                      int out_w, int kernel, int stride, int pad) {                     \
        max_pool2d_forward_impl<T>(x, y, planes, in_h, in_w, out_h, out_w, kernel, stride, pad);                        \
    }                                                                                                                   \
    extern "C" __global__ void max_pool2d_backward_##S(const T* x, const T* dy, T* dx, i64 planes, int in_h, int in_w,  \
                                                       int out_h, int out_w, int kernel, int stride, int pad, int acc) { \
        max_pool2d_backward_impl<T>(x, dy, dx, planes, in_h, in_w, out_h, out_w, kernel, stride, pad, acc);             \
    }                                                                                                                   \
    extern "C" __global__ void avg_pool2d_forward_##S(const T* x, T* y, i64 planes, int in_h, int in_w, int out_h,      \
                                                      int out_w, int kernel, int stride, int pad, int include_pad) {    \
        avg_pool2d_forward_impl<T>(x, y, planes, in_h, in_w, out_h, out_w, kernel, stride, pad, include_pad);           \
    }                                                                                                                   \
    extern "C" __global__ void avg_pool2d_backward_##S(const T* dy, T* dx, i64 planes, int in_h, int in_w, int out_h,   \
                                                       int out_w, int kernel, int stride, int pad, int include_pad,     \
                                                       int acc) {                                                       \
        avg_pool2d_backward_impl<T>(dy, dx, planes, in_h, in_w, out_h, out_w, kernel, stride, pad, include_pad, acc);   \
    }
NTR_FOR_EACH_DTYPE(NTR_POOL_KERNELS)
