// The cuBLAS 13 / cuDNN 9 entry points that src/Engine/Backends/Cuda/Native/{Cublas,Cudnn}.cs bind, as the
// emulated device's stand-ins export them (C linkage, default visibility), with the vendor enum values they use.
// Signatures follow the vendor headers: enums are `int`, device pointers are plain host pointers here.
#pragma once

#include <cstddef>
#include <cstdint>

#define NTR_STANDIN_EXPORT extern "C" __attribute__((visibility("default")))

namespace ntr_standin {

// cublasStatus_t
constexpr int CUBLAS_STATUS_SUCCESS = 0;
constexpr int CUBLAS_STATUS_NOT_INITIALIZED = 1;
constexpr int CUBLAS_STATUS_INVALID_VALUE = 7;
constexpr int CUBLAS_STATUS_EXECUTION_FAILED = 13;
constexpr int CUBLAS_STATUS_NOT_SUPPORTED = 15;

// cublasOperation_t
constexpr int CUBLAS_OP_N = 0;
constexpr int CUBLAS_OP_T = 1;
constexpr int CUBLAS_OP_C = 2;

// cudaDataType_t (library_types.h)
constexpr int CUDA_R_32F = 0;
constexpr int CUDA_R_64F = 1;
constexpr int CUDA_R_16BF = 14;
constexpr int CUDA_DATA_TYPE_LAST = 33;  // CUDA_R_4F_E2M1 (CUDA 12.8+): largest enumerant

// cublasComputeType_t
constexpr int CUBLAS_COMPUTE_16F = 64;
constexpr int CUBLAS_COMPUTE_16F_PEDANTIC = 65;
constexpr int CUBLAS_COMPUTE_32F = 68;
constexpr int CUBLAS_COMPUTE_32F_PEDANTIC = 69;
constexpr int CUBLAS_COMPUTE_64F = 70;
constexpr int CUBLAS_COMPUTE_64F_PEDANTIC = 71;
constexpr int CUBLAS_COMPUTE_32I = 72;
constexpr int CUBLAS_COMPUTE_32I_PEDANTIC = 73;
constexpr int CUBLAS_COMPUTE_32F_FAST_16F = 74;
constexpr int CUBLAS_COMPUTE_32F_FAST_16BF = 75;
constexpr int CUBLAS_COMPUTE_32F_FAST_TF32 = 77;
constexpr int CUBLAS_COMPUTE_32F_EMULATED_16BFX9 = 78;
constexpr int CUBLAS_COMPUTE_64F_EMULATED_FIXEDPOINT = 79;

// cublasMath_t
constexpr int CUBLAS_DEFAULT_MATH = 0;
constexpr int CUBLAS_TENSOR_OP_MATH = 1;
constexpr int CUBLAS_PEDANTIC_MATH = 2;
constexpr int CUBLAS_TF32_TENSOR_OP_MATH = 3;
constexpr int CUBLAS_FP32_EMULATED_BF16X9_MATH = 4;
constexpr int CUBLAS_FP64_EMULATED_FIXEDPOINT_MATH = 8;
constexpr int CUBLAS_MATH_DISALLOW_REDUCED_PRECISION_REDUCTION = 16;

// cublasGemmAlgo_t
constexpr int CUBLAS_GEMM_DEFAULT = -1;
constexpr int CUBLAS_GEMM_ALGO23 = 23;
constexpr int CUBLAS_GEMM_DEFAULT_TENSOR_OP = 99;
constexpr int CUBLAS_GEMM_ALGO0_TENSOR_OP = 100;
constexpr int CUBLAS_GEMM_ALGO15_TENSOR_OP = 115;

/// CUBLAS_VERSION of the library the stand-in imitates (13.1.0).
constexpr int CUBLAS_STANDIN_VERSION = 130100;

// cudnnStatus_t (cuDNN 9 numbering)
constexpr int CUDNN_STATUS_SUCCESS = 0;
constexpr int CUDNN_STATUS_NOT_INITIALIZED = 1001;
constexpr int CUDNN_STATUS_BAD_PARAM = 2000;
constexpr int CUDNN_STATUS_BAD_PARAM_NULL_POINTER = 2002;
constexpr int CUDNN_STATUS_NOT_SUPPORTED = 3000;
constexpr int CUDNN_STATUS_INTERNAL_ERROR = 4000;
constexpr int CUDNN_STATUS_EXECUTION_FAILED = 5000;

// cudnnDataType_t
constexpr int CUDNN_DATA_FLOAT = 0;
constexpr int CUDNN_DATA_DOUBLE = 1;
constexpr int CUDNN_DATA_HALF = 2;
constexpr int CUDNN_DATA_BFLOAT16 = 9;
constexpr int CUDNN_DATA_TYPE_LAST = 21;  // CUDNN_DATA_COMPLEX_FP64 (9.14+): largest enumerant

// cudnnTensorFormat_t
constexpr int CUDNN_TENSOR_NCHW = 0;
constexpr int CUDNN_TENSOR_NHWC = 1;
constexpr int CUDNN_TENSOR_NCHW_VECT_C = 2;

// cudnnConvolutionMode_t
constexpr int CUDNN_CONVOLUTION = 0;
constexpr int CUDNN_CROSS_CORRELATION = 1;

// cudnnMathType_t
constexpr int CUDNN_DEFAULT_MATH = 0;
constexpr int CUDNN_TENSOR_OP_MATH = 1;
constexpr int CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION = 2;
constexpr int CUDNN_FMA_MATH = 3;

// cudnnDeterminism_t
constexpr int CUDNN_NON_DETERMINISTIC = 0;
constexpr int CUDNN_DETERMINISTIC = 1;

// cudnnConvolutionFwdAlgo_t
constexpr int CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM = 0;
constexpr int CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM = 1;
constexpr int CUDNN_CONVOLUTION_FWD_ALGO_GEMM = 2;
constexpr int CUDNN_CONVOLUTION_FWD_ALGO_COUNT = 8;

// cudnnConvolutionBwdDataAlgo_t
constexpr int CUDNN_CONVOLUTION_BWD_DATA_ALGO_0 = 0;
constexpr int CUDNN_CONVOLUTION_BWD_DATA_ALGO_1 = 1;
constexpr int CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT = 6;

// cudnnConvolutionBwdFilterAlgo_t
constexpr int CUDNN_CONVOLUTION_BWD_FILTER_ALGO_0 = 0;
constexpr int CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1 = 1;
constexpr int CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT = 7;

/// CUDNN_VERSION of the library the stand-in imitates (9.10.0: major*10000 + minor*100 + patch).
constexpr size_t CUDNN_STANDIN_VERSION = 91000;

}  // namespace ntr_standin

