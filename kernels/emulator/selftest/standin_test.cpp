// Self-test of the cuBLAS/cuDNN stand-ins: every GEMM and convolution against naive loops written here (in
// double), the convolution adjoint identities, workspace and descriptor rules, and the documented error statuses.
// Prints the number of cases and the largest errors; exits 1 on the first category that fails.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "../standin_api.h"

using namespace ntr_standin;

// ---- a device memory map standing in for the emulator core's (the stand-ins reference these weakly) ----

namespace {
struct DeviceBuffer {
    uint64_t start;
    size_t bytes;
};
bool g_map_enabled = false;
std::vector<DeviceBuffer> g_buffers;
std::string g_last_error;
}  // namespace

namespace ntr_emu {
bool device_range_valid(uint64_t pointer, size_t bytes, std::string& why)
{
    if (!g_map_enabled) {
        return true;
    }
    for (const DeviceBuffer& b : g_buffers) {
        if (pointer >= b.start && pointer + bytes <= b.start + b.bytes) {
            return true;
        }
    }
    why = "outside the test's buffers";
    return false;
}

void set_last_error(const std::string& message) { g_last_error = message; }
}  // namespace ntr_emu

// ---- a stream standing in for the emulator core's: runs work at once, or records it while "capturing" ----

namespace {
bool g_capturing = false;
std::vector<std::function<int()>> g_graph;
void* g_last_stream = nullptr;
void* const g_refusing_stream = reinterpret_cast<void*>(0xdead);
}  // namespace

namespace ntr_emu {
int enqueue_on_stream(void* stream, std::function<int()> work)
{
    g_last_stream = stream;
    if (stream == g_refusing_stream) {
        return 400;  // CUDA_ERROR_INVALID_HANDLE
    }
    if (g_capturing) {
        g_graph.push_back(std::move(work));
        return 0;
    }
    return work();
}
}  // namespace ntr_emu

namespace {

int g_failures = 0;
int g_checks = 0;

void expect(bool ok, const std::string& what)
{
    g_checks++;
    if (!ok) {
        g_failures++;
        if (g_failures <= 40) {
            std::printf("FAIL: %s\n", what.c_str());
        }
    }
}

void expect_status(int got, int want, const std::string& what)
{
    expect(got == want, what + " (status " + std::to_string(got) + ", expected " + std::to_string(want) + ")");
}

std::mt19937_64 rng(12345);

double uniform(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); }

int uniform_int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }

// ---- independent roundings (frexp/ldexp, not bit tricks) ----

/// 11 significant bits, ties away from zero (cvt.rna.tf32.f32).
double reference_tf32(float x)
{
    if (x == 0.0f) {
        return 0.0;
    }
    int e;
    const double m = std::frexp(static_cast<double>(x), &e);
    return std::ldexp(std::round(m * 2048.0), e - 11);
}

/// 8 significant bits, ties to even.
double reference_bf16(double x)
{
    if (x == 0.0) {
        return 0.0;
    }
    int e;
    const double m = std::frexp(x, &e);
    return std::ldexp(std::nearbyint(m * 256.0), e - 8);
}

uint16_t to_bf16_bits(double x)
{
    const float f = static_cast<float>(reference_bf16(x));
    uint32_t u;
    std::memcpy(&u, &f, 4);
    return static_cast<uint16_t>(u >> 16);
}

double from_bf16_bits(uint16_t b)
{
    const uint32_t u = static_cast<uint32_t>(b) << 16;
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}

struct MaxError {
    double value = 0;
    void add(double e) { value = std::max(value, e); }
};

// ====================================================================================== cuBLAS

enum class Flavour { Float, FloatTf32Compute, FloatTf32MathMode, FloatPedanticWithTf32Mode, Double, Bf16ToBf16, Bf16ToFloat };

const char* name(Flavour f)
{
    switch (f) {
    case Flavour::Float: return "32F";
    case Flavour::FloatTf32Compute: return "32F_FAST_TF32";
    case Flavour::FloatTf32MathMode: return "32F+TF32_TENSOR_OP_MATH";
    case Flavour::FloatPedanticWithTf32Mode: return "32F_PEDANTIC+TF32_TENSOR_OP_MATH";
    case Flavour::Double: return "64F";
    case Flavour::Bf16ToBf16: return "16BF->16BF";
    default: return "16BF->32F";
    }
}

struct GemmStats {
    int cases = 0;
    MaxError err[7];
    int tf32_visible = 0;  // cases where TF32 rounding moved the result beyond fp32 error
};

/// Runs one (strided batched) GEMM of the given flavour against a naive double loop.
void gemm_case(void* handle, Flavour f, int ta, int tb, int m, int n, int k, int batch, bool strided_gaps, bool beta_zero, GemmStats& stats)
{
    const int rowsA = ta == CUBLAS_OP_N ? m : k, colsA = ta == CUBLAS_OP_N ? k : m;
    const int rowsB = tb == CUBLAS_OP_N ? k : n, colsB = tb == CUBLAS_OP_N ? n : k;
    const int lda = std::max(1, rowsA) + (strided_gaps ? uniform_int(0, 3) : 0);
    const int ldb = std::max(1, rowsB) + (strided_gaps ? uniform_int(0, 3) : 0);
    const int ldc = std::max(1, m) + (strided_gaps ? uniform_int(0, 3) : 0);
    const long long strideA = static_cast<long long>(lda) * colsA + (strided_gaps ? 5 : 0);
    const long long strideB = static_cast<long long>(ldb) * colsB + (strided_gaps ? 3 : 0);
    const long long strideC = static_cast<long long>(ldc) * n + (strided_gaps ? 7 : 0);
    const size_t sizeA = static_cast<size_t>(strideA) * batch, sizeB = static_cast<size_t>(strideB) * batch, sizeC = static_cast<size_t>(strideC) * batch;

    const bool is_double = f == Flavour::Double;
    const bool bf16_in = f == Flavour::Bf16ToBf16 || f == Flavour::Bf16ToFloat;
    const bool bf16_out = f == Flavour::Bf16ToBf16;
    const bool tf32 = f == Flavour::FloatTf32Compute || f == Flavour::FloatTf32MathMode;

    // values as the library sees them (double copies for the reference)
    std::vector<double> va(sizeA), vb(sizeB), vc(sizeC);
    std::vector<float> fa(sizeA), fb(sizeB), fc(sizeC);
    std::vector<double> da(sizeA), db(sizeB), dc(sizeC);
    std::vector<uint16_t> ha(sizeA), hb(sizeB), hc(sizeC);
    const double sentinel = 12345.0;
    for (size_t i = 0; i < sizeA; i++) {
        double v = uniform(-1, 1);
        if (bf16_in) { ha[i] = to_bf16_bits(v); v = from_bf16_bits(ha[i]); }
        else if (is_double) { da[i] = v; }
        else { fa[i] = static_cast<float>(v); v = fa[i]; }
        va[i] = v;
    }
    for (size_t i = 0; i < sizeB; i++) {
        double v = uniform(-1, 1);
        if (bf16_in) { hb[i] = to_bf16_bits(v); v = from_bf16_bits(hb[i]); }
        else if (is_double) { db[i] = v; }
        else { fb[i] = static_cast<float>(v); v = fb[i]; }
        vb[i] = v;
    }
    for (size_t i = 0; i < sizeC; i++) {
        double v = beta_zero ? std::numeric_limits<double>::quiet_NaN() : uniform(-1, 1);
        // elements outside every batch's m x n window keep a sentinel that must survive
        const size_t in_batch = i % static_cast<size_t>(strideC);
        const bool inside = in_batch < static_cast<size_t>(ldc) * n && static_cast<int>(in_batch % ldc) < m;
        if (!inside) {
            v = sentinel;
        }
        if (bf16_out) { hc[i] = to_bf16_bits(v); v = from_bf16_bits(hc[i]); }
        else if (is_double) { dc[i] = v; }
        else { fc[i] = static_cast<float>(v); v = fc[i]; }
        vc[i] = v;
    }
    const double alpha = uniform(0.5, 1.5) * (uniform_int(0, 1) ? 1 : -1);
    const double beta = beta_zero ? 0.0 : uniform(-1, 1);
    const float alpha_f = static_cast<float>(alpha), beta_f = static_cast<float>(beta);

    int aType = CUDA_R_32F, cType = CUDA_R_32F, compute = CUBLAS_COMPUTE_32F, math = CUBLAS_DEFAULT_MATH;
    switch (f) {
    case Flavour::FloatTf32Compute: compute = CUBLAS_COMPUTE_32F_FAST_TF32; break;
    case Flavour::FloatTf32MathMode: math = CUBLAS_TF32_TENSOR_OP_MATH; break;
    case Flavour::FloatPedanticWithTf32Mode: compute = CUBLAS_COMPUTE_32F_PEDANTIC; math = CUBLAS_TF32_TENSOR_OP_MATH; break;
    case Flavour::Double: aType = cType = CUDA_R_64F; compute = CUBLAS_COMPUTE_64F; break;
    case Flavour::Bf16ToBf16: aType = cType = CUDA_R_16BF; break;
    case Flavour::Bf16ToFloat: aType = CUDA_R_16BF; break;
    default: break;
    }
    expect_status(cublasSetMathMode(handle, math), CUBLAS_STATUS_SUCCESS, "cublasSetMathMode");
    const void* pa = bf16_in ? static_cast<const void*>(ha.data()) : is_double ? static_cast<const void*>(da.data()) : fa.data();
    const void* pb = bf16_in ? static_cast<const void*>(hb.data()) : is_double ? static_cast<const void*>(db.data()) : fb.data();
    void* pc = bf16_out ? static_cast<void*>(hc.data()) : is_double ? static_cast<void*>(dc.data()) : fc.data();
    const void* palpha = is_double ? static_cast<const void*>(&alpha) : &alpha_f;
    const void* pbeta = is_double ? static_cast<const void*>(&beta) : &beta_f;
    int status;
    if (batch == 1 && !strided_gaps) {
        status = cublasGemmEx(handle, ta, tb, m, n, k, palpha, pa, aType, lda, pb, aType, ldb, pbeta, pc, cType, ldc, compute, CUBLAS_GEMM_DEFAULT);
    } else {
        status = cublasGemmStridedBatchedEx(handle, ta, tb, m, n, k, palpha, pa, aType, lda, strideA, pb, aType, ldb, strideB, pbeta, pc, cType,
            ldc, strideC, batch, compute, CUBLAS_GEMM_DEFAULT);
    }
    const std::string label = std::string(name(f)) + " op(" + std::to_string(ta) + "," + std::to_string(tb) + ") m=" + std::to_string(m)
        + " n=" + std::to_string(n) + " k=" + std::to_string(k) + " batch=" + std::to_string(batch);
    expect_status(status, CUBLAS_STATUS_SUCCESS, "GEMM " + label);
    stats.cases++;

    auto in_a = [&](double v) { return tf32 ? reference_tf32(static_cast<float>(v)) : v; };
    double worst = 0;
    bool tf32_moved = false;
    bool sentinel_ok = true;
    for (int bi = 0; bi < batch; bi++) {
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < m; i++) {
                double sum = 0, sum_exact = 0, magnitude = 0;
                for (int l = 0; l < k; l++) {
                    const size_t ia = bi * strideA + (ta == CUBLAS_OP_N ? i + static_cast<size_t>(l) * lda : l + static_cast<size_t>(i) * lda);
                    const size_t ib = bi * strideB + (tb == CUBLAS_OP_N ? l + static_cast<size_t>(j) * ldb : j + static_cast<size_t>(l) * ldb);
                    sum += in_a(va[ia]) * in_a(vb[ib]);
                    sum_exact += va[ia] * vb[ib];
                    magnitude += std::fabs(va[ia] * vb[ib]);
                }
                const size_t ic = bi * strideC + i + static_cast<size_t>(j) * ldc;
                const double c0 = vc[ic];
                const double want = alpha * sum + (beta_zero ? 0.0 : beta * c0);
                const double scale = std::fabs(alpha) * magnitude + (beta_zero ? 0.0 : std::fabs(beta * c0)) + 1e-30;
                const double got = bf16_out ? from_bf16_bits(hc[ic]) : is_double ? dc[ic] : fc[ic];
                const double rel = std::isfinite(got) ? std::fabs(got - want) / scale : INFINITY;
                worst = std::max(worst, rel);
                if (tf32 && std::fabs(got - (alpha * sum_exact + (beta_zero ? 0.0 : beta * c0))) / scale > 1e-5) {
                    tf32_moved = true;
                }
            }
        }
    }
    for (size_t i = 0; i < sizeC; i++) {
        const size_t in_batch = i % static_cast<size_t>(strideC);
        const bool inside = in_batch < static_cast<size_t>(ldc) * n && static_cast<int>(in_batch % ldc) < m && i / strideC < static_cast<size_t>(batch);
        const double got = bf16_out ? from_bf16_bits(hc[i]) : is_double ? dc[i] : fc[i];
        if (!inside && got != sentinel && !(bf16_out && got == from_bf16_bits(to_bf16_bits(sentinel)))) {
            sentinel_ok = false;
        }
    }
    // fp32 accumulation: k products, each with a relative error of 2^-24, plus the output rounding
    const double tol = is_double ? 1e-14 * (k + 2) : bf16_out ? 5e-3 : 1.2e-7 * (k + 4);
    expect(worst <= tol, "GEMM error " + label + ": " + std::to_string(worst) + " > " + std::to_string(tol));
    expect(sentinel_ok, "GEMM wrote outside C's m x n windows " + label);
    stats.err[static_cast<int>(f)].add(worst);
    if (tf32_moved) {
        stats.tf32_visible++;
    }
}

