// cuBLAS stand-in of the emulated CUDA device: the handle calls and the two GEMMs the engine makes
// (cublasGemmEx, cublasGemmStridedBatchedEx), with cuBLAS's column-major semantics, pointer mode host, and the
// argument checks and status codes the cuBLAS documentation gives for them. See README.md, "cuBLAS/cuDNN stand-ins".
#include <cstdint>
#include <vector>

#include "device_range_check.h"
#include "host_gemm.h"
#include "object_registry.h"
#include "standin_api.h"
#include "stream_submission.h"

using namespace ntr_standin;

namespace {

struct CublasContext {
    void* stream = nullptr;
    int math_mode = CUBLAS_DEFAULT_MATH;
    void* workspace = nullptr;   // nullptr: cuBLAS's own default workspace pool
    size_t workspace_bytes = 0;
};

enum class CublasObject { Handle };

ObjectRegistry<CublasObject>& registry()
{
    static auto* live = new ObjectRegistry<CublasObject>();  // never destroyed: handles may be released during exit
    return *live;
}

CublasContext* context(void* handle)
{
    if (handle == nullptr || !registry().contains(handle, CublasObject::Handle)) {
        return nullptr;
    }
    return static_cast<CublasContext*>(handle);
}

bool is_data_type(int t) { return t >= 0 && t <= CUDA_DATA_TYPE_LAST; }

bool is_compute_type(int t)
{
    switch (t) {
    case CUBLAS_COMPUTE_16F:
    case CUBLAS_COMPUTE_16F_PEDANTIC:
    case CUBLAS_COMPUTE_32F:
    case CUBLAS_COMPUTE_32F_PEDANTIC:
    case CUBLAS_COMPUTE_64F:
    case CUBLAS_COMPUTE_64F_PEDANTIC:
    case CUBLAS_COMPUTE_32I:
    case CUBLAS_COMPUTE_32I_PEDANTIC:
    case CUBLAS_COMPUTE_32F_FAST_16F:
    case CUBLAS_COMPUTE_32F_FAST_16BF:
    case CUBLAS_COMPUTE_32F_FAST_TF32:
    case CUBLAS_COMPUTE_32F_EMULATED_16BFX9:
    case CUBLAS_COMPUTE_64F_EMULATED_FIXEDPOINT:
        return true;
    default:
        return false;
    }
}

bool is_algo(int a)
{
    return a == CUBLAS_GEMM_DEFAULT || (a >= 0 && a <= CUBLAS_GEMM_ALGO23) || a == CUBLAS_GEMM_DEFAULT_TENSOR_OP
        || (a >= CUBLAS_GEMM_ALGO0_TENSOR_OP && a <= CUBLAS_GEMM_ALGO15_TENSOR_OP);
}

bool is_operation(int op) { return op == CUBLAS_OP_N || op == CUBLAS_OP_T || op == CUBLAS_OP_C; }

/// The type combinations this stand-in computes (a subset of cublasGemmEx's table).
enum class GemmKind { Unsupported, Float, Bf16ToBf16, Bf16ToFloat, Double };

GemmKind classify(int aType, int bType, int cType, int computeType)
{
    const bool all32 = aType == CUDA_R_32F && bType == CUDA_R_32F && cType == CUDA_R_32F;
    switch (computeType) {
    case CUBLAS_COMPUTE_32F:
    case CUBLAS_COMPUTE_32F_PEDANTIC:
        if (all32) {
            return GemmKind::Float;
        }
        if (aType == CUDA_R_16BF && bType == CUDA_R_16BF) {
            if (cType == CUDA_R_16BF) {
                return GemmKind::Bf16ToBf16;
            }
            if (cType == CUDA_R_32F) {
                return GemmKind::Bf16ToFloat;
            }
        }
        return GemmKind::Unsupported;
    case CUBLAS_COMPUTE_32F_FAST_TF32:
    case CUBLAS_COMPUTE_32F_FAST_16BF:
        return all32 ? GemmKind::Float : GemmKind::Unsupported;
    case CUBLAS_COMPUTE_64F:
    case CUBLAS_COMPUTE_64F_PEDANTIC:
        return aType == CUDA_R_64F && bType == CUDA_R_64F && cType == CUDA_R_64F ? GemmKind::Double : GemmKind::Unsupported;
    default:
        return GemmKind::Unsupported;
    }
}

/// What the tensor cores would do to fp32 inputs: TF32 for FAST_TF32, or for COMPUTE_32F when the handle's math
/// mode is CUBLAS_TF32_TENSOR_OP_MATH; bfloat16 for FAST_16BF; nothing for the PEDANTIC compute types.
InputRounding float_rounding(int computeType, int mathMode)
{
    if (computeType == CUBLAS_COMPUTE_32F_FAST_TF32) {
        return InputRounding::Tf32;
    }
    if (computeType == CUBLAS_COMPUTE_32F_FAST_16BF) {
        return InputRounding::Bf16;
    }
    if (computeType == CUBLAS_COMPUTE_32F && (mathMode & 0xf) == CUBLAS_TF32_TENSOR_OP_MATH) {
        return InputRounding::Tf32;
    }
    return InputRounding::None;
}

/// One column-major GEMM: C = alpha * op(A) * op(B) + beta * C (C not read when beta == 0).
template <class Acc, class TIn, class TOut>
void gemm_one(int transa, int transb, int m, int n, int k, Acc alpha, const TIn* a, int lda, const TIn* b, int ldb, Acc beta,
    TOut* c, int ldc, InputRounding rounding)
{
    thread_local std::vector<Acc> product;
    const bool multiply = k > 0 && alpha != Acc(0);
    if (multiply) {
        product.assign(static_cast<size_t>(m) * n, Acc(0));
        // op(A)(i, l): A stored column-major, element (r, s) at a[r + s * lda]
        StridedMatrix<TIn> va = transa == CUBLAS_OP_N ? StridedMatrix<TIn>{a, 1, lda} : StridedMatrix<TIn>{a, lda, 1};
        StridedMatrix<TIn> vb = transb == CUBLAS_OP_N ? StridedMatrix<TIn>{b, 1, ldb} : StridedMatrix<TIn>{b, ldb, 1};
        gemm_accumulate<Acc>(m, n, k, va, vb, rounding, product.data(), m);
    }
    for (int j = 0; j < n; j++) {
        TOut* cj = c + static_cast<int64_t>(j) * ldc;
        const Acc* pj = multiply ? product.data() + static_cast<int64_t>(j) * m : nullptr;
        for (int i = 0; i < m; i++) {
            Acc v = multiply ? alpha * pj[i] : Acc(0);
            if (beta != Acc(0)) {
                v += beta * to_acc<Acc>(cj[i]);
            }
            if constexpr (sizeof(TOut) == 2) {
                cj[i] = float_to_bf16(static_cast<float>(v));
            } else {
                cj[i] = static_cast<TOut>(v);
            }
        }
    }
}

int gemm_batched(const char* call, void* handle, int transa, int transb, int m, int n, int k, const void* alpha, const void* a, int aType, int lda,
    long long strideA, const void* b, int bType, int ldb, long long strideB, const void* beta, void* c, int cType, int ldc,
    long long strideC, int batchCount, int computeType, int algo)
{
    CublasContext* ctx = context(handle);
    if (ctx == nullptr) {
        return report(CUBLAS_STATUS_NOT_INITIALIZED, call, "handle %p is not a live cuBLAS handle (create it with cublasCreate_v2)", handle);
    }
    // argument checks of cublasGemmEx / cublasGemmStridedBatchedEx (cuBLAS documentation, "Return Value")
    if (m < 0 || n < 0 || k < 0 || batchCount < 0) {
        return report(CUBLAS_STATUS_INVALID_VALUE, call, "m = %d, n = %d, k = %d, batchCount = %d: sizes must not be negative", m, n, k, batchCount);
    }
    if (!is_operation(transa) || !is_operation(transb)) {
        return report(CUBLAS_STATUS_INVALID_VALUE, call, "transa = %d, transb = %d: each must be CUBLAS_OP_N (0), _T (1) or _C (2)", transa, transb);
    }
    const int rowsA = transa == CUBLAS_OP_N ? m : k;  // rows of A as stored
    const int rowsB = transb == CUBLAS_OP_N ? k : n;
    if (lda < std::max(1, rowsA)) {
        return report(CUBLAS_STATUS_INVALID_VALUE, call, "lda = %d < max(1, %d), the rows of A as stored (transa = %d, m = %d, k = %d)", lda, rowsA, transa, m, k);
    }
    if (ldb < std::max(1, rowsB)) {
        return report(CUBLAS_STATUS_INVALID_VALUE, call, "ldb = %d < max(1, %d), the rows of B as stored (transb = %d, k = %d, n = %d)", ldb, rowsB, transb, k, n);
    }
    if (ldc < std::max(1, m)) {
        return report(CUBLAS_STATUS_INVALID_VALUE, call, "ldc = %d < max(1, m = %d)", ldc, m);
    }
    if (alpha == nullptr || beta == nullptr) {
        return report(CUBLAS_STATUS_INVALID_VALUE, call, "alpha or beta is NULL");
    }
    if (!is_data_type(aType) || !is_data_type(bType) || !is_data_type(cType) || !is_compute_type(computeType) || !is_algo(algo)) {
        return report(CUBLAS_STATUS_INVALID_VALUE, call, "Atype %d, Btype %d, Ctype %d, computeType %d or algo %d is not a cudaDataType / cublasComputeType_t / cublasGemmAlgo_t value",
            aType, bType, cType, computeType, algo);
    }
    const GemmKind kind = classify(aType, bType, cType, computeType);
    if (kind == GemmKind::Unsupported) {
        return report(CUBLAS_STATUS_NOT_SUPPORTED, call, "Atype %d, Btype %d, Ctype %d with computeType %d is not a combination the stand-in computes (kernels/emulator/README.md lists them)",
            aType, bType, cType, computeType);
    }
    if (m == 0 || n == 0 || batchCount == 0) {
        return CUBLAS_STATUS_SUCCESS;
    }
    if (c == nullptr || (k > 0 && (a == nullptr || b == nullptr))) {
        // a null device pointer would fault on the GPU (an illegal address the next sync reports)
        return report(CUBLAS_STATUS_INVALID_VALUE, call, "a NULL device pointer (A %p, B %p, C %p)", a, b, c);
    }
    // every element the GEMM touches must be inside a device buffer (the emulator's memory map, when linked)
    const size_t in_bytes = aType == CUDA_R_64F ? 8 : aType == CUDA_R_16BF ? 2 : 4;
    const size_t out_bytes = cType == CUDA_R_64F ? 8 : cType == CUDA_R_16BF ? 2 : 4;
    const int colsA = transa == CUBLAS_OP_N ? k : m, colsB = transb == CUBLAS_OP_N ? n : k;
    std::vector<OperandRange> operands{{"C", c, matrix_span(m, n, ldc, strideC, batchCount), out_bytes}};
    if (k > 0) {
        operands.push_back({"A", a, matrix_span(rowsA, colsA, lda, strideA, batchCount), in_bytes});
        operands.push_back({"B", b, matrix_span(rowsB, colsB, ldb, strideB, batchCount), in_bytes});
    }
    if (!device_ranges_ok(call, operands)) {
        return CUBLAS_STATUS_EXECUTION_FAILED;  // on a GPU: an illegal-address fault, or silently wrong neighbours
    }
    const InputRounding rounding = float_rounding(computeType, ctx->math_mode);
    // pointer mode host: the scalars are read now, whenever the work runs
    double alpha_value, beta_value;
    if (kind == GemmKind::Double) {
        alpha_value = *static_cast<const double*>(alpha);
        beta_value = *static_cast<const double*>(beta);
    } else {
        alpha_value = *static_cast<const float*>(alpha);
        beta_value = *static_cast<const float*>(beta);
    }
    auto work = [=]() {
        if (!device_ranges_ok(call, operands)) {
            return CudaErrorIllegalAddress;  // replayed from a graph after a buffer was freed
        }
        for (int batch = 0; batch < batchCount; batch++) {
            const int64_t oa = static_cast<int64_t>(batch) * strideA, ob = static_cast<int64_t>(batch) * strideB,
                          oc = static_cast<int64_t>(batch) * strideC;
            const float af = static_cast<float>(alpha_value), bf = static_cast<float>(beta_value);
            switch (kind) {
            case GemmKind::Float:
                gemm_one<float>(transa, transb, m, n, k, af, static_cast<const float*>(a) + oa, lda, static_cast<const float*>(b) + ob, ldb, bf,
                    static_cast<float*>(c) + oc, ldc, rounding);
                break;
            case GemmKind::Bf16ToBf16:
                gemm_one<float>(transa, transb, m, n, k, af, static_cast<const Bf16*>(a) + oa, lda, static_cast<const Bf16*>(b) + ob, ldb, bf,
                    static_cast<Bf16*>(c) + oc, ldc, InputRounding::None);
                break;
            case GemmKind::Bf16ToFloat:
                gemm_one<float>(transa, transb, m, n, k, af, static_cast<const Bf16*>(a) + oa, lda, static_cast<const Bf16*>(b) + ob, ldb, bf,
                    static_cast<float*>(c) + oc, ldc, InputRounding::None);
                break;
            case GemmKind::Double:
                gemm_one<double>(transa, transb, m, n, k, alpha_value, static_cast<const double*>(a) + oa, lda, static_cast<const double*>(b) + ob,
                    ldb, beta_value, static_cast<double*>(c) + oc, ldc, InputRounding::None);
                break;
            case GemmKind::Unsupported:
                break;
            }
        }
        return 0;
    };
    if (submit_to_stream(ctx->stream, std::move(work)) != 0) {
        return CUBLAS_STATUS_EXECUTION_FAILED;  // the stream refused the work (unknown stream, invalidated capture)
    }
    return CUBLAS_STATUS_SUCCESS;
}

}  // namespace

