// cuDNN stand-in of the emulated CUDA device: cuDNN 9's legacy convolution API as the engine calls it (tensor,
// filter and convolution descriptors; Find*Algorithm; Get*WorkspaceSize; forward, backward data, backward filter)
// for NCHW FLOAT, DOUBLE and BFLOAT16 data (bf16 with FLOAT compute: cuDNN's PSEUDO_BFLOAT16 configuration). Descriptors are validated as cuDNN documents, the convolution geometry is checked
// across x/w/y, and each algorithm has its own workspace requirement that an execution must meet. Algorithms
// compute through im2col + the host GEMM; the ones that report a workspace really keep their buffers in it.
// See README.md, "cuBLAS/cuDNN stand-ins".
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "device_range_check.h"
#include "host_gemm.h"
#include "object_registry.h"
#include "standin_api.h"
#include "stream_submission.h"

using namespace ntr_standin;

namespace {

enum class CudnnObject { Handle, Tensor, Filter, Convolution };

struct HandleState {
    void* stream = nullptr;
};

struct TensorDesc {
    bool set = false;
    int format = CUDNN_TENSOR_NCHW, data_type = CUDNN_DATA_FLOAT;
    int n = 0, c = 0, h = 0, w = 0;
};

struct FilterDesc {
    bool set = false;
    int data_type = CUDNN_DATA_FLOAT, format = CUDNN_TENSOR_NCHW;
    int k = 0, c = 0, h = 0, w = 0;
};

struct ConvDesc {
    bool set = false;
    int pad_h = 0, pad_w = 0, stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
    int mode = CUDNN_CROSS_CORRELATION, compute_type = CUDNN_DATA_FLOAT;
    int math_type = CUDNN_DEFAULT_MATH;
};

ObjectRegistry<CudnnObject>& registry()
{
    static auto* live = new ObjectRegistry<CudnnObject>();  // never destroyed: descriptors may be released during exit
    return *live;
}

template <class T>
T* lookup(void* object, CudnnObject kind)
{
    return object != nullptr && registry().contains(object, kind) ? static_cast<T*>(object) : nullptr;
}

template <class T>
int create(void** out, CudnnObject kind)
{
    if (out == nullptr) {
        return report(CUDNN_STATUS_BAD_PARAM, "cudnnCreate*", "the output pointer is NULL");
    }
    T* object = new T();
    registry().add(object, kind);
    *out = object;
    return CUDNN_STATUS_SUCCESS;
}

template <class T>
int destroy(void* object, CudnnObject kind)
{
    if (object == nullptr) {
        return CUDNN_STATUS_SUCCESS;
    }
    if (!registry().remove(object, kind)) {
        return report(CUDNN_STATUS_BAD_PARAM, "cudnnDestroy*", "%p is not a live object of this kind (destroyed twice?)", object);
    }
    delete static_cast<T*>(object);
    return CUDNN_STATUS_SUCCESS;
}

bool is_data_type(int t) { return t >= 0 && t <= CUDNN_DATA_TYPE_LAST; }

bool is_format(int f) { return f == CUDNN_TENSOR_NCHW || f == CUDNN_TENSOR_NHWC || f == CUDNN_TENSOR_NCHW_VECT_C; }

enum class Direction { Forward, BackwardData, BackwardFilter };

int algo_count(Direction d)
{
    switch (d) {
    case Direction::Forward:
        return CUDNN_CONVOLUTION_FWD_ALGO_COUNT;
    case Direction::BackwardData:
        return CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT;
    default:
        return CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT;
    }
}

/// A validated convolution: x [N,C,H,W] (the input; dx for backward data), w [K,C,R,S], y [N,K,P,Q] (dy).
struct Problem {
    int n, c, h, w, k, r, s, p, q;
    int pad_h, pad_w, stride_h, stride_w, dilation_h, dilation_w;
    bool flip;  // CUDNN_CONVOLUTION: the filter is applied mirrored
    int data_type;
    int math_type;

