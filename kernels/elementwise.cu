// Broadcasting binary ops, unary functions with their derivatives, x*a+b and clamping
// (CPU twins: Ops/Elementwise/Binary.Cpu.cs and Unary.Cpu.cs). Op codes follow the C# enums BinaryOp/UnaryOp.
// The binary and unary kernels (with the unary derivatives) are instantiated for storage S and math T: float/float,
// double/double and bf16 storage with float math (each operand widened, each result rounded to bf16 once).
#include "common.cuh"

enum BinaryCode { BinAdd = 0, BinSub = 1, BinMul = 2, BinDiv = 3 };
enum UnaryCode { UExp = 0, ULog = 1, USqrt = 2, USquare = 3, UReciprocal = 4, UAbs = 5, URelu = 6, USigmoid = 7, UTanh = 8, USiLU = 9, UMish = 10 };

template <typename T>
__device__ __forceinline__ T binary_apply(int op, T x, T y) {
    switch (op) {
        case BinAdd: return add_rn(x, y);
        case BinSub: return sub_rn(x, y);
        case BinMul: return mul_rn(x, y);
        default: return div_rn(x, y);
    }
}

template <typename T>
__device__ __forceinline__ T mish_of(T v) {
    if (v > (T)20) return v;
    const T e = exp_of(v);
    const T n = e * (e + (T)2);
    return v * n / (n + (T)2);
}

template <typename T>
__device__ __forceinline__ T unary_apply(int op, T v) {
    switch (op) {
        case UExp: return exp_of(v);
        case ULog: return log_of(v);
        case USqrt: return sqrt_rn(v);
        case USquare: return mul_rn(v, v);
        case UReciprocal: return div_rn((T)1, v);
        case UAbs: return v < (T)0 ? -v : v;
        case URelu: return max_of(v, (T)0);
        case USigmoid: return (T)1 / ((T)1 + exp_of(-v));
        case UTanh: return tanh_of(v);
        case USiLU: return v / ((T)1 + exp_of(-v));
        default: return mish_of(v);
    }
}

template <typename T>
__device__ __forceinline__ T silu_derivative(T v) {
    const T s = (T)1 / ((T)1 + exp_of(-v));
    return s * ((T)1 + v * ((T)1 - s));
}

template <typename T>
__device__ __forceinline__ T mish_derivative(T v) {
    if (v > (T)20) return (T)1;
    const T e = exp_of(v);
    const T n = e * (e + (T)2);
    const T tanh_sp = n / (n + (T)2);
    const T sigmoid = e / ((T)1 + e);
    return tanh_sp + v * ((T)1 - tanh_sp * tanh_sp) * sigmoid;
}

template <typename T>
__device__ __forceinline__ T unary_derivative(int op, T v, T y) {
    switch (op) {
        case UExp: return y;
        case ULog: return (T)1 / v;
        case USqrt: return (T)0.5 / y;
        case USquare: return (T)2 * v;
        case UReciprocal: return -y * y;
        case UAbs: return v > (T)0 ? (T)1 : (v < (T)0 ? (T)-1 : (T)0);
        case URelu: return v > (T)0 ? (T)1 : (T)0;
        case USigmoid: return y * ((T)1 - y);
        case UTanh: return (T)1 - y * y;
        case USiLU: return silu_derivative(v);
        default: return mish_derivative(v);
    }
}

template <typename S>
__device__ __forceinline__ void binary_contiguous_impl(int op, const S* a, const S* b, S* out, i64 n) {
    for (i64 i = global_thread(); i < n; i += global_stride()) storage_store(out + i, binary_apply(op, storage_load(a[i]), storage_load(b[i])));
}

// out may alias a or b element for element (in-place accumulation into a gradient buffer).
template <typename S>
__device__ __forceinline__ void binary_strided_impl(int op, const S* a, const S* b, S* out, const StridedLayout& layout, i64 n) {
    for (i64 i = global_thread(); i < n; i += global_stride()) {
        i64 off[3];
        strided_offsets<3>(layout, i, off);
        storage_store(out + off[2], binary_apply(op, storage_load(a[off[0]]), storage_load(b[off[1]])));
    }
}