void test_cublas()
{
    void* handle = nullptr;
    expect_status(cublasCreate_v2(&handle), CUBLAS_STATUS_SUCCESS, "cublasCreate_v2");
    int version = 0;
    expect_status(cublasGetVersion_v2(handle, &version), CUBLAS_STATUS_SUCCESS, "cublasGetVersion_v2");
    expect(version / 10000 == 13, "cuBLAS major version 13");
    expect_status(cublasSetStream_v2(handle, reinterpret_cast<void*>(0x10)), CUBLAS_STATUS_SUCCESS, "cublasSetStream_v2");
    void* ws = std::aligned_alloc(256, 1 << 16);
    expect_status(cublasSetWorkspace_v2(handle, ws, 1 << 16), CUBLAS_STATUS_SUCCESS, "cublasSetWorkspace_v2 aligned");
    expect_status(cublasSetWorkspace_v2(handle, static_cast<char*>(ws) + 64, 1024), CUBLAS_STATUS_INVALID_VALUE, "cublasSetWorkspace_v2 misaligned");

    GemmStats stats;
    const Flavour flavours[] = {Flavour::Float, Flavour::FloatTf32Compute, Flavour::FloatTf32MathMode, Flavour::FloatPedanticWithTf32Mode,
        Flavour::Double, Flavour::Bf16ToBf16, Flavour::Bf16ToFloat};
    const int ops[] = {CUBLAS_OP_N, CUBLAS_OP_T, CUBLAS_OP_C};
    int tf32_cases = 0;
    for (Flavour f : flavours) {
        for (int ta : ops) {
            for (int tb : ops) {
                gemm_case(handle, f, ta, tb, uniform_int(1, 40), uniform_int(1, 40), uniform_int(1, 60), 1, false, false, stats);
                gemm_case(handle, f, ta, tb, uniform_int(1, 20), uniform_int(1, 20), uniform_int(1, 30), 3, true, uniform_int(0, 1) == 0, stats);
                if (f == Flavour::FloatTf32Compute || f == Flavour::FloatTf32MathMode) {
                    tf32_cases += 2;
                }
            }
        }
        // shapes crossing every block boundary of the host GEMM (Mc = 128, Kc = 256, Nc = 512, Mr = 8/4, Nr = 4)
        gemm_case(handle, f, CUBLAS_OP_N, CUBLAS_OP_T, 137, 515, 263, 1, false, false, stats);
        gemm_case(handle, f, CUBLAS_OP_T, CUBLAS_OP_N, 129, 9, 300, 2, true, true, stats);
        if (f == Flavour::FloatTf32Compute || f == Flavour::FloatTf32MathMode) {
            tf32_cases += 2;
        }
    }
    expect(stats.tf32_visible * 2 >= tf32_cases, "TF32 rounding changes results visibly (" + std::to_string(stats.tf32_visible) + " of "
        + std::to_string(tf32_cases) + " cases)");
    std::printf("cuBLAS GEMM: %d cases (transposes N/T/C, batched with strides and gaps, beta 0 over NaN)\n", stats.cases);
    for (Flavour f : flavours) {
        std::printf("  %-34s max error %.3g (relative to sum |terms|)\n", name(f), stats.err[static_cast<int>(f)].value);
    }
    std::printf("  TF32 visibly changed %d of %d TF32 cases\n", stats.tf32_visible, tf32_cases);

    // ---- edge cases that must succeed ----
    {
        expect_status(cublasSetMathMode(handle, CUBLAS_DEFAULT_MATH), CUBLAS_STATUS_SUCCESS, "math default");
        float a[4] = {1, 2, 3, 4}, b[4] = {1, 0, 0, 1}, c[4] = {1, 1, 1, 1};
        const float one = 1, two = 2;
        // k = 0: C = beta * C
        expect_status(cublasGemmEx(handle, CUBLAS_OP_N, CUBLAS_OP_N, 2, 2, 0, &one, a, CUDA_R_32F, 2, b, CUDA_R_32F, 1, &two, c, CUDA_R_32F, 2,
                          CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT), CUBLAS_STATUS_SUCCESS, "k = 0");
        expect(c[0] == 2 && c[3] == 2, "k = 0 scales C by beta");
        // m = 0: nothing touched, any pointers
        expect_status(cublasGemmEx(handle, CUBLAS_OP_N, CUBLAS_OP_N, 0, 2, 2, &one, nullptr, CUDA_R_32F, 1, b, CUDA_R_32F, 2, &two, nullptr,
                          CUDA_R_32F, 1, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT), CUBLAS_STATUS_SUCCESS, "m = 0");
        expect_status(cublasGemmStridedBatchedEx(handle, CUBLAS_OP_N, CUBLAS_OP_N, 2, 2, 2, &one, a, CUDA_R_32F, 2, 4, b, CUDA_R_32F, 2, 4, &two, c,
                          CUDA_R_32F, 2, 4, 0, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT), CUBLAS_STATUS_SUCCESS, "batchCount = 0");
    }

    // ---- documented error statuses ----
    {
        float a[64] = {}, b[64] = {}, c[64] = {};
        const float one = 1;
        const double oned = 1;
        auto gemm = [&](void* h, int ta, int tb, int m, int n, int k, int lda, int ldb, int ldc, int at, int bt, int ct, int compute, int algo,
                        const void* alpha) {
            return cublasGemmEx(h, ta, tb, m, n, k, alpha, a, at, lda, b, bt, ldb, &one, c, ct, ldc, compute, algo);
        };
        const int F = CUDA_R_32F, C32 = CUBLAS_COMPUTE_32F, D = CUBLAS_GEMM_DEFAULT;
        expect_status(gemm(nullptr, 0, 0, 2, 2, 2, 2, 2, 2, F, F, F, C32, D, &one), CUBLAS_STATUS_NOT_INITIALIZED, "null handle");
        expect_status(gemm(handle, 0, 0, -1, 2, 2, 2, 2, 2, F, F, F, C32, D, &one), CUBLAS_STATUS_INVALID_VALUE, "m < 0");
        expect_status(gemm(handle, 0, 0, 2, -1, 2, 2, 2, 2, F, F, F, C32, D, &one), CUBLAS_STATUS_INVALID_VALUE, "n < 0");
        expect_status(gemm(handle, 0, 0, 2, 2, -1, 2, 2, 2, F, F, F, C32, D, &one), CUBLAS_STATUS_INVALID_VALUE, "k < 0");
        expect_status(gemm(handle, 3, 0, 2, 2, 2, 2, 2, 2, F, F, F, C32, D, &one), CUBLAS_STATUS_INVALID_VALUE, "transa invalid");
        expect_status(gemm(handle, 0, 0, 4, 2, 3, 3, 3, 4, F, F, F, C32, D, &one), CUBLAS_STATUS_INVALID_VALUE, "lda < m (N)");
        expect(g_last_error.find("cublasGemmEx: lda = 3 < max(1, 4)") == 0, "message names lda: " + g_last_error);
        expect_status(gemm(handle, 1, 0, 4, 2, 3, 2, 3, 4, F, F, F, C32, D, &one), CUBLAS_STATUS_INVALID_VALUE, "lda < k (T)");
        expect_status(gemm(handle, 1, 0, 4, 2, 3, 3, 3, 4, F, F, F, C32, D, &one), CUBLAS_STATUS_SUCCESS, "lda = k (T) is enough");
        expect_status(gemm(handle, 0, 0, 4, 2, 3, 4, 2, 4, F, F, F, C32, D, &one), CUBLAS_STATUS_INVALID_VALUE, "ldb < k (N)");
        expect_status(gemm(handle, 0, 1, 4, 5, 3, 4, 4, 4, F, F, F, C32, D, &one), CUBLAS_STATUS_INVALID_VALUE, "ldb < n (T)");
        expect_status(gemm(handle, 0, 0, 4, 2, 3, 4, 3, 3, F, F, F, C32, D, &one), CUBLAS_STATUS_INVALID_VALUE, "ldc < m");
        expect_status(gemm(handle, 0, 0, 1, 1, 1, 0, 1, 1, F, F, F, C32, D, &one), CUBLAS_STATUS_INVALID_VALUE, "lda = 0 < max(1, m)");
        expect_status(gemm(handle, 0, 0, 2, 2, 2, 2, 2, 2, F, F, F, C32, D, nullptr), CUBLAS_STATUS_INVALID_VALUE, "alpha NULL");
        expect_status(gemm(handle, 0, 0, 2, 2, 2, 2, 2, 2, F, F, F, 12345, D, &one), CUBLAS_STATUS_INVALID_VALUE, "unknown compute type");
        expect_status(gemm(handle, 0, 0, 2, 2, 2, 2, 2, 2, F, F, F, C32, 57, &one), CUBLAS_STATUS_INVALID_VALUE, "unknown algo");
        expect_status(gemm(handle, 0, 0, 2, 2, 2, 2, 2, 2, F, CUDA_R_64F, F, C32, D, &one), CUBLAS_STATUS_NOT_SUPPORTED, "A 32F with B 64F");
        expect_status(gemm(handle, 0, 0, 2, 2, 2, 2, 2, 2, F, F, F, CUBLAS_COMPUTE_64F, D, &oned), CUBLAS_STATUS_NOT_SUPPORTED, "32F data, 64F compute");
        expect_status(gemm(handle, 0, 0, 2, 2, 2, 2, 2, 2, F, F, F, CUBLAS_COMPUTE_32I, D, &one), CUBLAS_STATUS_NOT_SUPPORTED, "32F data, 32I compute");
        expect_status(cublasGemmStridedBatchedEx(handle, 0, 0, 2, 2, 2, &one, a, F, 2, 4, b, F, 2, 4, &one, c, F, 2, 4, -1, C32, D),
            CUBLAS_STATUS_INVALID_VALUE, "batchCount < 0");
        expect_status(cublasSetMathMode(handle, 7), CUBLAS_STATUS_INVALID_VALUE, "math mode 7");
        expect_status(cublasSetMathMode(handle, CUBLAS_TF32_TENSOR_OP_MATH | CUBLAS_MATH_DISALLOW_REDUCED_PRECISION_REDUCTION),
            CUBLAS_STATUS_SUCCESS, "math mode TF32 | DISALLOW_REDUCED_PRECISION_REDUCTION");
        expect_status(cublasGetVersion_v2(handle, nullptr), CUBLAS_STATUS_NOT_INITIALIZED, "GetVersion NULL");
        expect_status(cublasCreate_v2(nullptr), CUBLAS_STATUS_INVALID_VALUE, "cublasCreate_v2(NULL)");
    }
    expect_status(cublasDestroy_v2(handle), CUBLAS_STATUS_SUCCESS, "cublasDestroy_v2");
    expect_status(cublasDestroy_v2(handle), CUBLAS_STATUS_NOT_INITIALIZED, "destroy twice");
    float one = 1, a = 1, b = 1, c = 1;
    expect_status(cublasGemmEx(handle, 0, 0, 1, 1, 1, &one, &a, CUDA_R_32F, 1, &b, CUDA_R_32F, 1, &one, &c, CUDA_R_32F, 1, CUBLAS_COMPUTE_32F,
                      CUBLAS_GEMM_DEFAULT), CUBLAS_STATUS_NOT_INITIALIZED, "GEMM on a destroyed handle");
    expect_status(cublasSetStream_v2(nullptr, nullptr), CUBLAS_STATUS_NOT_INITIALIZED, "SetStream null handle");
    std::free(ws);
}