    int64_t crs() const { return static_cast<int64_t>(c) * r * s; }
    int64_t pq() const { return static_cast<int64_t>(p) * q; }
    int64_t hw() const { return static_cast<int64_t>(h) * w; }
    /// Bytes of one element as the algorithms compute and keep it in the workspace (bf16 data computes in float).
    size_t element_bytes() const { return data_type == CUDNN_DATA_DOUBLE ? 8 : 4; }
    /// Bytes of one element of x, w and y in device memory.
    size_t storage_bytes() const { return data_type == CUDNN_DATA_BFLOAT16 ? 2 : element_bytes(); }
    double macs() const { return static_cast<double>(n) * k * pq() * crs(); }
};

/// The descriptor names of a direction's (input, filter, output) roles, for messages.
const char* const* role_names(Direction d)
{
    static const char* const names[3][3] = {{"xDesc", "wDesc", "yDesc"}, {"dxDesc", "wDesc", "dyDesc"}, {"xDesc", "dwDesc", "dyDesc"}};
    return names[static_cast<int>(d)];
}

/// The checks cudnnConvolution*, cudnnFind*Algorithm and cudnnGet*WorkspaceSize make of their descriptors.
int validate(Direction d, const char* call, void* handle, void* x_desc, void* w_desc, void* conv_desc, void* y_desc, Problem& out)
{
    const char* const* role = role_names(d);
    if (lookup<HandleState>(handle, CudnnObject::Handle) == nullptr) {
        return report(CUDNN_STATUS_BAD_PARAM, call, "handle %p is not a live cuDNN handle (create it with cudnnCreate)", handle);
    }
    const TensorDesc* x = lookup<TensorDesc>(x_desc, CudnnObject::Tensor);
    const FilterDesc* w = lookup<FilterDesc>(w_desc, CudnnObject::Filter);
    const ConvDesc* conv = lookup<ConvDesc>(conv_desc, CudnnObject::Convolution);
    const TensorDesc* y = lookup<TensorDesc>(y_desc, CudnnObject::Tensor);
    const char* problem = x == nullptr ? role[0] : w == nullptr ? role[1] : conv == nullptr ? "convDesc" : y == nullptr ? role[2] : nullptr;
    if (problem != nullptr) {
        return report(CUDNN_STATUS_BAD_PARAM, call, "%s is NULL, destroyed, or a descriptor of another kind", problem);
    }
    problem = !x->set ? role[0] : !w->set ? role[1] : !conv->set ? "convDesc" : !y->set ? role[2] : nullptr;
    if (problem != nullptr) {
        return report(CUDNN_STATUS_BAD_PARAM, call, "%s was created but never set", problem);
    }
    if (x->data_type != w->data_type || x->data_type != y->data_type) {
        return report(CUDNN_STATUS_BAD_PARAM, call, "data types differ: %s %d, %s %d, %s %d", role[0], x->data_type, role[1], w->data_type, role[2], y->data_type);
    }
    if (x->c != w->c) {
        return report(CUDNN_STATUS_BAD_PARAM, call, "%s has %d channels but %s expects %d (group count 1)", role[0], x->c, role[1], w->c);
    }
    const int effective_r = (w->h - 1) * conv->dilation_h + 1;
    const int effective_s = (w->w - 1) * conv->dilation_w + 1;
    if (effective_r > x->h + 2 * conv->pad_h || effective_s > x->w + 2 * conv->pad_w) {
        return report(CUDNN_STATUS_BAD_PARAM, call, "the dilated %dx%d filter spans %dx%d, more than the padded %dx%d input", w->h, w->w, effective_r,
            effective_s, x->h + 2 * conv->pad_h, x->w + 2 * conv->pad_w);
    }
    const int p = 1 + (x->h + 2 * conv->pad_h - effective_r) / conv->stride_h;
    const int q = 1 + (x->w + 2 * conv->pad_w - effective_s) / conv->stride_w;
    if (y->n != x->n || y->c != w->k || y->h != p || y->w != q) {
        return report(CUDNN_STATUS_BAD_PARAM, call, "%s is [%d,%d,%d,%d] but the convolution of %s [%d,%d,%d,%d] with %s [%d,%d,%d,%d] (pad %d,%d, stride %d,%d, dilation %d,%d) gives [%d,%d,%d,%d]",
            role[2], y->n, y->c, y->h, y->w, role[0], x->n, x->c, x->h, x->w, role[1], w->k, w->c, w->h, w->w, conv->pad_h, conv->pad_w,
            conv->stride_h, conv->stride_w, conv->dilation_h, conv->dilation_w, x->n, w->k, p, q);
    }
    if (x->format != CUDNN_TENSOR_NCHW || w->format != CUDNN_TENSOR_NCHW || y->format != CUDNN_TENSOR_NCHW) {
        return report(CUDNN_STATUS_NOT_SUPPORTED, call, "only the NCHW layout is implemented by the stand-in");
    }
    if (x->data_type != CUDNN_DATA_FLOAT && x->data_type != CUDNN_DATA_DOUBLE && x->data_type != CUDNN_DATA_BFLOAT16) {
        return report(CUDNN_STATUS_NOT_SUPPORTED, call, "data type %d: the stand-in implements FLOAT (0), DOUBLE (1) and BFLOAT16 (9) only", x->data_type);
    }
    const int needed_compute = x->data_type == CUDNN_DATA_BFLOAT16 ? CUDNN_DATA_FLOAT : x->data_type;
    if (conv->compute_type != needed_compute) {
        return report(CUDNN_STATUS_NOT_SUPPORTED, call,
            "compute type %d with data type %d: FLOAT data needs FLOAT compute, DOUBLE data DOUBLE compute, BFLOAT16 data FLOAT compute",
            conv->compute_type, x->data_type);
    }
    out = Problem{x->n, x->c, x->h, x->w, w->k, w->h, w->w, p, q, conv->pad_h, conv->pad_w, conv->stride_h, conv->stride_w,
        conv->dilation_h, conv->dilation_w, conv->mode == CUDNN_CONVOLUTION, x->data_type, conv->math_type};
    return CUDNN_STATUS_SUCCESS;
}

size_t align256(int64_t bytes) { return static_cast<size_t>((bytes + 255) / 256 * 256); }

/// What one algorithm needs for one problem and math type.
struct AlgoInfo {
    bool supported;
    bool tf32;          // FLOAT data on a GEMM-based algorithm with tensor ops allowed: inputs rounded to TF32
    size_t workspace;   // bytes
    int determinism;
    size_t primary_bytes;  // the first part of the workspace (column buffer or offset table); TF32 staging follows
};

AlgoInfo algo_info(Direction d, const Problem& p, int algo, int math_type)
{
    const bool float_tensor_ops = p.data_type == CUDNN_DATA_FLOAT && math_type != CUDNN_FMA_MATH;
    const size_t columns = align256(p.crs() * p.pq() * static_cast<int64_t>(p.element_bytes()));
    const size_t filter_copy = align256(static_cast<int64_t>(p.k) * p.crs() * 4);
    AlgoInfo info{false, false, 0, CUDNN_DETERMINISTIC, 0};
    switch (d) {
    case Direction::Forward:
        if (algo == CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM) {
            info = AlgoInfo{true, false, 0, CUDNN_DETERMINISTIC, 0};
        } else if (algo == CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM) {
            const size_t table = align256(p.crs() * 3 * 4);
            info = AlgoInfo{true, float_tensor_ops, table + (float_tensor_ops ? filter_copy : 0), CUDNN_DETERMINISTIC, table};
        } else if (algo == CUDNN_CONVOLUTION_FWD_ALGO_GEMM) {
            info = AlgoInfo{true, float_tensor_ops, columns + (float_tensor_ops ? filter_copy : 0), CUDNN_DETERMINISTIC, columns};
        }
        break;
    case Direction::BackwardData:
        if (algo == CUDNN_CONVOLUTION_BWD_DATA_ALGO_0) {
            info = AlgoInfo{true, false, 0, CUDNN_NON_DETERMINISTIC, 0};
        } else if (algo == CUDNN_CONVOLUTION_BWD_DATA_ALGO_1) {
            info = AlgoInfo{true, float_tensor_ops, columns + (float_tensor_ops ? filter_copy : 0), CUDNN_DETERMINISTIC, columns};
        }
        break;
    case Direction::BackwardFilter:
        if (algo == CUDNN_CONVOLUTION_BWD_FILTER_ALGO_0) {
            info = AlgoInfo{true, false, 0, CUDNN_NON_DETERMINISTIC, 0};
        } else if (algo == CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1) {
            const size_t gradient_copy = align256(static_cast<int64_t>(p.k) * p.pq() * 4);
            info = AlgoInfo{true, float_tensor_ops, columns + (float_tensor_ops ? gradient_copy : 0), CUDNN_DETERMINISTIC, columns};
        }
        break;
    }
    return info;
}

/// A made-up but reproducible time: the stand-in never times anything.
float fake_time_ms(Direction d, const Problem& p, int algo, bool tf32)
{
    static const double fwd[] = {1.0, 0.8, 0.6};
    static const double bwd[] = {0.7, 0.9};
    const double factor = d == Direction::Forward ? fwd[algo] : bwd[algo];
    return static_cast<float>(0.005 + p.macs() * 1e-9 * factor * (tf32 ? 0.25 : 1.0));
}

int find(Direction d, void* handle, void* x_desc, void* w_desc, void* conv_desc, void* y_desc, int requested, int* returned,
    cudnnConvolutionAlgoPerfStandin* results)
{
    static const char* const calls[] = {"cudnnFindConvolutionForwardAlgorithm", "cudnnFindConvolutionBackwardDataAlgorithm",
        "cudnnFindConvolutionBackwardFilterAlgorithm"};
    const char* call = calls[static_cast<int>(d)];
    Problem p;
    const int status = validate(d, call, handle, x_desc, w_desc, conv_desc, y_desc, p);
    if (status != CUDNN_STATUS_SUCCESS) {
        return status;
    }
    if (requested <= 0 || returned == nullptr || results == nullptr) {
        return report(CUDNN_STATUS_BAD_PARAM, call, "requestedAlgoCount = %d must be >= 1 and the outputs non-NULL", requested);
    }
    std::vector<cudnnConvolutionAlgoPerfStandin> ok, failed;
    auto entry = [&](int algo, const AlgoInfo& info, int math_type) {
        cudnnConvolutionAlgoPerfStandin r{};
        r.algo = algo;
        r.status = CUDNN_STATUS_SUCCESS;
        r.time = fake_time_ms(d, p, algo, info.tf32);
        r.memory = info.workspace;
        r.determinism = info.determinism;
        r.mathType = math_type;
        ok.push_back(r);
    };
    for (int algo = 0; algo < algo_count(d); algo++) {
        const AlgoInfo info = algo_info(d, p, algo, p.math_type);
        if (!info.supported) {
            cudnnConvolutionAlgoPerfStandin r{};
            r.algo = algo;
            r.status = CUDNN_STATUS_NOT_SUPPORTED;
            r.time = -1.0f;
            failed.push_back(r);
            continue;
        }
        if (info.tf32) {
            // the descriptor allows tensor ops: report the TF32 variant and, as a separate entry, the FMA one
            entry(algo, info, CUDNN_TENSOR_OP_MATH);
            entry(algo, algo_info(d, p, algo, CUDNN_FMA_MATH), CUDNN_FMA_MATH);
        } else {
            entry(algo, info, p.data_type == CUDNN_DATA_FLOAT ? CUDNN_FMA_MATH : CUDNN_DEFAULT_MATH);
        }
    }
    std::stable_sort(ok.begin(), ok.end(), [](const auto& a, const auto& b) { return a.time < b.time; });
    ok.insert(ok.end(), failed.begin(), failed.end());
    const int count = std::min(requested, static_cast<int>(ok.size()));
    std::copy(ok.begin(), ok.begin() + count, results);
    *returned = count;
    return CUDNN_STATUS_SUCCESS;
}

int workspace_size(Direction d, void* handle, void* x_desc, void* w_desc, void* conv_desc, void* y_desc, int algo, size_t* bytes)
{
    static const char* const calls[] = {"cudnnGetConvolutionForwardWorkspaceSize", "cudnnGetConvolutionBackwardDataWorkspaceSize",
        "cudnnGetConvolutionBackwardFilterWorkspaceSize"};
    const char* call = calls[static_cast<int>(d)];
    Problem p;
    const int status = validate(d, call, handle, x_desc, w_desc, conv_desc, y_desc, p);
    if (status != CUDNN_STATUS_SUCCESS) {
        return status;
    }
    if (bytes == nullptr || algo < 0 || algo >= algo_count(d)) {
        return report(CUDNN_STATUS_BAD_PARAM, call, "algorithm %d is outside the enum (0..%d) or sizeInBytes is NULL", algo, algo_count(d) - 1);
    }
    const AlgoInfo info = algo_info(d, p, algo, p.math_type);
    if (!info.supported) {
        return report(CUDNN_STATUS_NOT_SUPPORTED, call, "algorithm %d is not implemented by the stand-in", algo);
    }
    *bytes = info.workspace;
    return CUDNN_STATUS_SUCCESS;
}

// ---- the arithmetic: im2col / col2im around the host GEMM ----

/// Offset of tap (r, s) from the output position's corner, honouring dilation and CUDNN_CONVOLUTION's mirroring.
inline void tap(const Problem& p, int r, int s, int& dh, int& dw)
{
    dh = (p.flip ? p.r - 1 - r : r) * p.dilation_h;
    dw = (p.flip ? p.s - 1 - s : s) * p.dilation_w;
}

/// cols[(c*R + r)*S + s][p*Q + q] = x[c][p*stride - pad + dh][q*stride - pad + dw] (0 outside the image).
template <class T>
void im2col(const T* x, const Problem& p, T* cols)
{
    for (int c = 0; c < p.c; c++) {
        for (int r = 0; r < p.r; r++) {
            for (int s = 0; s < p.s; s++) {
                int dh, dw;
                tap(p, r, s, dh, dw);
                T* dst = cols + ((static_cast<int64_t>(c) * p.r + r) * p.s + s) * p.pq();
                const T* plane = x + c * p.hw();
                for (int op = 0; op < p.p; op++) {
                    T* d = dst + static_cast<int64_t>(op) * p.q;
                    const int ih = op * p.stride_h - p.pad_h + dh;
                    if (ih < 0 || ih >= p.h) {
                        std::fill(d, d + p.q, T(0));
                        continue;
                    }
                    const T* row = plane + static_cast<int64_t>(ih) * p.w;
                    for (int oq = 0; oq < p.q; oq++) {
                        const int iw = oq * p.stride_w - p.pad_w + dw;
                        d[oq] = iw >= 0 && iw < p.w ? row[iw] : T(0);
                    }
                }
            }
        }
    }
}

/// The precomputed-index form (IMPLICIT_PRECOMP_GEMM): table[row] = {offset of the tap in the image, dh, dw}.
void build_tap_table(const Problem& p, int32_t* table)
{
    for (int c = 0; c < p.c; c++) {
        for (int r = 0; r < p.r; r++) {
            for (int s = 0; s < p.s; s++) {
                int dh, dw;
                tap(p, r, s, dh, dw);
                int32_t* e = table + ((static_cast<int64_t>(c) * p.r + r) * p.s + s) * 3;
                e[0] = static_cast<int32_t>(c * p.hw() + static_cast<int64_t>(dh) * p.w + dw);
                e[1] = dh;
                e[2] = dw;
            }
        }
    }
}

template <class T>
void gather_with_table(const T* x, const Problem& p, const int32_t* table, T* cols)
{
    for (int64_t row = 0; row < p.crs(); row++) {
        const int32_t* e = table + row * 3;
        T* dst = cols + row * p.pq();
        for (int op = 0; op < p.p; op++) {
            const int ih = op * p.stride_h - p.pad_h + e[1];
            T* d = dst + static_cast<int64_t>(op) * p.q;
            if (ih < 0 || ih >= p.h) {
                std::fill(d, d + p.q, T(0));
                continue;
            }
            const int64_t row_start = e[0] + static_cast<int64_t>(op * p.stride_h - p.pad_h) * p.w - p.pad_w;
            for (int oq = 0; oq < p.q; oq++) {
                const int iw = oq * p.stride_w - p.pad_w + e[2];
                d[oq] = iw >= 0 && iw < p.w ? x[row_start + static_cast<int64_t>(oq) * p.stride_w] : T(0);
            }
        }
    }
}

/// dx[c][ih][iw] += cols[row][p*Q + q]: the adjoint of im2col.
template <class T>
void col2im_add(const T* cols, const Problem& p, T* dx)
{
    for (int c = 0; c < p.c; c++) {
        for (int r = 0; r < p.r; r++) {
            for (int s = 0; s < p.s; s++) {
                int dh, dw;
                tap(p, r, s, dh, dw);
                const T* src = cols + ((static_cast<int64_t>(c) * p.r + r) * p.s + s) * p.pq();
                T* plane = dx + c * p.hw();
                for (int op = 0; op < p.p; op++) {
                    const int ih = op * p.stride_h - p.pad_h + dh;
                    if (ih < 0 || ih >= p.h) {
                        continue;
                    }
                    T* row = plane + static_cast<int64_t>(ih) * p.w;
                    const T* sr = src + static_cast<int64_t>(op) * p.q;
                    for (int oq = 0; oq < p.q; oq++) {
                        const int iw = oq * p.stride_w - p.pad_w + dw;
                        if (iw >= 0 && iw < p.w) {
                            row[iw] += sr[oq];
                        }
                    }
                }
            }
        }
    }
}

/// dst = alpha * computed + beta * dst, dst not read when beta == 0 (cuDNN's scaling-parameter rule).
template <class T>
void blend(T* dst, const T* computed, int64_t count, T alpha, T beta)
{
    if (beta == T(0)) {
        for (int64_t i = 0; i < count; i++) {
            dst[i] = alpha * computed[i];
        }
    } else {
        for (int64_t i = 0; i < count; i++) {
            dst[i] = alpha * computed[i] + beta * dst[i];
        }
    }
}

template <class T>
T* scratch(std::vector<T>& buffer, int64_t count)
{
    buffer.resize(static_cast<size_t>(count));
    return buffer.data();
}

template <class T>
const T* rounded_copy(const T* src, int64_t count, void* where)
{
    T* dst = static_cast<T*>(where);
    for (int64_t i = 0; i < count; i++) {
        dst[i] = apply_rounding(src[i], InputRounding::Tf32);
    }
    return dst;
}

template <class T>
void forward(const Problem& p, int algo, const AlgoInfo& info, T alpha, const T* x, const T* w, unsigned char* ws, T beta, T* y)
{
    thread_local std::vector<T> cols_scratch, product;
    const InputRounding rounding = info.tf32 ? InputRounding::Tf32 : InputRounding::None;
    T* cols = algo == CUDNN_CONVOLUTION_FWD_ALGO_GEMM ? reinterpret_cast<T*>(ws) : scratch(cols_scratch, p.crs() * p.pq());
    int32_t* table = nullptr;
    if (algo == CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM) {
        table = reinterpret_cast<int32_t*>(ws);
        build_tap_table(p, table);
    }
    const T* filter = info.tf32 ? rounded_copy(w, p.k * p.crs(), ws + info.primary_bytes) : w;
    T* out = scratch(product, p.k * p.pq());
    for (int n = 0; n < p.n; n++) {
        const T* xn = x + n * p.c * p.hw();
        if (table != nullptr) {
            gather_with_table(xn, p, table, cols);
        } else {
            im2col(xn, p, cols);
        }
        std::fill(out, out + p.k * p.pq(), T(0));
        // y_n[k][pq] (= column-major PQ x K) = cols^T (PQ x CRS) * w^T (CRS x K)
        gemm_accumulate<T>(static_cast<int>(p.pq()), p.k, static_cast<int>(p.crs()), StridedMatrix<T>{cols, 1, p.pq()},
            StridedMatrix<T>{filter, 1, p.crs()}, rounding, out, p.pq());
        blend(y + n * p.k * p.pq(), out, p.k * p.pq(), alpha, beta);
    }
}

template <class T>
void backward_data(const Problem& p, int algo, const AlgoInfo& info, T alpha, const T* w, const T* dy, unsigned char* ws, T beta, T* dx)
{
    thread_local std::vector<T> cols_scratch, image;
    const InputRounding rounding = info.tf32 ? InputRounding::Tf32 : InputRounding::None;
    T* cols = algo == CUDNN_CONVOLUTION_BWD_DATA_ALGO_1 ? reinterpret_cast<T*>(ws) : scratch(cols_scratch, p.crs() * p.pq());
    const T* filter = info.tf32 ? rounded_copy(w, p.k * p.crs(), ws + info.primary_bytes) : w;
    T* sum = scratch(image, p.c * p.hw());
    for (int n = 0; n < p.n; n++) {
        std::fill(cols, cols + p.crs() * p.pq(), T(0));
        // cols[crs][pq] (= column-major PQ x CRS) = dy_n^T (PQ x K) * w (K x CRS)
        gemm_accumulate<T>(static_cast<int>(p.pq()), static_cast<int>(p.crs()), p.k, StridedMatrix<T>{dy + n * p.k * p.pq(), 1, p.pq()},
            StridedMatrix<T>{filter, p.crs(), 1}, rounding, cols, p.pq());
        std::fill(sum, sum + p.c * p.hw(), T(0));
        col2im_add(cols, p, sum);
        blend(dx + n * p.c * p.hw(), sum, p.c * p.hw(), alpha, beta);
    }
}

template <class T>
void backward_filter(const Problem& p, int algo, const AlgoInfo& info, T alpha, const T* x, const T* dy, unsigned char* ws, T beta, T* dw)
{
    thread_local std::vector<T> cols_scratch, product;
    const InputRounding rounding = info.tf32 ? InputRounding::Tf32 : InputRounding::None;
    T* cols = algo == CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1 ? reinterpret_cast<T*>(ws) : scratch(cols_scratch, p.crs() * p.pq());
    T* out = scratch(product, p.k * p.crs());
    std::fill(out, out + p.k * p.crs(), T(0));
    for (int n = 0; n < p.n; n++) {
        im2col(x + n * p.c * p.hw(), p, cols);
        const T* dyn = dy + n * p.k * p.pq();
        const T* gradient = info.tf32 ? rounded_copy(dyn, p.k * p.pq(), ws + info.primary_bytes) : dyn;
        // dw[k][crs] (= column-major CRS x K) += cols (CRS x PQ) * dy_n^T (PQ x K)
        gemm_accumulate<T>(static_cast<int>(p.crs()), p.k, static_cast<int>(p.pq()), StridedMatrix<T>{cols, p.pq(), 1},
            StridedMatrix<T>{gradient, 1, p.pq()}, rounding, out, p.crs());
    }
    blend(dw, out, p.k * p.crs(), alpha, beta);
}

/// One execution. The descriptors are given in (input x, filter w, output y) roles whatever the direction.
int execute(Direction d, void* handle, const void* alpha, void* x_desc, const void* x, void* w_desc, const void* w, void* conv_desc,
    void* y_desc, const void* y, int algo, void* ws, size_t ws_bytes, const void* beta, void* result)
{
    static const char* const calls[] = {"cudnnConvolutionForward", "cudnnConvolutionBackwardData", "cudnnConvolutionBackwardFilter"};
    const char* call = calls[static_cast<int>(d)];
    Problem p;
    const int status = validate(d, call, handle, x_desc, w_desc, conv_desc, y_desc, p);
    if (status != CUDNN_STATUS_SUCCESS) {
        return status;
    }
    if (alpha == nullptr || beta == nullptr || x == nullptr || w == nullptr || y == nullptr || result == nullptr) {
        return report(CUDNN_STATUS_BAD_PARAM, call, "a NULL pointer among alpha %p, beta %p and the data %p, %p, %p", alpha, beta, x, w, y);
    }
    if (algo < 0 || algo >= algo_count(d)) {
        return report(CUDNN_STATUS_BAD_PARAM, call, "algorithm %d is outside the enum (0..%d)", algo, algo_count(d) - 1);
    }
    const AlgoInfo info = algo_info(d, p, algo, p.math_type);
    if (!info.supported) {
        return report(CUDNN_STATUS_NOT_SUPPORTED, call, "algorithm %d is not implemented by the stand-in", algo);
    }
    if (info.workspace > 0 && (ws == nullptr || ws_bytes < info.workspace)) {
        return report(CUDNN_STATUS_BAD_PARAM, call,
            "workspace %p of %zu bytes, but algorithm %d with math type %d needs %zu bytes (query cudnnGet*WorkspaceSize after the last cudnnSetConvolutionMathType)",
            ws, ws_bytes, algo, p.math_type, info.workspace);
    }
    static const char* const names[3][3] = {{"x", "w", "y"}, {"dx", "w", "dy"}, {"x", "dw", "dy"}};
    const auto* roles = names[static_cast<int>(d)];
    const size_t element = p.storage_bytes();
    const int64_t x_count = static_cast<int64_t>(p.n) * p.c * p.hw(), w_count = static_cast<int64_t>(p.k) * p.crs(),
                  y_count = static_cast<int64_t>(p.n) * p.k * p.pq();
    std::vector<OperandRange> operands{{roles[0], x, Span{0, x_count}, element}, {roles[1], w, Span{0, w_count}, element},
        {roles[2], y, Span{0, y_count}, element}};
    if (info.workspace > 0) {
        operands.push_back({"workSpace", ws, Span{0, static_cast<int64_t>(info.workspace)}, 1});
    }
    if (!device_ranges_ok(call, operands)) {
        return CUDNN_STATUS_EXECUTION_FAILED;  // on a GPU: an illegal-address fault, or silently wrong neighbours
    }
    auto* workspace = static_cast<unsigned char*>(ws);
    std::function<int()> work;
    if (p.data_type == CUDNN_DATA_FLOAT) {
        // pointer mode host: the scalars are read now, whenever the work runs
        const float a = *static_cast<const float*>(alpha), b = *static_cast<const float*>(beta);
        const auto* xf = static_cast<const float*>(x);
        const auto* wf = static_cast<const float*>(w);
        const auto* yf = static_cast<const float*>(y);
        auto* out = static_cast<float*>(result);
        work = [=]() {
            if (!device_ranges_ok(call, operands)) {
                return CudaErrorIllegalAddress;  // replayed from a graph after a buffer was freed
            }
            switch (d) {
            case Direction::Forward: forward<float>(p, algo, info, a, xf, wf, workspace, b, out); break;
            case Direction::BackwardData: backward_data<float>(p, algo, info, a, wf, yf, workspace, b, out); break;
            case Direction::BackwardFilter: backward_filter<float>(p, algo, info, a, xf, yf, workspace, b, out); break;
            }
            return 0;
        };
    } else if (p.data_type == CUDNN_DATA_BFLOAT16) {
        // bf16 operands widened exactly to float, float accumulation, the result rounded to bf16 once (nearest even)
        const float a = *static_cast<const float*>(alpha), b = *static_cast<const float*>(beta);
        const auto* xb = static_cast<const Bf16*>(x);
        const auto* wb = static_cast<const Bf16*>(w);
        const auto* yb = static_cast<const Bf16*>(y);
        auto* out = static_cast<Bf16*>(result);
        const int64_t result_count = d == Direction::Forward ? y_count : d == Direction::BackwardData ? x_count : w_count;
        work = [=]() {
            if (!device_ranges_ok(call, operands)) {
                return CudaErrorIllegalAddress;  // replayed from a graph after a buffer was freed
            }
            auto widen = [](const Bf16* src, int64_t count) {
                std::vector<float> v(static_cast<size_t>(count));
                for (int64_t i = 0; i < count; i++) {
                    v[static_cast<size_t>(i)] = bf16_to_float(src[i]);
                }
                return v;
            };
            const std::vector<float> xf = widen(xb, x_count), wf = widen(wb, w_count), yf = widen(yb, y_count);
            std::vector<float> computed = b == 0.0f ? std::vector<float>(static_cast<size_t>(result_count)) : widen(out, result_count);
            switch (d) {
            case Direction::Forward: forward<float>(p, algo, info, a, xf.data(), wf.data(), workspace, b, computed.data()); break;
            case Direction::BackwardData: backward_data<float>(p, algo, info, a, wf.data(), yf.data(), workspace, b, computed.data()); break;
            case Direction::BackwardFilter: backward_filter<float>(p, algo, info, a, xf.data(), yf.data(), workspace, b, computed.data()); break;
            }
            for (int64_t i = 0; i < result_count; i++) {
                out[i] = float_to_bf16(computed[static_cast<size_t>(i)]);
            }
            return 0;
        };
    } else {
        const double a = *static_cast<const double*>(alpha), b = *static_cast<const double*>(beta);
        const auto* xd = static_cast<const double*>(x);
        const auto* wd = static_cast<const double*>(w);
        const auto* yd = static_cast<const double*>(y);
        auto* out = static_cast<double*>(result);
        work = [=]() {
            if (!device_ranges_ok(call, operands)) {
                return CudaErrorIllegalAddress;  // replayed from a graph after a buffer was freed
            }
            switch (d) {
            case Direction::Forward: forward<double>(p, algo, info, a, xd, wd, workspace, b, out); break;
            case Direction::BackwardData: backward_data<double>(p, algo, info, a, wd, yd, workspace, b, out); break;
            case Direction::BackwardFilter: backward_filter<double>(p, algo, info, a, xd, yd, workspace, b, out); break;
            }
            return 0;
        };
    }
    if (submit_to_stream(lookup<HandleState>(handle, CudnnObject::Handle)->stream, std::move(work)) != 0) {
        return CUDNN_STATUS_EXECUTION_FAILED;  // the stream refused the work (unknown stream, invalidated capture)
    }
    return CUDNN_STATUS_SUCCESS;
}

}  // namespace