/// cudnnConvolution{Fwd,BwdData,BwdFilter}AlgoPerf_t: all three have this layout (48 bytes on LP64).
struct cudnnConvolutionAlgoPerfStandin {
    int algo;
    int status;
    float time;
    size_t memory;
    int determinism;
    int mathType;
    int reserved[3];
};
static_assert(sizeof(cudnnConvolutionAlgoPerfStandin) == 48, "cudnnConvolution*AlgoPerf_t is 48 bytes");
static_assert(offsetof(cudnnConvolutionAlgoPerfStandin, memory) == 16, "memory follows 4 bytes of padding");

// ---- cuBLAS ----
NTR_STANDIN_EXPORT int cublasCreate_v2(void** handle);
NTR_STANDIN_EXPORT int cublasDestroy_v2(void* handle);
NTR_STANDIN_EXPORT int cublasSetStream_v2(void* handle, void* stream);
NTR_STANDIN_EXPORT int cublasSetMathMode(void* handle, int mode);
NTR_STANDIN_EXPORT int cublasSetWorkspace_v2(void* handle, void* workspace, size_t bytes);
NTR_STANDIN_EXPORT int cublasGetVersion_v2(void* handle, int* version);
NTR_STANDIN_EXPORT int cublasGemmEx(void* handle, int transa, int transb, int m, int n, int k, const void* alpha,
    const void* a, int aType, int lda, const void* b, int bType, int ldb, const void* beta,
    void* c, int cType, int ldc, int computeType, int algo);
NTR_STANDIN_EXPORT int cublasGemmStridedBatchedEx(void* handle, int transa, int transb, int m, int n, int k, const void* alpha,
    const void* a, int aType, int lda, long long strideA, const void* b, int bType, int ldb, long long strideB,
    const void* beta, void* c, int cType, int ldc, long long strideC, int batchCount, int computeType, int algo);