// ====================================================================================== cuDNN

struct Geometry {
    int n, c, h, w, k, r, s, pad_h, pad_w, stride_h, stride_w, dil_h, dil_w, mode;
    int p() const { return 1 + (h + 2 * pad_h - ((r - 1) * dil_h + 1)) / stride_h; }
    int q() const { return 1 + (w + 2 * pad_w - ((s - 1) * dil_w + 1)) / stride_w; }
};

/// Naive loops: the input position (or -1) that output (op, oq) reads through tap (r, s).
struct Taps {
    const Geometry& g;
    int row(int op, int r) const
    {
        const int rr = g.mode == CUDNN_CONVOLUTION ? g.r - 1 - r : r;
        const int ih = op * g.stride_h - g.pad_h + rr * g.dil_h;
        return ih >= 0 && ih < g.h ? ih : -1;
    }
    int col(int oq, int s) const
    {
        const int ss = g.mode == CUDNN_CONVOLUTION ? g.s - 1 - s : s;
        const int iw = oq * g.stride_w - g.pad_w + ss * g.dil_w;
        return iw >= 0 && iw < g.w ? iw : -1;
    }
};

struct Descriptors {
    void* x = nullptr;
    void* w = nullptr;
    void* y = nullptr;
    void* conv = nullptr;
    Descriptors(const Geometry& g, int dtype, int math)
    {
        expect_status(cudnnCreateTensorDescriptor(&x), 0, "create x");
        expect_status(cudnnCreateFilterDescriptor(&w), 0, "create w");
        expect_status(cudnnCreateTensorDescriptor(&y), 0, "create y");
        expect_status(cudnnCreateConvolutionDescriptor(&conv), 0, "create conv");
        expect_status(cudnnSetTensor4dDescriptor(x, CUDNN_TENSOR_NCHW, dtype, g.n, g.c, g.h, g.w), 0, "set x");
        expect_status(cudnnSetFilter4dDescriptor(w, dtype, CUDNN_TENSOR_NCHW, g.k, g.c, g.r, g.s), 0, "set w");
        expect_status(cudnnSetTensor4dDescriptor(y, CUDNN_TENSOR_NCHW, dtype, g.n, g.k, g.p(), g.q()), 0, "set y");
        expect_status(cudnnSetConvolution2dDescriptor(conv, g.pad_h, g.pad_w, g.stride_h, g.stride_w, g.dil_h, g.dil_w, g.mode, dtype), 0, "set conv");
        expect_status(cudnnSetConvolutionMathType(conv, math), 0, "set math");
    }
    ~Descriptors()
    {
        cudnnDestroyTensorDescriptor(x);
        cudnnDestroyFilterDescriptor(w);
        cudnnDestroyTensorDescriptor(y);
        cudnnDestroyConvolutionDescriptor(conv);
    }
};

/// A device-style buffer of exactly `bytes` (so AddressSanitizer sees any write past the reported workspace size).
struct Workspace {
    void* ptr = nullptr;
    explicit Workspace(size_t bytes) { ptr = bytes ? std::malloc(bytes) : nullptr; }
    ~Workspace() { std::free(ptr); }
};

struct ConvStats {
    int cases = 0;
    MaxError fwd_f, bwd_data_f, bwd_filter_f, fwd_d, bwd_data_d, bwd_filter_d, adjoint;
    int find_calls = 0;
};

template <class T>
std::vector<T> random_vector(size_t n, double scale = 1.0)
{
    std::vector<T> v(n);
    for (auto& e : v) {
        e = static_cast<T>(uniform(-scale, scale));
    }
    return v;
}

/// Relative error against a reference with magnitude `scale` (sum of |terms| of that output element).
template <class T>
double element_error(T got, double want, double scale)
{
    return std::isfinite(static_cast<double>(got)) ? std::fabs(static_cast<double>(got) - want) / (scale + 1e-30) : INFINITY;
}