NTR_STANDIN_EXPORT const char* cudnnGetErrorString(int status)
{
    switch (status) {
#define NTR_STATUS_NAME(name, value) \
    case value:                      \
        return #name;
        NTR_STATUS_NAME(CUDNN_STATUS_SUCCESS, 0)
        NTR_STATUS_NAME(CUDNN_STATUS_NOT_INITIALIZED, 1001)
        NTR_STATUS_NAME(CUDNN_STATUS_SUBLIBRARY_VERSION_MISMATCH, 1002)
        NTR_STATUS_NAME(CUDNN_STATUS_SERIALIZATION_VERSION_MISMATCH, 1003)
        NTR_STATUS_NAME(CUDNN_STATUS_DEPRECATED, 1004)
        NTR_STATUS_NAME(CUDNN_STATUS_LICENSE_ERROR, 1005)
        NTR_STATUS_NAME(CUDNN_STATUS_RUNTIME_IN_PROGRESS, 1006)
        NTR_STATUS_NAME(CUDNN_STATUS_RUNTIME_FP_OVERFLOW, 1007)
        NTR_STATUS_NAME(CUDNN_STATUS_SUBLIBRARY_LOADING_FAILED, 1008)
        NTR_STATUS_NAME(CUDNN_STATUS_BAD_PARAM, 2000)
        NTR_STATUS_NAME(CUDNN_STATUS_INVALID_VALUE, 2001)
        NTR_STATUS_NAME(CUDNN_STATUS_BAD_PARAM_NULL_POINTER, 2002)
        NTR_STATUS_NAME(CUDNN_STATUS_BAD_PARAM_MISALIGNED_POINTER, 2003)
        NTR_STATUS_NAME(CUDNN_STATUS_BAD_PARAM_NOT_FINALIZED, 2004)
        NTR_STATUS_NAME(CUDNN_STATUS_BAD_PARAM_OUT_OF_BOUND, 2005)
        NTR_STATUS_NAME(CUDNN_STATUS_BAD_PARAM_SIZE_INSUFFICIENT, 2006)
        NTR_STATUS_NAME(CUDNN_STATUS_BAD_PARAM_STREAM_MISMATCH, 2007)
        NTR_STATUS_NAME(CUDNN_STATUS_BAD_PARAM_SHAPE_MISMATCH, 2008)
        NTR_STATUS_NAME(CUDNN_STATUS_BAD_PARAM_DUPLICATED_ENTRIES, 2009)
        NTR_STATUS_NAME(CUDNN_STATUS_BAD_PARAM_ATTRIBUTE_TYPE, 2010)
        NTR_STATUS_NAME(CUDNN_STATUS_BAD_PARAM_CUDA_GRAPH_MISMATCH, 2011)
        NTR_STATUS_NAME(CUDNN_STATUS_BAD_PARAM_DESCRIPTOR_TYPE, 2012)
        NTR_STATUS_NAME(CUDNN_STATUS_NOT_SUPPORTED, 3000)
        NTR_STATUS_NAME(CUDNN_STATUS_NOT_SUPPORTED_GRAPH_PATTERN, 3001)
        NTR_STATUS_NAME(CUDNN_STATUS_NOT_SUPPORTED_SHAPE, 3002)
        NTR_STATUS_NAME(CUDNN_STATUS_NOT_SUPPORTED_DATA_TYPE, 3003)
        NTR_STATUS_NAME(CUDNN_STATUS_NOT_SUPPORTED_LAYOUT, 3004)
        NTR_STATUS_NAME(CUDNN_STATUS_NOT_SUPPORTED_INCOMPATIBLE_CUDA_DRIVER, 3005)
        NTR_STATUS_NAME(CUDNN_STATUS_NOT_SUPPORTED_INCOMPATIBLE_CUDART, 3006)
        NTR_STATUS_NAME(CUDNN_STATUS_NOT_SUPPORTED_ARCH_MISMATCH, 3007)
        NTR_STATUS_NAME(CUDNN_STATUS_NOT_SUPPORTED_RUNTIME_PREREQUISITE_MISSING, 3008)
        NTR_STATUS_NAME(CUDNN_STATUS_NOT_SUPPORTED_SUBLIBRARY_UNAVAILABLE, 3009)
        NTR_STATUS_NAME(CUDNN_STATUS_NOT_SUPPORTED_SHARED_MEMORY_INSUFFICIENT, 3010)
        NTR_STATUS_NAME(CUDNN_STATUS_NOT_SUPPORTED_PADDING, 3011)
        NTR_STATUS_NAME(CUDNN_STATUS_NOT_SUPPORTED_BAD_LAUNCH_PARAM, 3012)
        NTR_STATUS_NAME(CUDNN_STATUS_NOT_SUPPORTED_CUDA_GRAPH_NATIVE_API, 3013)
        NTR_STATUS_NAME(CUDNN_STATUS_INTERNAL_ERROR, 4000)
        NTR_STATUS_NAME(CUDNN_STATUS_INTERNAL_ERROR_COMPILATION_FAILED, 4001)
        NTR_STATUS_NAME(CUDNN_STATUS_INTERNAL_ERROR_UNEXPECTED_VALUE, 4002)
        NTR_STATUS_NAME(CUDNN_STATUS_INTERNAL_ERROR_HOST_ALLOCATION_FAILED, 4003)
        NTR_STATUS_NAME(CUDNN_STATUS_INTERNAL_ERROR_DEVICE_ALLOCATION_FAILED, 4004)
        NTR_STATUS_NAME(CUDNN_STATUS_INTERNAL_ERROR_BAD_LAUNCH_PARAM, 4005)
        NTR_STATUS_NAME(CUDNN_STATUS_INTERNAL_ERROR_TEXTURE_CREATION_FAILED, 4006)
        NTR_STATUS_NAME(CUDNN_STATUS_EXECUTION_FAILED, 5000)
        NTR_STATUS_NAME(CUDNN_STATUS_EXECUTION_FAILED_CUDA_DRIVER, 5001)
        NTR_STATUS_NAME(CUDNN_STATUS_EXECUTION_FAILED_CUBLAS, 5002)
        NTR_STATUS_NAME(CUDNN_STATUS_EXECUTION_FAILED_CUDART, 5003)
        NTR_STATUS_NAME(CUDNN_STATUS_EXECUTION_FAILED_CURAND, 5004)
#undef NTR_STATUS_NAME
    default:
        return "CUDNN_UNKNOWN_STATUS";
    }
}