template <typename S>
__device__ __forceinline__ void unary_impl(int op, const S* x, S* y, i64 n) {
    for (i64 i = global_thread(); i < n; i += global_stride()) storage_store(y + i, unary_apply(op, storage_load(x[i])));
}

// For bf16 the derivative uses the stored (rounded) y, as the float32 path uses its stored y.
template <typename S, typename T>
__device__ __forceinline__ void unary_backward_impl(int op, const S* x, const S* y, const S* dy, S* dx, i64 n, int accumulate) {
    for (i64 i = global_thread(); i < n; i += global_stride()) {
        const T v = mul_rn(storage_load(dy[i]), unary_derivative(op, storage_load(x[i]), storage_load(y[i])));
        storage_store(dx + i, accumulate ? add_rn(storage_load(dx[i]), v) : v);
    }
}

// y = x*mul + add, rounded after the product and after the sum (as the CPU's two vector passes).
template <typename T>
__device__ __forceinline__ void affine_impl(const T* x, T* y, i64 n, T mul, T add) {
    for (i64 i = global_thread(); i < n; i += global_stride()) y[i] = add_rn(mul_rn(x[i], mul), add);
}

template <typename T>
__device__ __forceinline__ void clamp_impl(const T* x, T* y, i64 n, T low, T high) {
    for (i64 i = global_thread(); i < n; i += global_stride()) {
        const T v = x[i];
        y[i] = v < low ? low : (v > high ? high : v);
    }
}

template <typename T>
__device__ __forceinline__ void clamp_backward_impl(const T* x, const T* dy, T* dx, i64 n, T low, T high, int accumulate) {
    for (i64 i = global_thread(); i < n; i += global_stride()) {
        const T v = x[i];
        const T pass = (v > low && v < high) ? dy[i] : (T)0;
        dx[i] = accumulate ? add_rn(dx[i], pass) : pass;
    }
}

#define NTR_UNARY_KERNELS(ST, T, S)                                                                                    \
    extern "C" __global__ void unary_##S(int op, const ST* x, ST* y, i64 n) { unary_impl<ST>(op, x, y, n); }              \
    extern "C" __global__ void unary_backward_##S(int op, const ST* x, const ST* y, const ST* dy, ST* dx, i64 n, int acc) { \
        unary_backward_impl<ST, T>(op, x, y, dy, dx, n, acc);                                                              \
    }
#define NTR_BINARY_KERNELS(ST, S)                                                                                       \
    extern "C" __global__ void binary_contiguous_##S(int op, const ST* a, const ST* b, ST* out, i64 n) {                 \
        binary_contiguous_impl<ST>(op, a, b, out, n);                                                                      \
    }                                                                                                                      \
    extern "C" __global__ void binary_strided_##S(int op, const ST* a, const ST* b, ST* out, StridedLayout layout, i64 n) { \
        binary_strided_impl<ST>(op, a, b, out, layout, n);                                                                 \
    }
#define NTR_ELEMENTWISE_KERNELS(T, S)                                                                                      \
    NTR_BINARY_KERNELS(T, S)                                                                                               \
    NTR_UNARY_KERNELS(T, T, S)                                                                                             \
    extern "C" __global__ void affine_##S(const T* x, T* y, i64 n, T mul, T add) { affine_impl<T>(x, y, n, mul, add); }  \
    extern "C" __global__ void clamp_##S(const T* x, T* y, i64 n, T low, T high) { clamp_impl<T>(x, y, n, low, high); }  \
    extern "C" __global__ void clamp_backward_##S(const T* x, const T* dy, T* dx, i64 n, T low, T high, int acc) {       \
        clamp_backward_impl<T>(x, dy, dx, n, low, high, acc);                                                              \
    }
NTR_FOR_EACH_DTYPE(NTR_ELEMENTWISE_KERNELS)
NTR_BINARY_KERNELS(bf16_bits, bf16)
NTR_UNARY_KERNELS(bf16_bits, float, bf16)