template <class T>
void conv_case(void* handle, const Geometry& g, int dtype, int math, ConvStats& stats)
{
    const int P = g.p(), Q = g.q();
    const size_t nx = static_cast<size_t>(g.n) * g.c * g.h * g.w, nw = static_cast<size_t>(g.k) * g.c * g.r * g.s,
                 ny = static_cast<size_t>(g.n) * g.k * P * Q;
    Descriptors d(g, dtype, math);
    auto x = random_vector<T>(nx), w = random_vector<T>(nw), dy = random_vector<T>(ny);
    const bool is_float = sizeof(T) == 4;
    const Taps taps{g};
    auto X = [&](int n, int c, int h, int ww) { return x[((static_cast<size_t>(n) * g.c + c) * g.h + h) * g.w + ww]; };
    auto Wt = [&](int k, int c, int r, int s) { return w[((static_cast<size_t>(k) * g.c + c) * g.r + r) * g.s + s]; };
    auto DY = [&](int n, int k, int p, int q) { return dy[((static_cast<size_t>(n) * g.k + k) * P + p) * Q + q]; };
    const std::string label = std::string(is_float ? "float" : "double") + " math " + std::to_string(math) + " x[" + std::to_string(g.n) + ","
        + std::to_string(g.c) + "," + std::to_string(g.h) + "," + std::to_string(g.w) + "] w[" + std::to_string(g.k) + "," + std::to_string(g.c) + ","
        + std::to_string(g.r) + "," + std::to_string(g.s) + "] pad " + std::to_string(g.pad_h) + "," + std::to_string(g.pad_w) + " stride "
        + std::to_string(g.stride_h) + "," + std::to_string(g.stride_w) + " dil " + std::to_string(g.dil_h) + "," + std::to_string(g.dil_w)
        + (g.mode == CUDNN_CONVOLUTION ? " CONVOLUTION" : " CROSS_CORRELATION");

    const double fp_tol = is_float ? 1.2e-7 * (g.c * g.r * g.s + g.n * P * Q + 8) : 1e-15 * (g.c * g.r * g.s + g.n * P * Q + 8);
    // TF32 variants: the reference rounds its inputs the same way
    auto rnd = [&](T v, bool tf32) { return tf32 ? reference_tf32(static_cast<float>(v)) : static_cast<double>(v); };

    // ---- forward: every algorithm, exact workspace ----
    for (int algo = 0; algo < CUDNN_CONVOLUTION_FWD_ALGO_COUNT; algo++) {
        size_t bytes = 0;
        const int ws_status = cudnnGetConvolutionForwardWorkspaceSize(handle, d.x, d.w, d.conv, d.y, algo, &bytes);
        if (algo > CUDNN_CONVOLUTION_FWD_ALGO_GEMM) {
            expect_status(ws_status, CUDNN_STATUS_NOT_SUPPORTED, "fwd workspace of unimplemented algo " + std::to_string(algo));
            continue;
        }
        expect_status(ws_status, 0, "fwd workspace algo " + std::to_string(algo));
        const bool tf32 = is_float && math != CUDNN_FMA_MATH && algo != CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM;
        Workspace ws(bytes);
        auto y = random_vector<T>(ny);
        const auto y0 = y;
        const bool beta_zero = algo == 1;
        if (beta_zero) {
            std::fill(y.begin(), y.end(), std::numeric_limits<T>::quiet_NaN());
        }
        const T alpha = static_cast<T>(uniform(0.5, 1.5)), beta = beta_zero ? T(0) : static_cast<T>(uniform(-1, 1));
        expect_status(cudnnConvolutionForward(handle, &alpha, d.x, x.data(), d.w, w.data(), d.conv, algo, ws.ptr, bytes, &beta, d.y, y.data()), 0,
            "forward algo " + std::to_string(algo) + " " + label);
        double worst = 0;
        for (int n = 0; n < g.n; n++)
            for (int k = 0; k < g.k; k++)
                for (int p = 0; p < P; p++)
                    for (int q = 0; q < Q; q++) {
                        double sum = 0, mag = 0;
                        for (int c = 0; c < g.c; c++)
                            for (int r = 0; r < g.r; r++)
                                for (int s = 0; s < g.s; s++) {
                                    const int ih = taps.row(p, r), iw = taps.col(q, s);
                                    if (ih < 0 || iw < 0) continue;
                                    sum += rnd(Wt(k, c, r, s), tf32) * rnd(X(n, c, ih, iw), tf32);
                                    mag += std::fabs(Wt(k, c, r, s) * X(n, c, ih, iw));
                                }
                        const size_t i = ((static_cast<size_t>(n) * g.k + k) * P + p) * Q + q;
                        const double want = alpha * sum + (beta_zero ? 0.0 : beta * static_cast<double>(y0[i]));
                        worst = std::max(worst, element_error(y[i], want, std::fabs(alpha) * mag + std::fabs(beta * static_cast<double>(y0[i]))));
                    }
        expect(worst <= fp_tol, "forward algo " + std::to_string(algo) + " error " + std::to_string(worst) + " " + label);
        (is_float ? stats.fwd_f : stats.fwd_d).add(worst);
        stats.cases++;
        if (bytes > 0) {
            expect_status(cudnnConvolutionForward(handle, &alpha, d.x, x.data(), d.w, w.data(), d.conv, algo, ws.ptr, bytes - 1, &beta, d.y, y.data()),
                CUDNN_STATUS_BAD_PARAM, "forward with a workspace one byte short");
            expect_status(cudnnConvolutionForward(handle, &alpha, d.x, x.data(), d.w, w.data(), d.conv, algo, nullptr, bytes, &beta, d.y, y.data()),
                CUDNN_STATUS_BAD_PARAM, "forward with a NULL workspace");
        }
    }

    // ---- backward data ----
    for (int algo = 0; algo < CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT; algo++) {
        size_t bytes = 0;
        const int ws_status = cudnnGetConvolutionBackwardDataWorkspaceSize(handle, d.w, d.y, d.conv, d.x, algo, &bytes);
        if (algo > CUDNN_CONVOLUTION_BWD_DATA_ALGO_1) {
            expect_status(ws_status, CUDNN_STATUS_NOT_SUPPORTED, "bwd data workspace of unimplemented algo");
            continue;
        }
        expect_status(ws_status, 0, "bwd data workspace");
        const bool tf32 = is_float && math != CUDNN_FMA_MATH && algo == CUDNN_CONVOLUTION_BWD_DATA_ALGO_1;
        Workspace ws(bytes);
        auto dx = random_vector<T>(nx);
        const auto dx0 = dx;
        const T alpha = static_cast<T>(uniform(0.5, 1.5)), beta = static_cast<T>(uniform(-1, 1));
        expect_status(cudnnConvolutionBackwardData(handle, &alpha, d.w, w.data(), d.y, dy.data(), d.conv, algo, ws.ptr, bytes, &beta, d.x, dx.data()), 0,
            "backward data algo " + std::to_string(algo) + " " + label);
        std::vector<double> sum(nx, 0.0), mag(nx, 0.0);
        for (int n = 0; n < g.n; n++)
            for (int k = 0; k < g.k; k++)
                for (int p = 0; p < P; p++)
                    for (int q = 0; q < Q; q++)
                        for (int c = 0; c < g.c; c++)
                            for (int r = 0; r < g.r; r++)
                                for (int s = 0; s < g.s; s++) {
                                    const int ih = taps.row(p, r), iw = taps.col(q, s);
                                    if (ih < 0 || iw < 0) continue;
                                    const size_t i = ((static_cast<size_t>(n) * g.c + c) * g.h + ih) * g.w + iw;
                                    sum[i] += rnd(Wt(k, c, r, s), tf32) * rnd(DY(n, k, p, q), tf32);
                                    mag[i] += std::fabs(Wt(k, c, r, s) * DY(n, k, p, q));
                                }
        double worst = 0;
        for (size_t i = 0; i < nx; i++) {
            const double want = alpha * sum[i] + beta * static_cast<double>(dx0[i]);
            worst = std::max(worst, element_error(dx[i], want, std::fabs(alpha) * mag[i] + std::fabs(beta * static_cast<double>(dx0[i]))));
        }
        expect(worst <= fp_tol, "backward data algo " + std::to_string(algo) + " error " + std::to_string(worst) + " " + label);
        (is_float ? stats.bwd_data_f : stats.bwd_data_d).add(worst);
        stats.cases++;
        if (bytes > 0) {
            expect_status(cudnnConvolutionBackwardData(handle, &alpha, d.w, w.data(), d.y, dy.data(), d.conv, algo, ws.ptr, bytes - 1, &beta, d.x, dx.data()),
                CUDNN_STATUS_BAD_PARAM, "backward data with a short workspace");
        }
    }

    // ---- backward filter ----
    for (int algo = 0; algo < CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT; algo++) {
        size_t bytes = 0;
        const int ws_status = cudnnGetConvolutionBackwardFilterWorkspaceSize(handle, d.x, d.y, d.conv, d.w, algo, &bytes);
        if (algo > CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1) {
            expect_status(ws_status, CUDNN_STATUS_NOT_SUPPORTED, "bwd filter workspace of unimplemented algo");
            continue;
        }
        expect_status(ws_status, 0, "bwd filter workspace");
        const bool tf32 = is_float && math != CUDNN_FMA_MATH && algo == CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1;
        Workspace ws(bytes);
        auto dw = random_vector<T>(nw);
        const auto dw0 = dw;
        const T alpha = static_cast<T>(uniform(0.5, 1.5)), beta = static_cast<T>(uniform(-1, 1));
        expect_status(cudnnConvolutionBackwardFilter(handle, &alpha, d.x, x.data(), d.y, dy.data(), d.conv, algo, ws.ptr, bytes, &beta, d.w, dw.data()), 0,
            "backward filter algo " + std::to_string(algo) + " " + label);
        std::vector<double> sum(nw, 0.0), mag(nw, 0.0);
        for (int n = 0; n < g.n; n++)
            for (int k = 0; k < g.k; k++)
                for (int p = 0; p < P; p++)
                    for (int q = 0; q < Q; q++)
                        for (int c = 0; c < g.c; c++)
                            for (int r = 0; r < g.r; r++)
                                for (int s = 0; s < g.s; s++) {
                                    const int ih = taps.row(p, r), iw = taps.col(q, s);
                                    if (ih < 0 || iw < 0) continue;
                                    const size_t i = ((static_cast<size_t>(k) * g.c + c) * g.r + r) * g.s + s;
                                    sum[i] += rnd(X(n, c, ih, iw), tf32) * rnd(DY(n, k, p, q), tf32);
                                    mag[i] += std::fabs(X(n, c, ih, iw) * DY(n, k, p, q));
                                }
        double worst = 0;
        for (size_t i = 0; i < nw; i++) {
            const double want = alpha * sum[i] + beta * static_cast<double>(dw0[i]);
            worst = std::max(worst, element_error(dw[i], want, std::fabs(alpha) * mag[i] + std::fabs(beta * static_cast<double>(dw0[i]))));
        }
        expect(worst <= fp_tol, "backward filter algo " + std::to_string(algo) + " error " + std::to_string(worst) + " " + label);
        (is_float ? stats.bwd_filter_f : stats.bwd_filter_d).add(worst);
        stats.cases++;
    }

    // ---- Find: at least two successes, one with and one without workspace; memory = Get*WorkspaceSize ----
    cudnnConvolutionAlgoPerfStandin perf[16];
    int returned = 0;
    for (int direction = 0; direction < 3; direction++) {
        int status;
        if (direction == 0) {
            status = cudnnFindConvolutionForwardAlgorithm(handle, d.x, d.w, d.conv, d.y, 16, &returned, perf);
        } else if (direction == 1) {
            status = cudnnFindConvolutionBackwardDataAlgorithm(handle, d.w, d.y, d.conv, d.x, 16, &returned, perf);
        } else {
            status = cudnnFindConvolutionBackwardFilterAlgorithm(handle, d.x, d.y, d.conv, d.w, 16, &returned, perf);
        }
        expect_status(status, 0, "find direction " + std::to_string(direction));
        stats.find_calls++;
        int successes = 0, with_ws = 0, without_ws = 0;
        bool sorted = true, memory_matches = true;
        for (int i = 0; i < returned; i++) {
            if (perf[i].status != 0) {
                continue;
            }
            successes++;
            (perf[i].memory > 0 ? with_ws : without_ws)++;
            if (i > 0 && perf[i - 1].status == 0 && perf[i - 1].time > perf[i].time) {
                sorted = false;
            }
            // the size for the entry's own math type, as a caller re-querying after cudnnSetConvolutionMathType sees it
            cudnnSetConvolutionMathType(d.conv, perf[i].mathType);
            size_t bytes = 0;
            if (direction == 0) {
                cudnnGetConvolutionForwardWorkspaceSize(handle, d.x, d.w, d.conv, d.y, perf[i].algo, &bytes);
            } else if (direction == 1) {
                cudnnGetConvolutionBackwardDataWorkspaceSize(handle, d.w, d.y, d.conv, d.x, perf[i].algo, &bytes);
            } else {
                cudnnGetConvolutionBackwardFilterWorkspaceSize(handle, d.x, d.y, d.conv, d.w, perf[i].algo, &bytes);
            }
            if (bytes != perf[i].memory) {
                memory_matches = false;
            }
            cudnnSetConvolutionMathType(d.conv, math);
        }
        expect(successes >= 2 && with_ws >= 1 && without_ws >= 1, "find lists >= 2 algorithms, with and without workspace");
        expect(sorted, "find results sorted by time");
        expect(memory_matches, "find memory equals Get*WorkspaceSize for the entry's math type");
    }
}

