// Host GEMM shared by the cuBLAS and cuDNN stand-ins of the emulated CUDA device.
//
// out(i, j) += sum_l A(i, l) * B(l, j), with A and B given as strided views (any transpose, any element type
// the stand-ins accept) and `out` column-major. Operands are packed into contiguous panels (converted to the
// accumulation type, optionally rounded to TF32 or bfloat16 as tensor cores would see them) and multiplied by
// an 8x4 (float) / 4x4 (double) register-blocked micro-kernel written with GCC vector extensions, so it
// vectorises at -O2 without -march flags. Deterministic: fixed summation order whatever the thread count.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

namespace ntr_standin {

/// Storage of a bfloat16 element (the upper 16 bits of an IEEE float).
struct Bf16 {
    uint16_t bits;
};

inline float bf16_to_float(Bf16 v)
{
    uint32_t u = static_cast<uint32_t>(v.bits) << 16;
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}

/// Round to nearest even, NaN kept quiet (what __float2bfloat16_rn does).
inline Bf16 float_to_bf16(float f)
{
    uint32_t u;
    std::memcpy(&u, &f, 4);
    if ((u & 0x7f800000u) == 0x7f800000u && (u & 0x007fffffu) != 0) {
        return Bf16{static_cast<uint16_t>((u >> 16) | 0x0040u)};
    }
    u += 0x7fffu + ((u >> 16) & 1u);
    return Bf16{static_cast<uint16_t>(u >> 16)};
}

/// TF32 keeps 10 explicit mantissa bits: round to nearest, ties away from zero (cvt.rna.tf32.f32).
inline float round_to_tf32(float f)
{
    uint32_t u;
    std::memcpy(&u, &f, 4);
    if ((u & 0x7f800000u) == 0x7f800000u) {
        return f;
    }
    u = (u + 0x1000u) & 0xffffe000u;
    std::memcpy(&f, &u, 4);
    return f;
}

/// Round to bfloat16 precision but keep float storage (CUBLAS_COMPUTE_32F_FAST_16BF inputs).
inline float round_to_bf16(float f) { return bf16_to_float(float_to_bf16(f)); }

/// How operand values are rounded before the multiply (what the tensor-core path of the real library does).
enum class InputRounding { None, Tf32, Bf16 };

/// Element (i, j) of a matrix is data[i * row_stride + j * col_stride].
template <class T>
struct StridedMatrix {
    const T* data;
    int64_t row_stride;
    int64_t col_stride;
};

template <class Acc, class T>
inline Acc to_acc(T v) { return static_cast<Acc>(v); }

template <>
inline float to_acc<float, Bf16>(Bf16 v) { return bf16_to_float(v); }

template <>
inline double to_acc<double, Bf16>(Bf16 v) { return bf16_to_float(v); }

template <class Acc>
inline Acc apply_rounding(Acc v, InputRounding r)
{
    if constexpr (sizeof(Acc) == 4) {
        if (r == InputRounding::Tf32) {
            return round_to_tf32(v);
        }
        if (r == InputRounding::Bf16) {
            return round_to_bf16(v);
        }
    }
    return v;
}

template <class Acc>
struct MicroKernel;

template <>
struct MicroKernel<float> {
    typedef float Vec __attribute__((vector_size(16)));
    static constexpr int Lanes = 4;
};

template <>
struct MicroKernel<double> {
    typedef double Vec __attribute__((vector_size(16)));
    static constexpr int Lanes = 2;
};

namespace detail {

constexpr int Nr = 4;
constexpr int Kc = 256;
constexpr int Mc = 128;
constexpr int Nc = 512;

template <class Acc>
constexpr int mr() { return 2 * MicroKernel<Acc>::Lanes; }

/// Rows [i0, i0+mc) x columns [l0, l0+kc) of A into panels of mr rows: panel[p][l][r], zero padded.
template <class Acc, class T>
void pack_a(StridedMatrix<T> a, int i0, int mc, int l0, int kc, InputRounding rounding, Acc* dst)
{
    constexpr int Mr = mr<Acc>();
    for (int p = 0; p < mc; p += Mr) {
        const int rows = std::min(Mr, mc - p);
        for (int l = 0; l < kc; l++) {
            Acc* out = dst + (static_cast<int64_t>(p) * kc) + static_cast<int64_t>(l) * Mr;
            const T* col = a.data + static_cast<int64_t>(l0 + l) * a.col_stride;
            for (int r = 0; r < rows; r++) {
                out[r] = apply_rounding(to_acc<Acc>(col[static_cast<int64_t>(i0 + p + r) * a.row_stride]), rounding);
            }
            for (int r = rows; r < Mr; r++) {
                out[r] = Acc(0);
            }
        }
    }
}

/// Rows [l0, l0+kc) x columns [j0, j0+nc) of B into panels of Nr columns: panel[q][l][c], zero padded.
template <class Acc, class T>
void pack_b(StridedMatrix<T> b, int l0, int kc, int j0, int nc, InputRounding rounding, Acc* dst)
{
    for (int q = 0; q < nc; q += Nr) {
        const int cols = std::min(Nr, nc - q);
        for (int l = 0; l < kc; l++) {
            Acc* out = dst + static_cast<int64_t>(q) * kc + static_cast<int64_t>(l) * Nr;
            const T* row = b.data + static_cast<int64_t>(l0 + l) * b.row_stride;
            for (int c = 0; c < cols; c++) {
                out[c] = apply_rounding(to_acc<Acc>(row[static_cast<int64_t>(j0 + q + c) * b.col_stride]), rounding);
            }
            for (int c = cols; c < Nr; c++) {
                out[c] = Acc(0);
            }
        }
    }
}

/// out[0..rows) x [0..cols) (column-major, leading dimension ldo) += Apanel (mr x kc) * Bpanel (kc x Nr).
template <class Acc>
void micro_kernel(int kc, const Acc* a, const Acc* b, Acc* out, int64_t ldo, int rows, int cols)
{
    using Vec = typename MicroKernel<Acc>::Vec;
    constexpr int L = MicroKernel<Acc>::Lanes;
    constexpr int Mr = 2 * L;
    Vec c00 = {}, c01 = {}, c10 = {}, c11 = {}, c20 = {}, c21 = {}, c30 = {}, c31 = {};
    for (int l = 0; l < kc; l++) {
        Vec a0, a1;
        std::memcpy(&a0, a + l * Mr, sizeof(Vec));
        std::memcpy(&a1, a + l * Mr + L, sizeof(Vec));
        const Acc* bl = b + l * Nr;
        const Acc b0 = bl[0], b1 = bl[1], b2 = bl[2], b3 = bl[3];
        c00 += a0 * b0;
        c01 += a1 * b0;
        c10 += a0 * b1;
        c11 += a1 * b1;
        c20 += a0 * b2;
        c21 += a1 * b2;
        c30 += a0 * b3;
        c31 += a1 * b3;
    }
    Acc tile[Nr][Mr];
    std::memcpy(&tile[0][0], &c00, sizeof(Vec));
    std::memcpy(&tile[0][L], &c01, sizeof(Vec));
    std::memcpy(&tile[1][0], &c10, sizeof(Vec));
    std::memcpy(&tile[1][L], &c11, sizeof(Vec));
    std::memcpy(&tile[2][0], &c20, sizeof(Vec));
    std::memcpy(&tile[2][L], &c21, sizeof(Vec));
    std::memcpy(&tile[3][0], &c30, sizeof(Vec));
    std::memcpy(&tile[3][L], &c31, sizeof(Vec));
    for (int j = 0; j < cols; j++) {
        Acc* o = out + static_cast<int64_t>(j) * ldo;
        for (int i = 0; i < rows; i++) {
            o[i] += tile[j][i];
        }
    }
}

}  // namespace detail

namespace detail {

/// Columns [j_begin, j_end) of out += A * B: the blocked loop nest, on the calling thread.
template <class Acc, class TA, class TB>
void gemm_columns(int m, int j_begin, int j_end, int k, StridedMatrix<TA> a, StridedMatrix<TB> b, InputRounding rounding, Acc* out, int64_t ldo)
{
    constexpr int Mr = mr<Acc>();
    thread_local std::vector<Acc> packed_a, packed_b;
    const int n = j_end - j_begin;
    const int mc_max = std::min(Mc, (m + Mr - 1) / Mr * Mr);
    const int nc_max = std::min(Nc, (n + Nr - 1) / Nr * Nr);
    const int kc_max = std::min(Kc, k);
    packed_a.resize(static_cast<size_t>(mc_max) * kc_max);
    packed_b.resize(static_cast<size_t>(nc_max) * kc_max);
    for (int j0 = j_begin; j0 < j_end; j0 += Nc) {
        const int nc = std::min(Nc, j_end - j0);
        for (int l0 = 0; l0 < k; l0 += Kc) {
            const int kc = std::min(Kc, k - l0);
            pack_b(b, l0, kc, j0, nc, rounding, packed_b.data());
            for (int i0 = 0; i0 < m; i0 += Mc) {
                const int mc = std::min(Mc, m - i0);
                pack_a(a, i0, mc, l0, kc, rounding, packed_a.data());
                for (int q = 0; q < nc; q += Nr) {
                    const Acc* bp = packed_b.data() + static_cast<int64_t>(q) * kc;
                    for (int p = 0; p < mc; p += Mr) {
                        const Acc* ap = packed_a.data() + static_cast<int64_t>(p) * kc;
                        Acc* o = out + (i0 + p) + static_cast<int64_t>(j0 + q) * ldo;
                        micro_kernel(kc, ap, bp, o, ldo, std::min(Mr, mc - p), std::min(Nr, nc - q));
                    }
                }
            }
        }
    }
}

/// Host threads for one GEMM: up to NTR_EMULATOR_GEMM_THREADS (default: the hardware's, at most 8), one per
/// 2^22 multiply-adds so small products stay on the calling thread.
inline int gemm_threads(int64_t multiply_adds)
{
    static const int limit = [] {
        const char* text = std::getenv("NTR_EMULATOR_GEMM_THREADS");
        const int configured = text != nullptr ? std::atoi(text) : 0;
        const int hardware = static_cast<int>(std::thread::hardware_concurrency());
        return std::max(1, configured > 0 ? configured : std::min(8, hardware));
    }();
    return static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(limit, multiply_adds >> 22)));
}

}  // namespace detail

