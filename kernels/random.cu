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