/// <conv(x, w), dy> = <x, convBwdData(w, dy)> = <w, convBwdFilter(x, dy)>, all through the stand-in, in double.
void adjoint_case(void* handle, const Geometry& g, ConvStats& stats)
{
    Descriptors d(g, CUDNN_DATA_DOUBLE, CUDNN_DEFAULT_MATH);
    const size_t nx = static_cast<size_t>(g.n) * g.c * g.h * g.w, nw = static_cast<size_t>(g.k) * g.c * g.r * g.s,
                 ny = static_cast<size_t>(g.n) * g.k * g.p() * g.q();
    auto x = random_vector<double>(nx), w = random_vector<double>(nw), dy = random_vector<double>(ny);
    std::vector<double> y(ny), dx(nx), dw(nw);
    const double one = 1, zero = 0;
    for (int algo_pair = 0; algo_pair < 2; algo_pair++) {
        size_t b1 = 0, b2 = 0, b3 = 0;
        const int fwd_algo = algo_pair == 0 ? 0 : 2;
        cudnnGetConvolutionForwardWorkspaceSize(handle, d.x, d.w, d.conv, d.y, fwd_algo, &b1);
        cudnnGetConvolutionBackwardDataWorkspaceSize(handle, d.w, d.y, d.conv, d.x, algo_pair, &b2);
        cudnnGetConvolutionBackwardFilterWorkspaceSize(handle, d.x, d.y, d.conv, d.w, algo_pair, &b3);
        Workspace ws(std::max(b1, std::max(b2, b3)));
        expect_status(cudnnConvolutionForward(handle, &one, d.x, x.data(), d.w, w.data(), d.conv, fwd_algo, ws.ptr, b1, &zero, d.y, y.data()), 0, "adjoint fwd");
        expect_status(cudnnConvolutionBackwardData(handle, &one, d.w, w.data(), d.y, dy.data(), d.conv, algo_pair, ws.ptr, b2, &zero, d.x, dx.data()), 0,
            "adjoint bwd data");
        expect_status(cudnnConvolutionBackwardFilter(handle, &one, d.x, x.data(), d.y, dy.data(), d.conv, algo_pair, ws.ptr, b3, &zero, d.w, dw.data()), 0,
            "adjoint bwd filter");
        double a = 0, b = 0, c = 0, scale = 0;
        for (size_t i = 0; i < ny; i++) { a += y[i] * dy[i]; scale += std::fabs(y[i] * dy[i]); }
        for (size_t i = 0; i < nx; i++) { b += x[i] * dx[i]; }
        for (size_t i = 0; i < nw; i++) { c += w[i] * dw[i]; }
        const double e = std::max(std::fabs(a - b), std::fabs(a - c)) / scale;
        stats.adjoint.add(e);
        expect(e < 1e-12, "adjoint identity " + std::to_string(e));
    }
}