/// out (m x n, column-major, leading dimension ldo) += A (m x k) * B (k x n). Large products are split by columns
/// over a few host threads; every element is summed by one thread in the same order, so the result does not
/// depend on the thread count.
template <class Acc, class TA, class TB>
void gemm_accumulate(int m, int n, int k, StridedMatrix<TA> a, StridedMatrix<TB> b, InputRounding rounding, Acc* out, int64_t ldo)
{
    using namespace detail;
    if (m <= 0 || n <= 0 || k <= 0) {
        return;
    }
    const int threads = std::min(gemm_threads(static_cast<int64_t>(m) * n * k), (n + Nr - 1) / Nr);
    if (threads <= 1) {
        gemm_columns(m, 0, n, k, a, b, rounding, out, ldo);
        return;
    }
    // column ranges in whole Nr panels
    const int panels = (n + Nr - 1) / Nr;
    std::vector<std::thread> workers;
    int begin = 0;
    for (int t = 0; t < threads; t++) {
        const int end = std::min(n, (panels * (t + 1) / threads) * Nr);
        if (t == threads - 1) {
            gemm_columns(m, begin, n, k, a, b, rounding, out, ldo);
        } else if (end > begin) {
            workers.emplace_back([=] { gemm_columns(m, begin, end, k, a, b, rounding, out, ldo); });
        }
        begin = std::max(begin, end);
    }
    for (auto& w : workers) {
        w.join();
    }
}

}  // namespace ntr_standin
