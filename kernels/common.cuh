// Shared helpers for the NativeTrustRegion CUDA kernels.
// Compiled at run time by NVRTC (no CUDA toolkit headers are available there) and at build time by nvcc:
// nothing here may include a toolkit header. Every kernel is `extern "C"` so its name is not mangled.
#pragma once

typedef long long i64;
typedef unsigned long long u64;
typedef unsigned int u32;

#define NTR_MAX_DIMS 8
#define NTR_FULL_MASK 0xffffffffu

// Shape and element strides of up to three operands over one iteration shape (offsets are folded into the
// pointers on the host). Mirrors StridedLayout in src/Engine/Backends/Cuda/StridedLayout.cs (232 bytes).
struct StridedLayout {
    int rank;
    int shape[NTR_MAX_DIMS];
    i64 stride[3][NTR_MAX_DIMS];
};

// Kept and reduced dimensions of a sum over axes. Mirrors ReduceLayout in ReduceLayout.cs (200 bytes).
struct ReduceLayout {
    int keptRank;
    int reducedRank;
    int keptShape[NTR_MAX_DIMS];
    int reducedShape[NTR_MAX_DIMS];
    i64 keptStride[NTR_MAX_DIMS];
    i64 reducedStride[NTR_MAX_DIMS];
};

// The block's dynamic shared memory (the launch's sharedBytes), as an array of T. On the GPU it is the one
// `extern __shared__` array of the kernel; under the CUDA emulator (kernels/emulator, which defines NTR_EMULATED)
// it is the block's buffer, which ends at a guard page so an access past the launch's size faults.
#ifdef NTR_EMULATED
template <typename T>
__device__ __forceinline__ T* dynamic_shared() { return reinterpret_cast<T*>(ntr_emu::dynamic_shared_memory()); }
#else
template <typename T>
__device__ __forceinline__ T* dynamic_shared() {
    extern __shared__ __align__(16) unsigned char ntr_dynamic_shared[];
    return reinterpret_cast<T*>(ntr_dynamic_shared);
}
#endif

__device__ __forceinline__ i64 global_thread() { return (i64)blockIdx.x * blockDim.x + threadIdx.x; }
__device__ __forceinline__ i64 global_stride() { return (i64)gridDim.x * blockDim.x; }

// Element offsets of the first OPS operands for a linear index over the layout's shape (row-major).
template <int OPS>
__device__ __forceinline__ void strided_offsets(const StridedLayout& L, i64 linear, i64* off) {
#pragma unroll
    for (int k = 0; k < OPS; k++) off[k] = 0;
#pragma unroll
    for (int d = NTR_MAX_DIMS - 1; d >= 0; d--) {
        if (d < L.rank) {
            const int size = L.shape[d];
            const i64 idx = linear % size;
            linear /= size;
#pragma unroll
            for (int k = 0; k < OPS; k++) off[k] += idx * L.stride[k][d];
        }
    }
}

// Correctly rounded arithmetic that the compiler may not contract into fused multiply-adds. Kernels whose
// results must equal the CPU reference bit for bit (random numbers, dropout, optimizers) use these.
__device__ __forceinline__ float add_rn(float a, float b) { return __fadd_rn(a, b); }
__device__ __forceinline__ double add_rn(double a, double b) { return __dadd_rn(a, b); }
__device__ __forceinline__ float sub_rn(float a, float b) { return __fsub_rn(a, b); }
__device__ __forceinline__ double sub_rn(double a, double b) { return __dsub_rn(a, b); }
__device__ __forceinline__ float mul_rn(float a, float b) { return __fmul_rn(a, b); }
__device__ __forceinline__ double mul_rn(double a, double b) { return __dmul_rn(a, b); }
__device__ __forceinline__ float div_rn(float a, float b) { return __fdiv_rn(a, b); }
__device__ __forceinline__ double div_rn(double a, double b) { return __ddiv_rn(a, b); }
__device__ __forceinline__ float sqrt_rn(float a) { return __fsqrt_rn(a); }
__device__ __forceinline__ double sqrt_rn(double a) { return __dsqrt_rn(a); }

