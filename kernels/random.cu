// Philox fills (CPU twin: CpuBackend.FillNormal / FillUniform). Element i uses counter offset + i.
#include "philox.cuh"

extern "C" __global__ void fill_normal_f32(float* __restrict__ dst, i64 n, u64 seed, u64 offset) {
    for (i64 i = global_thread(); i < n; i += global_stride()) dst[i] = philox_normal_float(seed, offset + (u64)i);
}

extern "C" __global__ void fill_normal_f64(double* __restrict__ dst, i64 n, u64 seed, u64 offset) {
    for (i64 i = global_thread(); i < n; i += global_stride()) dst[i] = philox_normal_double(seed, offset + (u64)i);
}

// low + span * u with span = high - low computed on the host (as the CPU does).
extern "C" __global__ void fill_uniform_f32(float* __restrict__ dst, i64 n, u64 seed, u64 offset, float low, float span) {
    for (i64 i = global_thread(); i < n; i += global_stride())
        dst[i] = __fadd_rn(low, __fmul_rn(span, philox_uniform_float_at(seed, offset + (u64)i)));
}

extern "C" __global__ void fill_uniform_f64(double* __restrict__ dst, i64 n, u64 seed, u64 offset, double low, double span) {
    for (i64 i = global_thread(); i < n; i += global_stride())
        dst[i] = __dadd_rn(low, __dmul_rn(span, philox_uniform_double_at(seed, offset + (u64)i)));
}

// The same fills with the counter offset shifted by a value in device memory: a CUDA graph captures a fill once
// (offset frozen) and every replay adds the shift the host staged for that step, so replay i draws exactly the
// counters an eager step i would (offset + shift[0] + i).
extern "C" __global__ void fill_normal_shifted_f32(float* __restrict__ dst, i64 n, u64 seed, u64 offset, const u64* shift) {
    const u64 o = offset + shift[0];
    for (i64 i = global_thread(); i < n; i += global_stride()) dst[i] = philox_normal_float(seed, o + (u64)i);
}

extern "C" __global__ void fill_normal_shifted_f64(double* __restrict__ dst, i64 n, u64 seed, u64 offset, const u64* shift) {
    const u64 o = offset + shift[0];
    for (i64 i = global_thread(); i < n; i += global_stride()) dst[i] = philox_normal_double(seed, o + (u64)i);
}

extern "C" __global__ void fill_uniform_shifted_f32(float* __restrict__ dst, i64 n, u64 seed, u64 offset, float low, float span, const u64* shift) {
    const u64 o = offset + shift[0];
    for (i64 i = global_thread(); i < n; i += global_stride())
        dst[i] = __fadd_rn(low, __fmul_rn(span, philox_uniform_float_at(seed, o + (u64)i)));
}

extern "C" __global__ void fill_uniform_shifted_f64(double* __restrict__ dst, i64 n, u64 seed, u64 offset, double low, double span, const u64* shift) {
    const u64 o = offset + shift[0];
    for (i64 i = global_thread(); i < n; i += global_stride())
        dst[i] = __dadd_rn(low, __dmul_rn(span, philox_uniform_double_at(seed, o + (u64)i)));
}
