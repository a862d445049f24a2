// Philox4x32-10 counter-based random numbers: the exact twin of src/Engine/Randomness/Philox.cs.
// Value i of stream `seed` depends only on (seed, i), so the CPU and every GPU draw the same numbers.
// Uniform numbers and everything derived from them by comparisons (dropout masks) are bit-identical to the
// CPU; normal numbers agree to within the last bits of logf/cosf (the device math library differs from libm).
#pragma once
#include "common.cuh"

struct PhiloxWords {
    u32 w0, w1, w2, w3;
};

__device__ __forceinline__ PhiloxWords philox_block(u32 c0, u32 c1, u32 c2, u32 c3, u64 key) {
    u32 k0 = (u32)key;
    u32 k1 = (u32)(key >> 32);
#pragma unroll
    for (int r = 0; r < 10; r++) {
        const u32 hi0 = __umulhi(0xD2511F53u, c0);
        const u32 lo0 = 0xD2511F53u * c0;
        const u32 hi1 = __umulhi(0xCD9E8D57u, c2);
        const u32 lo1 = 0xCD9E8D57u * c2;
        c0 = hi1 ^ c1 ^ k0;
        c1 = lo1;
        c2 = hi0 ^ c3 ^ k1;
        c3 = lo0;
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
    PhiloxWords w;
    w.w0 = c0;
    w.w1 = c1;
    w.w2 = c2;
    w.w3 = c3;
    return w;
}

// The four words for element `index` of stream `seed` (Philox.At).
__device__ __forceinline__ PhiloxWords philox_at(u64 seed, u64 index) {
    return philox_block((u32)index, (u32)(index >> 32), 0x5EED5EEDu, 0x0B5E55EDu, seed);
}

// ((w >> 8) + 0.5) / 2^24 in float, rounded exactly as the CPU does.
__device__ __forceinline__ float philox_uniform_float(u32 w) {
    return __fmul_rn(__fadd_rn((float)(w >> 8), 0.5f), 5.9604644775390625e-08f);
}

// 53-bit uniform double in (0, 1).
__device__ __forceinline__ double philox_uniform_double(u32 hi, u32 lo) {
    const u64 bits = ((u64)hi << 21) ^ (u64)(lo >> 11);
    return __dmul_rn(__dadd_rn((double)bits, 0.5), 1.1102230246251565e-16);
}

__device__ __forceinline__ float philox_uniform_float_at(u64 seed, u64 index) {
    return philox_uniform_float(philox_at(seed, index).w0);
}

__device__ __forceinline__ double philox_uniform_double_at(u64 seed, u64 index) {
    const PhiloxWords w = philox_at(seed, index);
    return philox_uniform_double(w.w0, w.w1);
}

// Box-Muller on the first two words: sqrt(-2 ln u1) * cos(2 pi u2).
__device__ __forceinline__ float philox_normal_float(u64 seed, u64 index) {
    const PhiloxWords w = philox_at(seed, index);
    const float u1 = philox_uniform_float(w.w0);
    const float u2 = philox_uniform_float(w.w1);
    const float radius = __fsqrt_rn(__fmul_rn(-2.0f, logf(u1)));
    return __fmul_rn(radius, cosf(__fmul_rn(6.28318548202514648f, u2)));
}

__device__ __forceinline__ double philox_normal_double(u64 seed, u64 index) {
    const PhiloxWords w = philox_at(seed, index);
    const double u1 = philox_uniform_double(w.w0, w.w1);
    const double u2 = philox_uniform_double(w.w2, w.w3);
    const double radius = __dsqrt_rn(__dmul_rn(-2.0, log(u1)));
    return __dmul_rn(radius, cos(__dmul_rn(6.283185307179586, u2)));
}