NTR_STANDIN_EXPORT int cublasCreate_v2(void** handle)
{
    if (handle == nullptr) {
        return report(CUBLAS_STATUS_INVALID_VALUE, "cublasCreate_v2", "the output pointer is NULL");
    }
    auto* ctx = new CublasContext();
    registry().add(ctx, CublasObject::Handle);
    *handle = ctx;
    return CUBLAS_STATUS_SUCCESS;
}

NTR_STANDIN_EXPORT int cublasDestroy_v2(void* handle)
{
    if (handle == nullptr || !registry().remove(handle, CublasObject::Handle)) {
        return report(CUBLAS_STATUS_NOT_INITIALIZED, "cublasDestroy_v2", "%p is not a live cuBLAS handle (destroyed twice?)", handle);
    }
    delete static_cast<CublasContext*>(handle);
    return CUBLAS_STATUS_SUCCESS;
}

NTR_STANDIN_EXPORT int cublasSetStream_v2(void* handle, void* stream)
{
    CublasContext* ctx = context(handle);
    if (ctx == nullptr) {
        return report(CUBLAS_STATUS_NOT_INITIALIZED, "cublasSetStream_v2", "%p is not a live cuBLAS handle", handle);
    }
    ctx->stream = stream;
    // "this function unconditionally resets the cuBLAS library workspace back to the default workspace pool"
    ctx->workspace = nullptr;
    ctx->workspace_bytes = 0;
    return CUBLAS_STATUS_SUCCESS;
}