void test_cudnn_errors(void* handle)
{
    char buffer[1 << 12];
    (void)buffer;
    expect(std::string(cudnnGetErrorString(CUDNN_STATUS_BAD_PARAM)) == "CUDNN_STATUS_BAD_PARAM", "error string BAD_PARAM");
    expect(std::string(cudnnGetErrorString(CUDNN_STATUS_NOT_SUPPORTED)) == "CUDNN_STATUS_NOT_SUPPORTED", "error string NOT_SUPPORTED");
    expect(std::string(cudnnGetErrorString(0)) == "CUDNN_STATUS_SUCCESS", "error string SUCCESS");
    expect(std::string(cudnnGetErrorString(777)) == "CUDNN_UNKNOWN_STATUS", "error string unknown");
    expect(cudnnGetVersion() / 10000 == 9, "cuDNN major version 9");

    void* t = nullptr;
    void* f = nullptr;
    void* c = nullptr;
    cudnnCreateTensorDescriptor(&t);
    cudnnCreateFilterDescriptor(&f);
    cudnnCreateConvolutionDescriptor(&c);
    expect_status(cudnnSetTensor4dDescriptor(t, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, 0, 3, 4, 4), CUDNN_STATUS_BAD_PARAM, "tensor n = 0");
    expect_status(cudnnSetTensor4dDescriptor(t, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, 1, -3, 4, 4), CUDNN_STATUS_BAD_PARAM, "tensor c < 0");
    expect_status(cudnnSetTensor4dDescriptor(t, 7, CUDNN_DATA_FLOAT, 1, 3, 4, 4), CUDNN_STATUS_BAD_PARAM, "tensor format 7");
    expect_status(cudnnSetTensor4dDescriptor(t, CUDNN_TENSOR_NCHW, 99, 1, 3, 4, 4), CUDNN_STATUS_BAD_PARAM, "tensor data type 99");
    expect_status(cudnnSetTensor4dDescriptor(t, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, 65536, 65536, 2, 1), CUDNN_STATUS_NOT_SUPPORTED, "tensor > 2^31 elements");
    expect_status(cudnnSetTensor4dDescriptor(f, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, 1, 3, 4, 4), CUDNN_STATUS_BAD_PARAM, "filter descriptor as tensor");
    expect_status(cudnnSetFilter4dDescriptor(f, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, 2, 3, 0, 3), CUDNN_STATUS_BAD_PARAM, "filter r = 0");
    expect_status(cudnnSetConvolution2dDescriptor(c, -1, 0, 1, 1, 1, 1, CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT), CUDNN_STATUS_BAD_PARAM, "pad < 0");
    expect_status(cudnnSetConvolution2dDescriptor(c, 0, 0, 0, 1, 1, 1, CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT), CUDNN_STATUS_BAD_PARAM, "stride 0");
    expect_status(cudnnSetConvolution2dDescriptor(c, 0, 0, 1, 1, 1, 0, CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT), CUDNN_STATUS_BAD_PARAM, "dilation 0");
    expect_status(cudnnSetConvolution2dDescriptor(c, 0, 0, 1, 1, 1, 1, 2, CUDNN_DATA_FLOAT), CUDNN_STATUS_BAD_PARAM, "mode 2");
    expect_status(cudnnSetConvolutionMathType(c, 4), CUDNN_STATUS_BAD_PARAM, "math type 4");
    expect_status(cudnnSetConvolutionMathType(t, 0), CUDNN_STATUS_BAD_PARAM, "math type on a tensor descriptor");
    expect_status(cudnnCreateTensorDescriptor(nullptr), CUDNN_STATUS_BAD_PARAM, "create into NULL");
    cudnnDestroyTensorDescriptor(t);
    cudnnDestroyFilterDescriptor(f);
    cudnnDestroyConvolutionDescriptor(c);
    expect_status(cudnnDestroyTensorDescriptor(t), CUDNN_STATUS_BAD_PARAM, "destroy twice");

    // inconsistent geometry: each one of x / w / y / conv spoiled in turn
    const Geometry g{2, 3, 8, 8, 4, 3, 3, 1, 1, 1, 1, 1, 1, CUDNN_CROSS_CORRELATION};
    std::vector<float> x(2 * 3 * 8 * 8, 1.0f), w(4 * 3 * 9, 1.0f), y(2 * 4 * 8 * 8, 1.0f), dx(x.size()), dw(w.size());
    const float one = 1, zero = 0;
    auto all_calls = [&](Descriptors& d, int want, const std::string& what) {
        size_t bytes = 0;
        int returned = 0;
        cudnnConvolutionAlgoPerfStandin perf[8];
        expect_status(cudnnConvolutionForward(handle, &one, d.x, x.data(), d.w, w.data(), d.conv, 0, nullptr, 0, &zero, d.y, y.data()), want, "forward: " + what);
        expect_status(cudnnConvolutionBackwardData(handle, &one, d.w, w.data(), d.y, y.data(), d.conv, 0, nullptr, 0, &zero, d.x, dx.data()), want,
            "backward data: " + what);
        expect_status(cudnnConvolutionBackwardFilter(handle, &one, d.x, x.data(), d.y, y.data(), d.conv, 0, nullptr, 0, &zero, d.w, dw.data()), want,
            "backward filter: " + what);
        expect_status(cudnnFindConvolutionForwardAlgorithm(handle, d.x, d.w, d.conv, d.y, 8, &returned, perf), want, "find forward: " + what);
        expect_status(cudnnFindConvolutionBackwardDataAlgorithm(handle, d.w, d.y, d.conv, d.x, 8, &returned, perf), want, "find bwd data: " + what);
        expect_status(cudnnFindConvolutionBackwardFilterAlgorithm(handle, d.x, d.y, d.conv, d.w, 8, &returned, perf), want, "find bwd filter: " + what);
        expect_status(cudnnGetConvolutionForwardWorkspaceSize(handle, d.x, d.w, d.conv, d.y, 1, &bytes), want, "workspace: " + what);
    };
    {
        Descriptors d(g, CUDNN_DATA_FLOAT, CUDNN_FMA_MATH);
        all_calls(d, CUDNN_STATUS_SUCCESS, "consistent descriptors");
        cudnnSetTensor4dDescriptor(d.y, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, 2, 4, 7, 8);
        all_calls(d, CUDNN_STATUS_BAD_PARAM, "y height 7, geometry gives 8");
        expect(g_last_error.find("cudnnGetConvolutionForwardWorkspaceSize: yDesc is [2,4,7,8] but the convolution") == 0
                && g_last_error.find("gives [2,4,8,8]") != std::string::npos, "message names y and the expected shape: " + g_last_error);
        cudnnSetTensor4dDescriptor(d.y, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, 2, 5, 8, 8);
        all_calls(d, CUDNN_STATUS_BAD_PARAM, "y channels 5, filter has 4");
        cudnnSetTensor4dDescriptor(d.y, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, 1, 4, 8, 8);
        all_calls(d, CUDNN_STATUS_BAD_PARAM, "y batch 1, x has 2");
        cudnnSetTensor4dDescriptor(d.y, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, 2, 4, 8, 8);
        cudnnSetTensor4dDescriptor(d.x, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, 2, 2, 8, 8);
        all_calls(d, CUDNN_STATUS_BAD_PARAM, "x channels 2, filter has 3");
        expect(g_last_error.find("xDesc has 2 channels but wDesc expects 3") != std::string::npos, "message names the channels: " + g_last_error);
        cudnnSetTensor4dDescriptor(d.x, CUDNN_TENSOR_NCHW, CUDNN_DATA_DOUBLE, 2, 3, 8, 8);
        all_calls(d, CUDNN_STATUS_BAD_PARAM, "x DOUBLE, w FLOAT");
        cudnnSetTensor4dDescriptor(d.x, CUDNN_TENSOR_NHWC, CUDNN_DATA_FLOAT, 2, 3, 8, 8);
        all_calls(d, CUDNN_STATUS_NOT_SUPPORTED, "x NHWC (not implemented by the stand-in)");
        cudnnSetTensor4dDescriptor(d.x, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, 2, 3, 8, 8);
        cudnnSetConvolution2dDescriptor(d.conv, 1, 1, 1, 1, 1, 1, CUDNN_CROSS_CORRELATION, CUDNN_DATA_DOUBLE);
        all_calls(d, CUDNN_STATUS_NOT_SUPPORTED, "FLOAT data with DOUBLE compute");
        cudnnSetConvolution2dDescriptor(d.conv, 0, 0, 1, 1, 5, 5, CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT);
        all_calls(d, CUDNN_STATUS_BAD_PARAM, "dilated filter (11) larger than the input (8)");
        cudnnSetConvolution2dDescriptor(d.conv, 1, 1, 1, 1, 1, 1, CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT);
        all_calls(d, CUDNN_STATUS_SUCCESS, "restored descriptors");
        // wrong kinds and states
        expect_status(cudnnConvolutionForward(handle, &one, d.w, x.data(), d.w, w.data(), d.conv, 0, nullptr, 0, &zero, d.y, y.data()), CUDNN_STATUS_BAD_PARAM,
            "filter descriptor passed as x");
        expect_status(cudnnConvolutionForward(handle, nullptr, d.x, x.data(), d.w, w.data(), d.conv, 0, nullptr, 0, &zero, d.y, y.data()),
            CUDNN_STATUS_BAD_PARAM, "alpha NULL");
        expect_status(cudnnConvolutionForward(handle, &one, d.x, nullptr, d.w, w.data(), d.conv, 0, nullptr, 0, &zero, d.y, y.data()), CUDNN_STATUS_BAD_PARAM,
            "x NULL");
        expect_status(cudnnConvolutionForward(nullptr, &one, d.x, x.data(), d.w, w.data(), d.conv, 0, nullptr, 0, &zero, d.y, y.data()), CUDNN_STATUS_BAD_PARAM,
            "handle NULL");
        expect_status(cudnnConvolutionForward(handle, &one, d.x, x.data(), d.w, w.data(), d.conv, 5, nullptr, 0, &zero, d.y, y.data()),
            CUDNN_STATUS_NOT_SUPPORTED, "FFT_TILING algorithm");
        expect_status(cudnnConvolutionForward(handle, &one, d.x, x.data(), d.w, w.data(), d.conv, 8, nullptr, 0, &zero, d.y, y.data()), CUDNN_STATUS_BAD_PARAM,
            "algorithm 8 (out of range)");
        size_t bytes = 0;
        expect_status(cudnnGetConvolutionForwardWorkspaceSize(handle, d.x, d.w, d.conv, d.y, 6, &bytes), CUDNN_STATUS_NOT_SUPPORTED, "WINOGRAD workspace");
        expect_status(cudnnGetConvolutionForwardWorkspaceSize(handle, d.x, d.w, d.conv, d.y, 0, nullptr), CUDNN_STATUS_BAD_PARAM, "workspace into NULL");
        int returned = 0;
        cudnnConvolutionAlgoPerfStandin perf[8];
        expect_status(cudnnFindConvolutionForwardAlgorithm(handle, d.x, d.w, d.conv, d.y, 0, &returned, perf), CUDNN_STATUS_BAD_PARAM, "find 0 requested");
        expect_status(cudnnFindConvolutionForwardAlgorithm(handle, d.x, d.w, d.conv, d.y, 1, &returned, perf), 0, "find 1 requested");
        expect(returned == 1, "find returns at most the requested count");

        // the workspace depends on the math type: TF32 staging; an FMA-sized workspace is too small for TENSOR_OP
        size_t fma_bytes = 0, tensor_bytes = 0;
        cudnnGetConvolutionForwardWorkspaceSize(handle, d.x, d.w, d.conv, d.y, CUDNN_CONVOLUTION_FWD_ALGO_GEMM, &fma_bytes);
        cudnnSetConvolutionMathType(d.conv, CUDNN_TENSOR_OP_MATH);
        cudnnGetConvolutionForwardWorkspaceSize(handle, d.x, d.w, d.conv, d.y, CUDNN_CONVOLUTION_FWD_ALGO_GEMM, &tensor_bytes);
        expect(tensor_bytes > fma_bytes && fma_bytes > 0, "TENSOR_OP workspace larger than FMA workspace");
        Workspace ws(fma_bytes);
        expect_status(cudnnConvolutionForward(handle, &one, d.x, x.data(), d.w, w.data(), d.conv, CUDNN_CONVOLUTION_FWD_ALGO_GEMM, ws.ptr, fma_bytes, &zero,
                          d.y, y.data()), CUDNN_STATUS_BAD_PARAM, "TENSOR_OP math run with the FMA-sized workspace");
        expect(g_last_error.find("cudnnConvolutionForward: workspace") == 0 && g_last_error.find("math type 1 needs") != std::string::npos,
            "message names the workspace and math type: " + g_last_error);
        // a descriptor created but never set
        void* unset = nullptr;
        cudnnCreateTensorDescriptor(&unset);
        expect_status(cudnnConvolutionForward(handle, &one, unset, x.data(), d.w, w.data(), d.conv, 0, nullptr, 0, &zero, d.y, y.data()),
            CUDNN_STATUS_BAD_PARAM, "x descriptor never set");
        cudnnDestroyTensorDescriptor(unset);
        // beta == 0 never reads y
        std::fill(y.begin(), y.end(), std::numeric_limits<float>::quiet_NaN());
        cudnnSetConvolutionMathType(d.conv, CUDNN_FMA_MATH);
        expect_status(cudnnConvolutionForward(handle, &one, d.x, x.data(), d.w, w.data(), d.conv, 0, nullptr, 0, &zero, d.y, y.data()), 0, "beta 0 over NaN");
        bool finite = true;
        for (float v : y) finite = finite && std::isfinite(v);
        expect(finite, "beta 0 leaves no NaN from the old output");
    }
}