NTR_STANDIN_EXPORT size_t cudnnGetVersion(void) { return CUDNN_STANDIN_VERSION; }

NTR_STANDIN_EXPORT int cudnnCreate(void** handle) { return create<HandleState>(handle, CudnnObject::Handle); }

NTR_STANDIN_EXPORT int cudnnDestroy(void* handle)
{
    if (handle == nullptr) {
        return report(CUDNN_STATUS_BAD_PARAM, "cudnnDestroy", "the handle is NULL");
    }
    return destroy<HandleState>(handle, CudnnObject::Handle);
}

NTR_STANDIN_EXPORT int cudnnSetStream(void* handle, void* stream)
{
    HandleState* h = lookup<HandleState>(handle, CudnnObject::Handle);
    if (h == nullptr) {
        return report(CUDNN_STATUS_BAD_PARAM, "cudnnSetStream", "handle %p is not a live cuDNN handle", handle);
    }
    h->stream = stream;
    return CUDNN_STATUS_SUCCESS;
}

NTR_STANDIN_EXPORT int cudnnCreateTensorDescriptor(void** desc) { return create<TensorDesc>(desc, CudnnObject::Tensor); }

NTR_STANDIN_EXPORT int cudnnDestroyTensorDescriptor(void* desc) { return destroy<TensorDesc>(desc, CudnnObject::Tensor); }

