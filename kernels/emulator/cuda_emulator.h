// The CUDA device environment for kernels/*.cu compiled as host C++ (g++ -x c++ -include cuda_emulator.h).
// Every GPU thread of a block is a fibre on one host thread (kernels/emulator/block_scheduler.cpp): threadIdx is
// switched with the fibre, blockIdx/blockDim/gridDim are per block, `__shared__` variables are `static
// thread_local` (one copy per host thread, which runs one block at a time), and the synchronising primitives
// (__syncthreads, shuffles, votes) call into the scheduler. Nothing here is used by nvcc or NVRTC.
#pragma once

#define NTR_EMULATED 1

#include <cstdint>
#include <cstring>
#include <math.h>

struct uint3 {
    unsigned int x, y, z;
};

struct dim3 {
    unsigned int x, y, z;
};

// Dynamic TLS model (the library is loaded with dlopen and its `__shared__` arrays are too large for static TLS);
// the build uses TLS descriptors (-mtls-dialect=gnu2), which make these accesses cheap.
extern thread_local uint3 threadIdx;
extern thread_local uint3 blockIdx;
extern thread_local dim3 blockDim;
extern thread_local dim3 gridDim;

constexpr int warpSize = 32;

// Declaration specifiers. The kernel scan (CMake, -DNTR_EMULATOR_SCAN) keeps a marker for __global__ so that the
// generated registration finds every kernel after macro expansion.
#ifdef NTR_EMULATOR_SCAN
#define __global__ ntr_emulator_kernel_marker
#else
#define __global__
#endif
#define __device__
#define __host__
#define __forceinline__ inline __attribute__((always_inline))
#define __align__(n) __attribute__((aligned(n)))
#define __launch_bounds__(...)
#define __shared__ static thread_local

namespace ntr_emu {

// Implemented by the emulator runtime (block_scheduler.cpp). All of them report misuse (barrier divergence,
// shuffles over exited lanes or lanes outside the mask) to the launch, which fails with the kernel's name.
void syncthreads();
unsigned long long warp_shuffle(unsigned int mask, unsigned long long value, int mode, int operand, int width);
unsigned int warp_vote(unsigned int mask, int predicate, int mode);
unsigned char* dynamic_shared_memory();

enum ShuffleMode { ShuffleIndex = 0, ShuffleXor = 1, ShuffleDown = 2, ShuffleUp = 3 };
enum VoteMode { VoteBallot = 0, VoteAny = 1, VoteAll = 2 };

template <typename T>
inline T shuffle(unsigned int mask, T value, int mode, int operand, int width) {
    static_assert(sizeof(T) <= 8, "shuffles exchange at most 8 bytes");
    unsigned long long bits = 0;
    std::memcpy(&bits, &value, sizeof(T));
    bits = warp_shuffle(mask, bits, mode, operand, width);
    T out;
    std::memcpy(&out, &bits, sizeof(T));
    return out;
}

template <typename To, typename From>
inline To bit_cast(From v) {
    static_assert(sizeof(To) == sizeof(From), "bit_cast needs equal sizes");
    To out;
    std::memcpy(&out, &v, sizeof(To));
    return out;
}

}  // namespace ntr_emu

inline void __syncthreads() { ntr_emu::syncthreads(); }
inline void __syncwarp(unsigned int mask = 0xffffffffu) { ntr_emu::warp_vote(mask, 1, ntr_emu::VoteAll); }

template <typename T>
inline T __shfl_sync(unsigned int mask, T v, int srcLane, int width = 32) { return ntr_emu::shuffle(mask, v, ntr_emu::ShuffleIndex, srcLane, width); }
template <typename T>
inline T __shfl_xor_sync(unsigned int mask, T v, int laneMask, int width = 32) { return ntr_emu::shuffle(mask, v, ntr_emu::ShuffleXor, laneMask, width); }
template <typename T>
inline T __shfl_down_sync(unsigned int mask, T v, unsigned int delta, int width = 32) { return ntr_emu::shuffle(mask, v, ntr_emu::ShuffleDown, (int)delta, width); }
template <typename T>
inline T __shfl_up_sync(unsigned int mask, T v, unsigned int delta, int width = 32) { return ntr_emu::shuffle(mask, v, ntr_emu::ShuffleUp, (int)delta, width); }

inline unsigned int __ballot_sync(unsigned int mask, int predicate) { return ntr_emu::warp_vote(mask, predicate, ntr_emu::VoteBallot); }
inline int __any_sync(unsigned int mask, int predicate) { return (int)ntr_emu::warp_vote(mask, predicate, ntr_emu::VoteAny); }
inline int __all_sync(unsigned int mask, int predicate) { return (int)ntr_emu::warp_vote(mask, predicate, ntr_emu::VoteAll); }