/// BFLOAT16 convolutions (cuDNN's PSEUDO_BFLOAT16 configuration): bf16 x, w, y with FLOAT compute give, in every
/// direction, the float64 result of the bf16 inputs rounded once to bf16; BFLOAT16 or DOUBLE compute is refused.
void test_cudnn_bf16(void* handle)
{
    const Geometry g{2, 5, 6, 7, 3, 3, 3, 1, 1, 1, 1, 1, 1, CUDNN_CROSS_CORRELATION};
    Descriptors d(g, CUDNN_DATA_BFLOAT16, CUDNN_DEFAULT_MATH);
    expect_status(cudnnSetConvolution2dDescriptor(d.conv, 1, 1, 1, 1, 1, 1, CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT), 0, "bf16: FLOAT compute");
    const size_t nx = static_cast<size_t>(g.n) * g.c * g.h * g.w, nw = static_cast<size_t>(g.k) * g.c * g.r * g.s,
                 ny = static_cast<size_t>(g.n) * g.k * g.p() * g.q();
    auto x = random_vector<double>(nx), w = random_vector<double>(nw), dy = random_vector<double>(ny);
    std::vector<uint16_t> xb(nx), wb(nw), dyb(ny), yb(ny), dxb(nx), dwb(nw);
    for (size_t i = 0; i < nx; i++) { xb[i] = to_bf16_bits(x[i]); x[i] = from_bf16_bits(xb[i]); }
    for (size_t i = 0; i < nw; i++) { wb[i] = to_bf16_bits(w[i]); w[i] = from_bf16_bits(wb[i]); }
    for (size_t i = 0; i < ny; i++) { dyb[i] = to_bf16_bits(dy[i]); dy[i] = from_bf16_bits(dyb[i]); }
    std::vector<double> y(ny, 0.0), dx(nx, 0.0), dw(nw, 0.0), magnitude_y(ny, 0.0), magnitude_dx(nx, 0.0), magnitude_dw(nw, 0.0);
    const Taps taps{g};
    for (int n = 0; n < g.n; n++)
        for (int k = 0; k < g.k; k++)
            for (int op = 0; op < g.p(); op++)
                for (int oq = 0; oq < g.q(); oq++)
                    for (int c = 0; c < g.c; c++)
                        for (int r = 0; r < g.r; r++)
                            for (int s2 = 0; s2 < g.s; s2++) {
                                const int ih = taps.row(op, r), iw = taps.col(oq, s2);
                                if (ih < 0 || iw < 0) continue;
                                const size_t xi = ((static_cast<size_t>(n) * g.c + c) * g.h + ih) * g.w + iw;
                                const size_t wi = ((static_cast<size_t>(k) * g.c + c) * g.r + r) * g.s + s2;
                                const size_t yi = ((static_cast<size_t>(n) * g.k + k) * g.p() + op) * g.q() + oq;
                                y[yi] += x[xi] * w[wi];
                                magnitude_y[yi] += std::fabs(x[xi] * w[wi]);
                                dx[xi] += dy[yi] * w[wi];
                                magnitude_dx[xi] += std::fabs(dy[yi] * w[wi]);
                                dw[wi] += dy[yi] * x[xi];
                                magnitude_dw[wi] += std::fabs(dy[yi] * x[xi]);
                            }
    const float one = 1, zero = 0;
    for (int algo = 0; algo < 2; algo++) {
        const int fwd_algo = algo == 0 ? 0 : 2;
        size_t b1 = 0, b2 = 0, b3 = 0;
        expect_status(cudnnGetConvolutionForwardWorkspaceSize(handle, d.x, d.w, d.conv, d.y, fwd_algo, &b1), 0, "bf16 fwd workspace");
        expect_status(cudnnGetConvolutionBackwardDataWorkspaceSize(handle, d.w, d.y, d.conv, d.x, algo, &b2), 0, "bf16 bwd data workspace");
        expect_status(cudnnGetConvolutionBackwardFilterWorkspaceSize(handle, d.x, d.y, d.conv, d.w, algo, &b3), 0, "bf16 bwd filter workspace");
        Workspace ws(std::max(b1, std::max(b2, b3)));
        expect_status(cudnnConvolutionForward(handle, &one, d.x, xb.data(), d.w, wb.data(), d.conv, fwd_algo, ws.ptr, b1, &zero, d.y, yb.data()), 0, "bf16 fwd");
        expect_status(cudnnConvolutionBackwardData(handle, &one, d.w, wb.data(), d.y, dyb.data(), d.conv, algo, ws.ptr, b2, &zero, d.x, dxb.data()), 0, "bf16 bwd data");
        expect_status(cudnnConvolutionBackwardFilter(handle, &one, d.x, xb.data(), d.y, dyb.data(), d.conv, algo, ws.ptr, b3, &zero, d.w, dwb.data()), 0,
            "bf16 bwd filter");
        // within half a bf16 ulp of the exact result plus float accumulation (terms * 2^-23 * sum of |products|)
        auto check = [&](const std::vector<uint16_t>& got, const std::vector<double>& exact, const std::vector<double>& magnitude, int terms, const char* what) {
            for (size_t i = 0; i < got.size(); i++) {
                const double value = from_bf16_bits(got[i]);
                int e = 0;
                std::frexp(exact[i], &e);
                const double half_ulp = exact[i] == 0.0 ? 0.0 : std::ldexp(1.0, e - 9);
                const double bound = half_ulp + terms * std::ldexp(magnitude[i], -23);
                if (std::fabs(value - exact[i]) > bound) {
                    expect(false, std::string("bf16 ") + what + " element " + std::to_string(i) + ": " + std::to_string(value) + " vs " + std::to_string(exact[i]));
                    return;
                }
            }
        };
        check(yb, y, magnitude_y, g.c * g.r * g.s, "forward");
        check(dxb, dx, magnitude_dx, g.k * g.r * g.s, "backward data");
        check(dwb, dw, magnitude_dw, g.n * g.p() * g.q(), "backward filter");
    }
    cudnnSetConvolution2dDescriptor(d.conv, 1, 1, 1, 1, 1, 1, CUDNN_CROSS_CORRELATION, CUDNN_DATA_BFLOAT16);
    size_t bytes = 0;
    expect_status(cudnnGetConvolutionForwardWorkspaceSize(handle, d.x, d.w, d.conv, d.y, 0, &bytes), CUDNN_STATUS_NOT_SUPPORTED, "bf16 data, BFLOAT16 compute");
    cudnnSetConvolution2dDescriptor(d.conv, 1, 1, 1, 1, 1, 1, CUDNN_CROSS_CORRELATION, CUDNN_DATA_DOUBLE);
    expect_status(cudnnGetConvolutionForwardWorkspaceSize(handle, d.x, d.w, d.conv, d.y, 0, &bytes), CUDNN_STATUS_NOT_SUPPORTED, "bf16 data, DOUBLE compute");
    expect(g_last_error.find("BFLOAT16 data FLOAT compute") != std::string::npos, "message names bf16's compute type: " + g_last_error);
    std::printf("cuDNN bf16 convolution: forward, backward data and filter within half a bf16 ulp of float64 (2 algorithm sets)\n");
}

void test_cudnn()
{
    void* handle = nullptr;
    expect_status(cudnnCreate(&handle), 0, "cudnnCreate");
    expect_status(cudnnSetStream(handle, reinterpret_cast<void*>(0x20)), 0, "cudnnSetStream");
    ConvStats stats;
    // n, c, h, w, k, r, s, pad_h, pad_w, stride_h, stride_w, dil_h, dil_w, mode
    const Geometry geometries[] = {
        {2, 3, 8, 8, 4, 3, 3, 1, 1, 1, 1, 1, 1, CUDNN_CROSS_CORRELATION},
        {2, 4, 9, 7, 5, 3, 3, 1, 1, 2, 2, 1, 1, CUDNN_CROSS_CORRELATION},     // stride 2, odd sizes
        {1, 3, 11, 10, 2, 3, 3, 2, 2, 1, 1, 2, 2, CUDNN_CROSS_CORRELATION},   // dilation 2
        {2, 3, 7, 9, 3, 3, 2, 1, 0, 2, 1, 1, 3, CUDNN_CONVOLUTION},           // mirrored filter, mixed stride/dilation
        {2, 5, 6, 6, 3, 1, 1, 0, 0, 1, 1, 1, 1, CUDNN_CROSS_CORRELATION},     // pointwise
        {1, 4, 5, 9, 6, 1, 7, 0, 3, 1, 1, 1, 1, CUDNN_CROSS_CORRELATION},     // 1x7 with (0, 3) padding
        {2, 4, 1, 16, 4, 1, 5, 0, 2, 1, 1, 1, 1, CUDNN_CROSS_CORRELATION},    // conv1d as H = R = 1
        {1, 40, 6, 6, 9, 3, 3, 1, 1, 1, 1, 1, 1, CUDNN_CROSS_CORRELATION},    // C*R*S = 360 > the GEMM's Kc
        {3, 2, 4, 4, 3, 4, 4, 0, 0, 3, 3, 1, 1, CUDNN_CROSS_CORRELATION},     // filter = input, 1x1 output
    };
    for (const Geometry& g : geometries) {
        conv_case<float>(handle, g, CUDNN_DATA_FLOAT, CUDNN_FMA_MATH, stats);
        conv_case<float>(handle, g, CUDNN_DATA_FLOAT, CUDNN_DEFAULT_MATH, stats);
        conv_case<double>(handle, g, CUDNN_DATA_DOUBLE, CUDNN_DEFAULT_MATH, stats);
        adjoint_case(handle, g, stats);
    }
    test_cudnn_errors(handle);
    test_cudnn_bf16(handle);
    std::printf("cuDNN convolution: %d executions over %zu geometries (float FMA, float TF32, double), %d Find calls\n", stats.cases,
        sizeof(geometries) / sizeof(geometries[0]), stats.find_calls);
    std::printf("  forward         max error float %.3g, double %.3g\n", stats.fwd_f.value, stats.fwd_d.value);
    std::printf("  backward data   max error float %.3g, double %.3g\n", stats.bwd_data_f.value, stats.bwd_data_d.value);
    std::printf("  backward filter max error float %.3g, double %.3g\n", stats.bwd_filter_f.value, stats.bwd_filter_d.value);
    std::printf("  adjoint identity (double) max relative gap %.3g\n", stats.adjoint.value);
    expect_status(cudnnDestroy(handle), 0, "cudnnDestroy");
    expect_status(cudnnSetStream(handle, nullptr), CUDNN_STATUS_BAD_PARAM, "SetStream on a destroyed handle");
}

}  // namespace