NTR_STANDIN_EXPORT int cudnnCreateFilterDescriptor(void** desc) { return create<FilterDesc>(desc, CudnnObject::Filter); }

NTR_STANDIN_EXPORT int cudnnDestroyFilterDescriptor(void* desc) { return destroy<FilterDesc>(desc, CudnnObject::Filter); }

NTR_STANDIN_EXPORT int cudnnCreateConvolutionDescriptor(void** desc) { return create<ConvDesc>(desc, CudnnObject::Convolution); }

NTR_STANDIN_EXPORT int cudnnDestroyConvolutionDescriptor(void* desc) { return destroy<ConvDesc>(desc, CudnnObject::Convolution); }

/// The dimension checks shared by cudnnSetTensor4dDescriptor and cudnnSetFilter4dDescriptor.
static int check_4d(int format, int data_type, int a, int b, int c, int d)
{
    if (!is_format(format) || !is_data_type(data_type) || a <= 0 || b <= 0 || c <= 0 || d <= 0) {
        return report(CUDNN_STATUS_BAD_PARAM, "cudnnSet{Tensor,Filter}4dDescriptor",
            "format %d, data type %d, dimensions %d x %d x %d x %d: known enumerants and dimensions > 0 needed", format, data_type, a, b, c, d);
    }
    if (static_cast<int64_t>(a) * b * c * d > INT32_MAX) {
        return report(CUDNN_STATUS_NOT_SUPPORTED, "cudnnSet{Tensor,Filter}4dDescriptor", "%d x %d x %d x %d is more than 2^31 elements", a, b, c, d);
    }
    return CUDNN_STATUS_SUCCESS;
}