NTR_STANDIN_EXPORT int cublasSetMathMode(void* handle, int mode)
{
    CublasContext* ctx = context(handle);
    if (ctx == nullptr) {
        return report(CUBLAS_STATUS_NOT_INITIALIZED, "cublasSetMathMode", "%p is not a live cuBLAS handle", handle);
    }
    const int base = mode & ~CUBLAS_MATH_DISALLOW_REDUCED_PRECISION_REDUCTION;
    if (base != CUBLAS_DEFAULT_MATH && base != CUBLAS_TENSOR_OP_MATH && base != CUBLAS_PEDANTIC_MATH && base != CUBLAS_TF32_TENSOR_OP_MATH
        && base != CUBLAS_FP32_EMULATED_BF16X9_MATH && base != CUBLAS_FP64_EMULATED_FIXEDPOINT_MATH) {
        return report(CUBLAS_STATUS_INVALID_VALUE, "cublasSetMathMode", "math mode %d is not a cublasMath_t value", mode);
    }
    ctx->math_mode = mode;
    return CUBLAS_STATUS_SUCCESS;
}

NTR_STANDIN_EXPORT int cublasSetWorkspace_v2(void* handle, void* workspace, size_t bytes)
{
    CublasContext* ctx = context(handle);
    if (ctx == nullptr) {
        return report(CUBLAS_STATUS_NOT_INITIALIZED, "cublasSetWorkspace_v2", "%p is not a live cuBLAS handle", handle);
    }
    // "the workspace pointer has to be aligned to at least 256 bytes, otherwise CUBLAS_STATUS_INVALID_VALUE"
    if (reinterpret_cast<uintptr_t>(workspace) % 256 != 0) {
        return report(CUBLAS_STATUS_INVALID_VALUE, "cublasSetWorkspace_v2", "workspace %p is not aligned to 256 bytes", workspace);
    }
    ctx->workspace = workspace;
    ctx->workspace_bytes = bytes;
    return CUBLAS_STATUS_SUCCESS;
}