__device__ __forceinline__ float exp_of(float x) { return expf(x); }
__device__ __forceinline__ double exp_of(double x) { return exp(x); }
__device__ __forceinline__ float exp2_of(float x) { return exp2f(x); }
__device__ __forceinline__ double exp2_of(double x) { return exp2(x); }
__device__ __forceinline__ float log_of(float x) { return logf(x); }
__device__ __forceinline__ double log_of(double x) { return log(x); }
__device__ __forceinline__ float log2_of(float x) { return log2f(x); }
__device__ __forceinline__ double log2_of(double x) { return log2(x); }
__device__ __forceinline__ float sqrt_of(float x) { return sqrtf(x); }
__device__ __forceinline__ double sqrt_of(double x) { return sqrt(x); }
__device__ __forceinline__ float tanh_of(float x) { return tanhf(x); }
__device__ __forceinline__ double tanh_of(double x) { return tanh(x); }
__device__ __forceinline__ float max_of(float a, float b) { return fmaxf(a, b); }
__device__ __forceinline__ double max_of(double a, double b) { return fmax(a, b); }
__device__ __forceinline__ float min_of(float a, float b) { return fminf(a, b); }
__device__ __forceinline__ double min_of(double a, double b) { return fmin(a, b); }

// bfloat16 as raw bits (the upper half of a float32). float -> bf16 rounds to nearest, ties to even; a NaN stays a
// quiet NaN. Mirrors BFloat16.FromFloat in src/Engine/Tensors/BFloat16.cs (no toolkit header: NVRTC has none here).
typedef unsigned short bf16_bits;
__device__ __forceinline__ bf16_bits float_to_bf16(float x) {
    const u32 bits = __float_as_uint(x);
    if ((bits & 0x7fffffffu) > 0x7f800000u) return (bf16_bits)((bits >> 16) | 0x0040u);
    return (bf16_bits)((bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16);
}
__device__ __forceinline__ float bf16_to_float(bf16_bits b) { return __uint_as_float(((u32)b) << 16); }

// Kernels instantiated for a storage type S and a math type T (float/float, double/double, bf16/float) read with
// storage_load and write with storage_store: plain for S == T, a widening read and a rounding write for bf16.
__device__ __forceinline__ float storage_load(float v) { return v; }
__device__ __forceinline__ double storage_load(double v) { return v; }
__device__ __forceinline__ float storage_load(bf16_bits v) { return bf16_to_float(v); }
__device__ __forceinline__ void storage_store(float* p, float v) { *p = v; }
__device__ __forceinline__ void storage_store(double* p, double v) { *p = v; }
__device__ __forceinline__ void storage_store(bf16_bits* p, float v) { *p = float_to_bf16(v); }

template <typename T> __device__ __forceinline__ T negative_infinity();
template <> __device__ __forceinline__ float negative_infinity<float>() { return __int_as_float(0xff800000); }
template <> __device__ __forceinline__ double negative_infinity<double>() { return __longlong_as_double(0xfff0000000000000ULL); }

template <typename T> __device__ __forceinline__ T quiet_nan();
template <> __device__ __forceinline__ float quiet_nan<float>() { return __int_as_float(0x7fc00000); }
template <> __device__ __forceinline__ double quiet_nan<double>() { return __longlong_as_double(0x7ff8000000000000ULL); }

// Sum over the 32 lanes of a warp in a fixed butterfly order (deterministic); every lane gets the result.
template <typename T>
__device__ __forceinline__ T warp_sum(T v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(NTR_FULL_MASK, v, o);
    return v;
}

template <typename T>
__device__ __forceinline__ T warp_max(T v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v = max_of(v, __shfl_xor_sync(NTR_FULL_MASK, v, o));
    return v;
}

// Sum over groups of `width` consecutive lanes (width a power of two <= 32); every lane of a group gets it.
template <typename T>
__device__ __forceinline__ T group_sum(T v, int width) {
    for (int o = width >> 1; o > 0; o >>= 1) v += __shfl_xor_sync(NTR_FULL_MASK, v, o, width);
    return v;
}

// Sum over the whole block (blockDim.x a multiple of 32, at most 1024) in a fixed order; every thread gets
// the result. `scratch` holds 32 values of shared memory; the call synchronises the block twice.
template <typename T>
__device__ __forceinline__ T block_sum(T v, T* scratch) {
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    const int warps = (blockDim.x + 31) >> 5;
    v = warp_sum(v);
    __syncthreads();
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    T total = lane < warps ? scratch[lane] : (T)0;
    total = warp_sum(total);
    return total;
}

template <typename T>
__device__ __forceinline__ T block_max(T v, T* scratch) {
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    const int warps = (blockDim.x + 31) >> 5;
    v = warp_max(v);
    __syncthreads();
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    T total = lane < warps ? scratch[lane] : negative_infinity<T>();
    total = warp_max(total);
    return total;
}

// Instantiates a macro once per supported element type with its kernel-name suffix.
#define NTR_FOR_EACH_DTYPE(MACRO) MACRO(float, f32) MACRO(double, f64)