NTR_STANDIN_EXPORT int cudnnSetTensor4dDescriptor(void* desc, int format, int dataType, int n, int c, int h, int w)
{
    TensorDesc* t = lookup<TensorDesc>(desc, CudnnObject::Tensor);
    if (t == nullptr) {
        return report(CUDNN_STATUS_BAD_PARAM, "cudnnSetTensor4dDescriptor", "%p is not a live tensor descriptor", desc);
    }
    const int status = check_4d(format, dataType, n, c, h, w);
    if (status != CUDNN_STATUS_SUCCESS) {
        return status;
    }
    *t = TensorDesc{true, format, dataType, n, c, h, w};
    return CUDNN_STATUS_SUCCESS;
}

NTR_STANDIN_EXPORT int cudnnSetFilter4dDescriptor(void* desc, int dataType, int format, int k, int c, int h, int w)
{
    FilterDesc* f = lookup<FilterDesc>(desc, CudnnObject::Filter);
    if (f == nullptr) {
        return report(CUDNN_STATUS_BAD_PARAM, "cudnnSetFilter4dDescriptor", "%p is not a live filter descriptor", desc);
    }
    const int status = check_4d(format, dataType, k, c, h, w);
    if (status != CUDNN_STATUS_SUCCESS) {
        return status;
    }
    *f = FilterDesc{true, dataType, format, k, c, h, w};
    return CUDNN_STATUS_SUCCESS;
}

