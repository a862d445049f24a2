// Deliberately broken kernels (and correct twins) for the CUDA emulator's self-test: each bug must be caught and
// reported with the kernel's name. Never part of the engine's kernels.
#include "common.cuh"

// Off by one: thread n writes one element past the end of the buffer.
extern "C" __global__ void broken_off_by_one(float* out, int n) {
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i <= n) out[i] = 1.0f;
}

// Thread 5 returns before the __syncthreads that every other thread of its block reaches.
extern "C" __global__ void broken_early_return(float* out) {
    __shared__ float tile[256];
    if (threadIdx.x == 5) return;
    tile[threadIdx.x] = (float)threadIdx.x;
    __syncthreads();
    out[threadIdx.x] = tile[(threadIdx.x + 1) % blockDim.x];
}

// Missing __syncthreads: each thread reads its neighbour's shared value, which may not be written yet.
extern "C" __global__ void broken_missing_sync(const float* in, float* out) {
    __shared__ float tile[256];
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    tile[threadIdx.x] = in[i];
    out[i] = tile[(threadIdx.x + 1) % blockDim.x];
}

extern "C" __global__ void fixed_with_sync(const float* in, float* out) {
    __shared__ float tile[256];
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    tile[threadIdx.x] = in[i];
    __syncthreads();
    out[i] = tile[(threadIdx.x + 1) % blockDim.x];
}

// 49 KiB of static shared memory (the limit is 48 KiB).
extern "C" __global__ void broken_static_shared_49k(float* out) {
    __shared__ float big[49 * 256];
    big[threadIdx.x] = (float)threadIdx.x;
    __syncthreads();
    out[threadIdx.x] = big[blockDim.x - 1 - threadIdx.x];
}

// One row per block along grid y (launched with grid y = 70,000 by the self-test).
extern "C" __global__ void rows_in_grid_y(float* out, int width) {
    const i64 row = blockIdx.y;
    if ((int)threadIdx.x < width) out[row * width + threadIdx.x] = (float)row;
}

// Lane 31 exits, then the others shuffle with the full mask.
extern "C" __global__ void broken_shuffle_after_exit(float* out) {
    if (threadIdx.x == 31) return;
    out[threadIdx.x] = warp_sum((float)threadIdx.x);
}

// Reads one float past the dynamic shared memory the launch provides (n floats).
extern "C" __global__ void broken_dynamic_shared_overflow(float* out, int n) {
    float* s = dynamic_shared<float>();
    s[threadIdx.x] = 1.0f;
    __syncthreads();
    if (threadIdx.x == 0) out[0] = s[n];
}

// Every shuffle mode and vote, with widths, for the self-test's host reference.
extern "C" __global__ void shuffle_modes(const int* in, int* out) {
    const int lane = threadIdx.x & 31;
    const int v = in[threadIdx.x];
    int* o = out + threadIdx.x * 7;
    o[0] = __shfl_sync(NTR_FULL_MASK, v, 3);
    o[1] = __shfl_sync(NTR_FULL_MASK, v, 5, 8);
    o[2] = __shfl_xor_sync(NTR_FULL_MASK, v, 6, 16);
    o[3] = __shfl_down_sync(NTR_FULL_MASK, v, 3, 8);
    o[4] = __shfl_up_sync(NTR_FULL_MASK, v, 2);
    o[5] = (int)__ballot_sync(NTR_FULL_MASK, v % 3 == 0);
    o[6] = __any_sync(NTR_FULL_MASK, lane == 7 && v > 0) + 2 * __all_sync(NTR_FULL_MASK, v >= 0);
}