/// With a device memory map present, an operand that reaches outside its buffer is refused before any access.
void test_device_ranges()
{
    void* blas = nullptr;
    void* dnn = nullptr;
    cublasCreate_v2(&blas);
    cudnnCreate(&dnn);
    std::vector<float> a(6 * 4), b(4 * 5), c(6 * 5);  // A 6x4, B 4x5, C 6x5, column-major, tight
    const float one = 1, zero = 0;
    g_map_enabled = true;
    g_buffers = {{reinterpret_cast<uint64_t>(a.data()), a.size() * 4}, {reinterpret_cast<uint64_t>(b.data()), b.size() * 4},
        {reinterpret_cast<uint64_t>(c.data()), c.size() * 4}};
    expect_status(cublasGemmEx(blas, CUBLAS_OP_N, CUBLAS_OP_N, 6, 5, 4, &one, a.data(), CUDA_R_32F, 6, b.data(), CUDA_R_32F, 4, &zero, c.data(), CUDA_R_32F,
                      6, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT), CUBLAS_STATUS_SUCCESS, "GEMM inside its buffers");
    g_last_error.clear();
    expect_status(cublasGemmEx(blas, CUBLAS_OP_N, CUBLAS_OP_N, 6, 5, 4, &one, a.data(), CUDA_R_32F, 7, b.data(), CUDA_R_32F, 4, &zero, c.data(), CUDA_R_32F,
                      6, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT), CUBLAS_STATUS_EXECUTION_FAILED, "GEMM with lda 7 over a 6x4 buffer");
    expect(g_last_error.find("cublasGemmEx: A needs") == 0, "message names the call and operand: " + g_last_error);
    expect_status(cublasGemmStridedBatchedEx(blas, CUBLAS_OP_N, CUBLAS_OP_N, 3, 5, 4, &one, a.data(), CUDA_R_32F, 6, 3, b.data(), CUDA_R_32F, 4, 0, &zero,
                      c.data(), CUDA_R_32F, 6, 3, 2, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT), CUBLAS_STATUS_SUCCESS, "two 3-row batches interleaved in A and C");
    expect_status(cublasGemmStridedBatchedEx(blas, CUBLAS_OP_N, CUBLAS_OP_N, 3, 5, 4, &one, a.data(), CUDA_R_32F, 6, 3, b.data(), CUDA_R_32F, 4, 0, &zero,
                      c.data(), CUDA_R_32F, 6, 30, 2, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT), CUBLAS_STATUS_EXECUTION_FAILED, "strideC 30 puts batch 2 outside C");
    expect(g_last_error.find("cublasGemmStridedBatchedEx: C needs") == 0, "message names C: " + g_last_error);

    const Geometry g{1, 2, 5, 5, 3, 3, 3, 1, 1, 1, 1, 1, 1, CUDNN_CROSS_CORRELATION};
    Descriptors d(g, CUDNN_DATA_FLOAT, CUDNN_FMA_MATH);
    std::vector<float> x(50), w(54), y(75);
    size_t bytes = 0;
    cudnnGetConvolutionForwardWorkspaceSize(dnn, d.x, d.w, d.conv, d.y, CUDNN_CONVOLUTION_FWD_ALGO_GEMM, &bytes);
    std::vector<unsigned char> ws(bytes);
    g_buffers = {{reinterpret_cast<uint64_t>(x.data()), x.size() * 4}, {reinterpret_cast<uint64_t>(w.data()), w.size() * 4},
        {reinterpret_cast<uint64_t>(y.data()), y.size() * 4 - 4}, {reinterpret_cast<uint64_t>(ws.data()), bytes}};
    expect_status(cudnnConvolutionForward(dnn, &one, d.x, x.data(), d.w, w.data(), d.conv, CUDNN_CONVOLUTION_FWD_ALGO_GEMM, ws.data(), bytes, &zero, d.y,
                      y.data()), CUDNN_STATUS_EXECUTION_FAILED, "y buffer one element short");
    expect(g_last_error.find("cudnnConvolutionForward: y needs 300 bytes") == 0, "message names y: " + g_last_error);
    g_buffers[2].bytes += 4;
    g_buffers[3].bytes -= 1;
    expect_status(cudnnConvolutionForward(dnn, &one, d.x, x.data(), d.w, w.data(), d.conv, CUDNN_CONVOLUTION_FWD_ALGO_GEMM, ws.data(), bytes, &zero, d.y,
                      y.data()), CUDNN_STATUS_EXECUTION_FAILED, "workspace allocation one byte smaller than the size passed");
    expect(g_last_error.find("cudnnConvolutionForward: workSpace") == 0, "message names the workspace: " + g_last_error);
    g_buffers[3].bytes += 1;
    expect_status(cudnnConvolutionForward(dnn, &one, d.x, x.data(), d.w, w.data(), d.conv, CUDNN_CONVOLUTION_FWD_ALGO_GEMM, ws.data(), bytes, &zero, d.y,
                      y.data()), CUDNN_STATUS_SUCCESS, "all buffers large enough");
    // a GEMM captured into a graph, replayed after C's buffer was freed: the replay fails with an illegal address
    g_buffers = {{reinterpret_cast<uint64_t>(a.data()), a.size() * 4}, {reinterpret_cast<uint64_t>(b.data()), b.size() * 4},
        {reinterpret_cast<uint64_t>(c.data()), c.size() * 4}};
    g_capturing = true;
    expect_status(cublasGemmEx(blas, CUBLAS_OP_N, CUBLAS_OP_N, 6, 5, 4, &one, a.data(), CUDA_R_32F, 6, b.data(), CUDA_R_32F, 4, &zero, c.data(), CUDA_R_32F,
                      6, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT), CUBLAS_STATUS_SUCCESS, "GEMM captured");
    g_capturing = false;
    expect(g_graph.size() == 1 && g_graph[0]() == 0, "replay with every buffer live");
    g_buffers.pop_back();
    g_last_error.clear();
    expect(g_graph.size() == 1 && g_graph[0]() == 700, "replay after C was freed: CUDA_ERROR_ILLEGAL_ADDRESS");
    expect(g_last_error.find("cublasGemmEx: C needs") == 0, "replay message names C: " + g_last_error);
    g_graph.clear();
    g_map_enabled = false;
    g_buffers.clear();
    cublasDestroy_v2(blas);
    cudnnDestroy(dnn);
    std::printf("device ranges: GEMM and convolution operands outside their buffers are refused with the operand named\n");
}

/// Work submitted while the stream captures runs only on replay, with the scalars of the call and the buffers' contents
/// at replay time; a stream that refuses the work makes the call fail.
void test_stream_capture()
{
    void* blas = nullptr;
    cublasCreate_v2(&blas);
    void* const stream = reinterpret_cast<void*>(0x77);
    cublasSetStream_v2(blas, stream);
    std::vector<float> a = {1, 2, 3, 4}, b = {1, 0, 0, 1}, c(4, 0.0f);  // 2x2 column-major, B = I
    float alpha = 2, beta = 0;
    g_capturing = true;
    expect_status(cublasGemmEx(blas, CUBLAS_OP_N, CUBLAS_OP_N, 2, 2, 2, &alpha, a.data(), CUDA_R_32F, 2, b.data(), CUDA_R_32F, 2, &beta, c.data(), CUDA_R_32F, 2,
                      CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT), CUBLAS_STATUS_SUCCESS, "GEMM while capturing");
    g_capturing = false;
    alpha = 5;  // pointer mode host: the value at the call counts
    expect(g_last_stream == stream, "GEMM submitted on the handle's stream");
    expect(c[0] == 0 && c[3] == 0 && g_graph.size() == 1, "captured GEMM has not run");
    g_graph[0]();
    expect(c[0] == 2 && c[1] == 4 && c[2] == 6 && c[3] == 8, "replayed GEMM: C = 2 A");
    a[0] = 10;
    g_graph[0]();
    expect(c[0] == 20, "a second replay reads A's new contents");
    g_graph.clear();
    cublasSetStream_v2(blas, g_refusing_stream);
    expect_status(cublasGemmEx(blas, CUBLAS_OP_N, CUBLAS_OP_N, 2, 2, 2, &alpha, a.data(), CUDA_R_32F, 2, b.data(), CUDA_R_32F, 2, &beta, c.data(), CUDA_R_32F, 2,
                      CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT), CUBLAS_STATUS_EXECUTION_FAILED, "GEMM on a stream that refuses work");
    cublasDestroy_v2(blas);

    void* dnn = nullptr;
    cudnnCreate(&dnn);
    cudnnSetStream(dnn, stream);
    const Geometry g{1, 2, 5, 5, 3, 3, 3, 1, 1, 1, 1, 1, 1, CUDNN_CROSS_CORRELATION};
    Descriptors d(g, CUDNN_DATA_FLOAT, CUDNN_FMA_MATH);
    auto x = random_vector<float>(50), w = random_vector<float>(54);
    std::vector<float> direct(75), replayed(75, 0.0f);
    const float one = 1, zero = 0;
    expect_status(cudnnConvolutionForward(dnn, &one, d.x, x.data(), d.w, w.data(), d.conv, 0, nullptr, 0, &zero, d.y, direct.data()), 0, "direct forward");
    g_capturing = true;
    expect_status(cudnnConvolutionForward(dnn, &one, d.x, x.data(), d.w, w.data(), d.conv, 0, nullptr, 0, &zero, d.y, replayed.data()), 0, "captured forward");
    g_capturing = false;
    expect(g_last_stream == stream && g_graph.size() == 1 && replayed[0] == 0.0f, "captured forward has not run");
    g_graph[0]();
    expect(replayed == direct, "replayed forward equals the direct one");
    g_graph.clear();
    cudnnSetStream(dnn, g_refusing_stream);
    expect_status(cudnnConvolutionForward(dnn, &one, d.x, x.data(), d.w, w.data(), d.conv, 0, nullptr, 0, &zero, d.y, replayed.data()),
        CUDNN_STATUS_EXECUTION_FAILED, "forward on a stream that refuses work");
    cudnnDestroy(dnn);
    std::printf("streams: GEMM and convolution run on the handle's stream; captured work runs on replay only\n");
}

int main()
{
    test_cublas();
    test_cudnn();
    test_device_ranges();
    test_stream_capture();
    std::printf("%d checks, %d failed\n", g_checks, g_failures);
    return g_failures == 0 ? 0 : 1;
}