NTR_STANDIN_EXPORT int cudnnSetConvolution2dDescriptor(void* desc, int padH, int padW, int strideH, int strideW, int dilationH,
    int dilationW, int mode, int computeType)
{
    ConvDesc* conv = lookup<ConvDesc>(desc, CudnnObject::Convolution);
    if (conv == nullptr) {
        return report(CUDNN_STATUS_BAD_PARAM, "cudnnSetConvolution2dDescriptor", "%p is not a live convolution descriptor", desc);
    }
    if (padH < 0 || padW < 0 || strideH <= 0 || strideW <= 0 || dilationH <= 0 || dilationW <= 0
        || (mode != CUDNN_CONVOLUTION && mode != CUDNN_CROSS_CORRELATION) || !is_data_type(computeType)) {
        return report(CUDNN_STATUS_BAD_PARAM, "cudnnSetConvolution2dDescriptor",
            "pad %d,%d (>= 0), stride %d,%d and dilation %d,%d (>= 1), mode %d (0 or 1), compute type %d: one is invalid", padH, padW, strideH,
            strideW, dilationH, dilationW, mode, computeType);
    }
    const int math = conv->math_type;  // the math type is its own setting: keep it
    *conv = ConvDesc{true, padH, padW, strideH, strideW, dilationH, dilationW, mode, computeType, math};
    return CUDNN_STATUS_SUCCESS;
}