NTR_STANDIN_EXPORT int cublasGetVersion_v2(void* handle, int* version)
{
    (void)handle;
    if (version == nullptr) {
        return report(CUBLAS_STATUS_NOT_INITIALIZED, "cublasGetVersion_v2", "the version pointer is NULL");  // the documented status
    }
    *version = CUBLAS_STANDIN_VERSION;
    return CUBLAS_STATUS_SUCCESS;
}

NTR_STANDIN_EXPORT int cublasGemmEx(void* handle, int transa, int transb, int m, int n, int k, const void* alpha, const void* a, int aType,
    int lda, const void* b, int bType, int ldb, const void* beta, void* c, int cType, int ldc, int computeType, int algo)
{
    return gemm_batched("cublasGemmEx", handle, transa, transb, m, n, k, alpha, a, aType, lda, 0, b, bType, ldb, 0, beta, c, cType, ldc, 0, 1, computeType, algo);
}

NTR_STANDIN_EXPORT int cublasGemmStridedBatchedEx(void* handle, int transa, int transb, int m, int n, int k, const void* alpha,
    const void* a, int aType, int lda, long long strideA, const void* b, int bType, int ldb, long long strideB, const void* beta,
    void* c, int cType, int ldc, long long strideC, int batchCount, int computeType, int algo)
{
    return gemm_batched("cublasGemmStridedBatchedEx", handle, transa, transb, m, n, k, alpha, a, aType, lda, strideA, b, bType, ldb, strideB, beta, c, cType, ldc,
        strideC, batchCount, computeType, algo);
}