// ---- cuDNN ----
NTR_STANDIN_EXPORT const char* cudnnGetErrorString(int status);
NTR_STANDIN_EXPORT size_t cudnnGetVersion(void);
NTR_STANDIN_EXPORT int cudnnCreate(void** handle);
NTR_STANDIN_EXPORT int cudnnDestroy(void* handle);
NTR_STANDIN_EXPORT int cudnnSetStream(void* handle, void* stream);
NTR_STANDIN_EXPORT int cudnnCreateTensorDescriptor(void** desc);
NTR_STANDIN_EXPORT int cudnnSetTensor4dDescriptor(void* desc, int format, int dataType, int n, int c, int h, int w);
NTR_STANDIN_EXPORT int cudnnDestroyTensorDescriptor(void* desc);
NTR_STANDIN_EXPORT int cudnnCreateFilterDescriptor(void** desc);
NTR_STANDIN_EXPORT int cudnnSetFilter4dDescriptor(void* desc, int dataType, int format, int k, int c, int h, int w);
NTR_STANDIN_EXPORT int cudnnDestroyFilterDescriptor(void* desc);
NTR_STANDIN_EXPORT int cudnnCreateConvolutionDescriptor(void** desc);
NTR_STANDIN_EXPORT int cudnnSetConvolution2dDescriptor(void* desc, int padH, int padW, int strideH, int strideW,
    int dilationH, int dilationW, int mode, int computeType);
NTR_STANDIN_EXPORT int cudnnSetConvolutionMathType(void* desc, int mathType);
NTR_STANDIN_EXPORT int cudnnDestroyConvolutionDescriptor(void* desc);
NTR_STANDIN_EXPORT int cudnnFindConvolutionForwardAlgorithm(void* handle, void* xDesc, void* wDesc, void* convDesc, void* yDesc,
    int requestedAlgoCount, int* returnedAlgoCount, cudnnConvolutionAlgoPerfStandin* perfResults);
NTR_STANDIN_EXPORT int cudnnFindConvolutionBackwardDataAlgorithm(void* handle, void* wDesc, void* dyDesc, void* convDesc, void* dxDesc,
    int requestedAlgoCount, int* returnedAlgoCount, cudnnConvolutionAlgoPerfStandin* perfResults);
NTR_STANDIN_EXPORT int cudnnFindConvolutionBackwardFilterAlgorithm(void* handle, void* xDesc, void* dyDesc, void* convDesc, void* dwDesc,
    int requestedAlgoCount, int* returnedAlgoCount, cudnnConvolutionAlgoPerfStandin* perfResults);
NTR_STANDIN_EXPORT int cudnnGetConvolutionForwardWorkspaceSize(void* handle, void* xDesc, void* wDesc, void* convDesc, void* yDesc,
    int algo, size_t* sizeInBytes);
NTR_STANDIN_EXPORT int cudnnGetConvolutionBackwardDataWorkspaceSize(void* handle, void* wDesc, void* dyDesc, void* convDesc, void* dxDesc,
    int algo, size_t* sizeInBytes);
NTR_STANDIN_EXPORT int cudnnGetConvolutionBackwardFilterWorkspaceSize(void* handle, void* xDesc, void* dyDesc, void* convDesc, void* dwDesc,
    int algo, size_t* sizeInBytes);
NTR_STANDIN_EXPORT int cudnnConvolutionForward(void* handle, const void* alpha, void* xDesc, const void* x, void* wDesc, const void* w,
    void* convDesc, int algo, void* workSpace, size_t workSpaceSizeInBytes, const void* beta, void* yDesc, void* y);
NTR_STANDIN_EXPORT int cudnnConvolutionBackwardData(void* handle, const void* alpha, void* wDesc, const void* w, void* dyDesc, const void* dy,
    void* convDesc, int algo, void* workSpace, size_t workSpaceSizeInBytes, const void* beta, void* dxDesc, void* dx);
NTR_STANDIN_EXPORT int cudnnConvolutionBackwardFilter(void* handle, const void* alpha, void* xDesc, const void* x, void* dyDesc, const void* dy,
    void* convDesc, int algo, void* workSpace, size_t workSpaceSizeInBytes, const void* beta, void* dwDesc, void* dw);