NTR_STANDIN_EXPORT int cudnnSetConvolutionMathType(void* desc, int mathType)
{
    ConvDesc* conv = lookup<ConvDesc>(desc, CudnnObject::Convolution);
    if (conv == nullptr || mathType < CUDNN_DEFAULT_MATH || mathType > CUDNN_FMA_MATH) {
        return report(CUDNN_STATUS_BAD_PARAM, "cudnnSetConvolutionMathType", "%p is not a live convolution descriptor or math type %d is not 0..3", desc,
            mathType);
    }
    conv->math_type = mathType;
    return CUDNN_STATUS_SUCCESS;
}

NTR_STANDIN_EXPORT int cudnnFindConvolutionForwardAlgorithm(void* handle, void* xDesc, void* wDesc, void* convDesc, void* yDesc,
    int requestedAlgoCount, int* returnedAlgoCount, cudnnConvolutionAlgoPerfStandin* perfResults)
{
    return find(Direction::Forward, handle, xDesc, wDesc, convDesc, yDesc, requestedAlgoCount, returnedAlgoCount, perfResults);
}

NTR_STANDIN_EXPORT int cudnnFindConvolutionBackwardDataAlgorithm(void* handle, void* wDesc, void* dyDesc, void* convDesc, void* dxDesc,
    int requestedAlgoCount, int* returnedAlgoCount, cudnnConvolutionAlgoPerfStandin* perfResults)
{
    return find(Direction::BackwardData, handle, dxDesc, wDesc, convDesc, dyDesc, requestedAlgoCount, returnedAlgoCount, perfResults);
}

NTR_STANDIN_EXPORT int cudnnFindConvolutionBackwardFilterAlgorithm(void* handle, void* xDesc, void* dyDesc, void* convDesc, void* dwDesc,
    int requestedAlgoCount, int* returnedAlgoCount, cudnnConvolutionAlgoPerfStandin* perfResults)
{
    return find(Direction::BackwardFilter, handle, xDesc, dwDesc, convDesc, dyDesc, requestedAlgoCount, returnedAlgoCount, perfResults);
}

NTR_STANDIN_EXPORT int cudnnGetConvolutionForwardWorkspaceSize(void* handle, void* xDesc, void* wDesc, void* convDesc, void* yDesc, int algo,
    size_t* sizeInBytes)
{
    return workspace_size(Direction::Forward, handle, xDesc, wDesc, convDesc, yDesc, algo, sizeInBytes);
}

NTR_STANDIN_EXPORT int cudnnGetConvolutionBackwardDataWorkspaceSize(void* handle, void* wDesc, void* dyDesc, void* convDesc, void* dxDesc,
    int algo, size_t* sizeInBytes)
{
    return workspace_size(Direction::BackwardData, handle, dxDesc, wDesc, convDesc, dyDesc, algo, sizeInBytes);
}

NTR_STANDIN_EXPORT int cudnnGetConvolutionBackwardFilterWorkspaceSize(void* handle, void* xDesc, void* dyDesc, void* convDesc, void* dwDesc,
    int algo, size_t* sizeInBytes)
{
    return workspace_size(Direction::BackwardFilter, handle, xDesc, dwDesc, convDesc, dyDesc, algo, sizeInBytes);
}

NTR_STANDIN_EXPORT int cudnnConvolutionForward(void* handle, const void* alpha, void* xDesc, const void* x, void* wDesc, const void* w,
    void* convDesc, int algo, void* workSpace, size_t workSpaceSizeInBytes, const void* beta, void* yDesc, void* y)
{
    return execute(Direction::Forward, handle, alpha, xDesc, x, wDesc, w, convDesc, yDesc, y, algo, workSpace, workSpaceSizeInBytes, beta, y);
}

NTR_STANDIN_EXPORT int cudnnConvolutionBackwardData(void* handle, const void* alpha, void* wDesc, const void* w, void* dyDesc, const void* dy,
    void* convDesc, int algo, void* workSpace, size_t workSpaceSizeInBytes, const void* beta, void* dxDesc, void* dx)
{
    return execute(Direction::BackwardData, handle, alpha, dxDesc, dx, wDesc, w, convDesc, dyDesc, dy, algo, workSpace, workSpaceSizeInBytes,
        beta, dx);
}

NTR_STANDIN_EXPORT int cudnnConvolutionBackwardFilter(void* handle, const void* alpha, void* xDesc, const void* x, void* dyDesc, const void* dy,
    void* convDesc, int algo, void* workSpace, size_t workSpaceSizeInBytes, const void* beta, void* dwDesc, void* dw)
{
    return execute(Direction::BackwardFilter, handle, alpha, xDesc, x, dwDesc, dw, convDesc, dyDesc, dy, algo, workSpace, workSpaceSizeInBytes,
        beta, dw);
}