// Atomics: blocks run in parallel on host threads, so these are real host atomics; the fibres of one block
// never interleave inside one of them.
inline int atomicAdd(int* a, int v) { return __atomic_fetch_add(a, v, __ATOMIC_SEQ_CST); }
inline unsigned int atomicAdd(unsigned int* a, unsigned int v) { return __atomic_fetch_add(a, v, __ATOMIC_SEQ_CST); }
inline unsigned long long atomicAdd(unsigned long long* a, unsigned long long v) { return __atomic_fetch_add(a, v, __ATOMIC_SEQ_CST); }
template <typename F, typename Bits>
inline F ntr_emu_atomic_float_add(F* a, F v) {
    Bits* p = reinterpret_cast<Bits*>(a);
    Bits old = __atomic_load_n(p, __ATOMIC_SEQ_CST);
    for (;;) {
        const F sum = ntr_emu::bit_cast<F>(old) + v;
        if (__atomic_compare_exchange_n(p, &old, ntr_emu::bit_cast<Bits>(sum), false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) return ntr_emu::bit_cast<F>(old);
    }
}
inline float atomicAdd(float* a, float v) { return ntr_emu_atomic_float_add<float, unsigned int>(a, v); }
inline double atomicAdd(double* a, double v) { return ntr_emu_atomic_float_add<double, unsigned long long>(a, v); }
inline int atomicMax(int* a, int v) {
    int old = __atomic_load_n(a, __ATOMIC_SEQ_CST);
    while (old < v && !__atomic_compare_exchange_n(a, &old, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
    }
    return old;
}
inline int atomicMin(int* a, int v) {
    int old = __atomic_load_n(a, __ATOMIC_SEQ_CST);
    while (old > v && !__atomic_compare_exchange_n(a, &old, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
    }
    return old;
}
inline int atomicCAS(int* a, int compare, int v) {
    __atomic_compare_exchange_n(a, &compare, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    return compare;
}
inline unsigned int atomicCAS(unsigned int* a, unsigned int compare, unsigned int v) {
    __atomic_compare_exchange_n(a, &compare, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    return compare;
}
inline unsigned long long atomicCAS(unsigned long long* a, unsigned long long compare, unsigned long long v) {
    __atomic_compare_exchange_n(a, &compare, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    return compare;
}
inline int atomicExch(int* a, int v) { return __atomic_exchange_n(a, v, __ATOMIC_SEQ_CST); }
inline void __threadfence() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
inline void __threadfence_block() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }

// Device math. The _rn intrinsics are single IEEE operations; the emulator is compiled with -ffp-contract=off
// (and without FMA instructions), so none of them is fused with a neighbour.
inline float __fadd_rn(float a, float b) { return a + b; }
inline float __fsub_rn(float a, float b) { return a - b; }
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fdiv_rn(float a, float b) { return a / b; }
inline float __fsqrt_rn(float a) { return sqrtf(a); }
inline float __frcp_rn(float a) { return 1.0f / a; }
inline double __dadd_rn(double a, double b) { return a + b; }
inline double __dsub_rn(double a, double b) { return a - b; }
inline double __dmul_rn(double a, double b) { return a * b; }
inline double __ddiv_rn(double a, double b) { return a / b; }
inline double __dsqrt_rn(double a) { return sqrt(a); }
inline double __drcp_rn(double a) { return 1.0 / a; }
inline float __fmaf_rn(float a, float b, float c) { return fmaf(a, b, c); }
inline double __fma_rn(double a, double b, double c) { return fma(a, b, c); }
inline float __expf(float x) { return expf(x); }
inline float __logf(float x) { return logf(x); }
inline float __sinf(float x) { return sinf(x); }
inline float __cosf(float x) { return cosf(x); }
inline float __powf(float x, float y) { return powf(x, y); }
inline float __fdividef(float a, float b) { return a / b; }
inline float __saturatef(float x) { return x < 0.0f ? 0.0f : (x > 1.0f ? 1.0f : x); }
inline float rsqrtf(float x) { return 1.0f / sqrtf(x); }
inline double rsqrt(double x) { return 1.0 / sqrt(x); }
inline float __double2float_rn(double x) { return (float)x; }
inline float __int_as_float(int x) { return ntr_emu::bit_cast<float>(x); }
inline float __uint_as_float(unsigned int x) { return ntr_emu::bit_cast<float>(x); }
inline int __float_as_int(float x) { return ntr_emu::bit_cast<int>(x); }
inline unsigned int __float_as_uint(float x) { return ntr_emu::bit_cast<unsigned int>(x); }
inline double __longlong_as_double(long long x) { return ntr_emu::bit_cast<double>(x); }
inline long long __double_as_longlong(double x) { return ntr_emu::bit_cast<long long>(x); }
inline unsigned int __umulhi(unsigned int a, unsigned int b) { return (unsigned int)(((unsigned long long)a * b) >> 32); }
inline unsigned long long __umul64hi(unsigned long long a, unsigned long long b) { return (unsigned long long)(((unsigned __int128)a * b) >> 64); }
inline int __popc(unsigned int x) { return __builtin_popcount(x); }
inline int __clz(int x) { return x == 0 ? 32 : __builtin_clz((unsigned int)x); }
inline int __ffs(int x) { return __builtin_ffs(x); }
