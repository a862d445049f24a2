// The subset of the CUDA driver API that src/Engine/Backends/Cuda/Native/CudaDriver.cs binds, with the versioned
// names cuda.h maps to, for an emulated H200: one device, its primary context, streams that execute in order at
// once (or record into a graph while capturing), events timed by the host clock, memory on the host
// (device_memory.cpp), PTX modules (ptx_module.cpp) whose kernels run from the host build (kernel_registry.h), and
// the launch rules of an H100/H200 enforced with the CUresult the driver returns.
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "device_memory.h"
#include "emulator_runtime.h"
#include "ptx_module.h"
#include "stream_work.h"

#define NTR_EXPORT extern "C" __attribute__((visibility("default")))

using CUresult = int;
using CUdeviceptr = unsigned long long;

namespace ntr_emu {

namespace {

// Launch limits of compute capability 9.0 (H100, H200).
constexpr unsigned int MaxThreadsPerBlock = 1024;
constexpr unsigned int MaxBlockX = 1024, MaxBlockY = 1024, MaxBlockZ = 64;
constexpr unsigned int MaxGridX = 2147483647u, MaxGridY = 65535, MaxGridZ = 65535;
constexpr size_t DefaultSharedBytes = 48 * 1024;
constexpr size_t OptInSharedBytes = 232448;  // 227 KiB
constexpr int DeviceAttributeMaxDynamicShared = 8;
constexpr int FunctionAttributePreferredCarveout = 9;

struct Module;

struct Function {
    Module* module = nullptr;
    const KernelEntry* kernel = nullptr;
    std::string name;
    PtxEntry ptx;
    size_t maxDynamicShared = 0;
};

struct Module {
    PtxModule ptx;
    std::map<std::string, std::unique_ptr<Function>> functions;
};

struct Event {
    bool timing = true;
    bool recorded = false;
    std::chrono::steady_clock::time_point time;
};

struct GraphNode {
    enum Kind { Kernel, Copy, Memset, EventRecord, HostWork } kind = Kernel;
    Function* function = nullptr;
    dim3 grid{1, 1, 1}, block{1, 1, 1};
    unsigned int shared = 0;
    std::vector<std::vector<unsigned char>> params;
    void* dst = nullptr;
    const void* src = nullptr;
    size_t bytes = 0;
    unsigned int value = 0;
    int elementBytes = 0;
    Event* event = nullptr;
    std::function<int()> work;
};

struct Graph {
    std::vector<GraphNode> nodes;
};

struct Stream {
    Graph* capture = nullptr;
    bool invalidated = false;
    std::thread::id captureThread;
};

int primary_context_tag = 0;
void* const primary_context = &primary_context_tag;
bool initialised = false;
thread_local void* current_context = nullptr;
std::mutex api_lock;  // guards the handle sets below
std::set<Module*> live_modules;
std::set<Function*> live_functions;
std::set<Stream*> live_streams;
std::set<Event*> live_events;
std::set<Graph*> live_graphs;
std::set<Graph*> live_execs;
std::set<void*> host_allocations;
Stream legacy_stream;

CUresult require_context(const char* api) {
    if (!initialised) return fail(ErrorNotInitialized, std::string(api) + ": cuInit has not been called");
    if (current_context == nullptr) return fail(ErrorInvalidContext, std::string(api) + ": no current context on this thread (call cuCtxSetCurrent first)");
    return Success;
}

Stream* stream_of(void* handle) {
    if (handle == nullptr) return &legacy_stream;
    std::lock_guard<std::mutex> hold(api_lock);
    return live_streams.count(static_cast<Stream*>(handle)) != 0 ? static_cast<Stream*>(handle) : nullptr;
}

// While this thread captures, calls that a capturing driver refuses invalidate the capture.
CUresult refuse_during_capture(const char* api) {
    std::lock_guard<std::mutex> hold(api_lock);
    bool any = false;
    for (Stream* s : live_streams) {
        if (s->capture != nullptr && s->captureThread == std::this_thread::get_id()) {
            s->invalidated = true;
            any = true;
        }
    }
    if (!any) return Success;
    return fail(ErrorStreamCaptureUnsupported, std::string(api) + " is not permitted while this thread captures a stream (the capture is now invalidated)");
}

std::string dims(dim3 d) { return std::to_string(d.x) + "x" + std::to_string(d.y) + "x" + std::to_string(d.z); }

CUresult check_launch(const Function& f, dim3 grid, dim3 block, unsigned int shared) {
    const std::string api = "cuLaunchKernel(" + f.name + ", grid " + dims(grid) + ", block " + dims(block) + ", " + std::to_string(shared) + " B dynamic shared)";
    if (block.x == 0 || block.y == 0 || block.z == 0 || grid.x == 0 || grid.y == 0 || grid.z == 0) {
        return fail(ErrorInvalidValue, api + ": a grid or block dimension is zero");
    }
    if (block.x > MaxBlockX || block.y > MaxBlockY || block.z > MaxBlockZ || (unsigned long long)block.x * block.y * block.z > MaxThreadsPerBlock) {
        return fail(ErrorInvalidValue, api + ": a block holds at most 1024 threads (x, y <= 1024, z <= 64); this one has " +
                                           std::to_string((unsigned long long)block.x * block.y * block.z));
    }
    if (grid.x > MaxGridX || grid.y > MaxGridY || grid.z > MaxGridZ) {
        return fail(ErrorInvalidValue, api + ": grid y and z are at most 65535 and grid x at most 2^31-1");
    }
    const size_t threads = (size_t)block.x * block.y * block.z;
    if (f.ptx.maxThreads != 0 && threads > f.ptx.maxThreads) {
        return fail(ErrorLaunchOutOfResources, api + ": the kernel's __launch_bounds__ (.maxntid) allows " + std::to_string(f.ptx.maxThreads) + " threads per block");
    }
    if (shared > f.maxDynamicShared) {
        return fail(ErrorInvalidValue, api + ": " + std::to_string(f.ptx.staticSharedBytes) + " B static + " + std::to_string(shared) +
                                           " B dynamic shared memory exceeds the kernel's limit of " + std::to_string(f.ptx.staticSharedBytes + f.maxDynamicShared) +
                                           " B (48 KiB unless cuFuncSetAttribute(MAX_DYNAMIC_SHARED_SIZE_BYTES) raised it, at most 227 KiB)");
    }
    return Success;
}

CUresult execute_node(const GraphNode& n) {
    switch (n.kind) {
        case GraphNode::Kernel: {
            std::vector<void*> pointers;
            pointers.reserve(n.params.size());
            for (const auto& p : n.params) pointers.push_back(const_cast<unsigned char*>(p.data()));
            LaunchContext launch;
            launch.kernel = n.function->kernel;
            launch.params = pointers.data();
            launch.grid = n.grid;
            launch.block = n.block;
            launch.dynamicSharedBytes = n.shared;
            return run_grid(launch);
        }
        case GraphNode::Copy: std::memmove(n.dst, n.src, n.bytes); return Success;
        case GraphNode::Memset:
            if (n.elementBytes == 1) {
                std::memset(n.dst, (int)(n.value & 0xff), n.bytes);
            } else {
                auto* d = static_cast<unsigned int*>(n.dst);
                for (size_t i = 0; i < n.bytes / 4; i++) d[i] = n.value;
            }
            return Success;
        case GraphNode::EventRecord:
            n.event->recorded = true;
            n.event->time = std::chrono::steady_clock::now();
            return Success;
        case GraphNode::HostWork: return n.work();
    }
    return Success;
}

// Runs a node now, or appends it to the graph the stream is capturing.
CUresult submit(void* streamHandle, GraphNode node, const char* api) {
    Stream* s = stream_of(streamHandle);
    if (s == nullptr) return fail(ErrorInvalidHandle, std::string(api) + ": unknown stream handle");
    if (s->capture != nullptr) {
        if (s->invalidated) return fail(ErrorStreamCaptureInvalidated, std::string(api) + ": the stream's capture was invalidated by an earlier error");
        s->capture->nodes.push_back(std::move(node));
        return Success;
    }
    return execute_node(node);
}

CUresult copy(void* dst, const void* src, size_t bytes, bool dstDevice, bool srcDevice, void* stream, const char* api) {
    if (CUresult r = require_context(api)) return r;
    std::string why;
    if (dstDevice && !device_range_valid((uint64_t)(uintptr_t)dst, bytes, why)) return fail(ErrorInvalidValue, std::string(api) + ": destination " + why);
    if (srcDevice && !device_range_valid((uint64_t)(uintptr_t)src, bytes, why)) return fail(ErrorInvalidValue, std::string(api) + ": source " + why);
    if (bytes == 0) return Success;
    GraphNode node;
    node.kind = GraphNode::Copy;
    node.dst = dst;
    node.src = src;
    node.bytes = bytes;
    return submit(stream, std::move(node), api);
}

CUresult memset_elements(CUdeviceptr dst, unsigned int value, size_t count, int elementBytes, void* stream, const char* api) {
    if (CUresult r = require_context(api)) return r;
    std::string why;
    if (count != 0 && !device_range_valid(dst, count * elementBytes, why)) return fail(ErrorInvalidValue, std::string(api) + ": " + why);
    if (elementBytes == 4 && dst % 4 != 0) return fail(ErrorInvalidValue, std::string(api) + ": the destination is not 4-byte aligned");
    GraphNode node;
    node.kind = GraphNode::Memset;
    node.dst = reinterpret_cast<void*>(dst);
    node.bytes = count * elementBytes;
    node.value = value;
    node.elementBytes = elementBytes;
    return submit(stream, std::move(node), api);
}

struct ErrorText {
    int code;
    const char* name;
    const char* text;
};

const ErrorText error_texts[] = {
    {0, "CUDA_SUCCESS", "no error"},
    {1, "CUDA_ERROR_INVALID_VALUE", "invalid argument"},
    {2, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory"},
    {3, "CUDA_ERROR_NOT_INITIALIZED", "initialization error"},
    {4, "CUDA_ERROR_DEINITIALIZED", "driver shutting down"},
    {100, "CUDA_ERROR_NO_DEVICE", "no CUDA-capable device is detected"},
    {101, "CUDA_ERROR_INVALID_DEVICE", "invalid device ordinal"},
    {200, "CUDA_ERROR_INVALID_IMAGE", "device kernel image is invalid"},
    {201, "CUDA_ERROR_INVALID_CONTEXT", "invalid device context"},
    {218, "CUDA_ERROR_INVALID_PTX", "a PTX JIT compilation failed"},
    {400, "CUDA_ERROR_INVALID_HANDLE", "invalid resource handle"},
    {401, "CUDA_ERROR_ILLEGAL_STATE", "the operation cannot be performed in the present state"},
    {500, "CUDA_ERROR_NOT_FOUND", "named symbol not found"},
    {600, "CUDA_ERROR_NOT_READY", "device not ready"},
    {700, "CUDA_ERROR_ILLEGAL_ADDRESS", "an illegal memory access was encountered"},
    {701, "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES", "too many resources requested for launch"},
    {719, "CUDA_ERROR_LAUNCH_FAILED", "unspecified launch failure"},
    {801, "CUDA_ERROR_NOT_SUPPORTED", "operation not supported"},
    {900, "CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED", "operation not permitted when stream is capturing"},
    {901, "CUDA_ERROR_STREAM_CAPTURE_INVALIDATED", "operation failed due to a previous error during capture"},
    {908, "CUDA_ERROR_STREAM_CAPTURE_WRONG_THREAD", "attempt to terminate a thread-local capture sequence from another thread"},
};

const ErrorText* find_error(int code) {
    for (const auto& e : error_texts) {
        if (e.code == code) return &e;
    }
    return nullptr;
}

}  // namespace

int enqueue_on_stream(void* stream, std::function<int()> work) {
    GraphNode node;
    node.kind = GraphNode::HostWork;
    node.work = std::move(work);
    return submit(stream, std::move(node), "stream work");
}

}  // namespace ntr_emu

using namespace ntr_emu;

NTR_EXPORT CUresult cuGetErrorName(CUresult error, const char** name) {
    const ErrorText* e = find_error(error);
    if (name == nullptr) return ErrorInvalidValue;
    *name = e == nullptr ? nullptr : e->name;
    return e == nullptr ? ErrorInvalidValue : Success;
}

NTR_EXPORT CUresult cuGetErrorString(CUresult error, const char** text) {
    const ErrorText* e = find_error(error);
    if (text == nullptr) return ErrorInvalidValue;
    *text = e == nullptr ? nullptr : e->text;
    return e == nullptr ? ErrorInvalidValue : Success;
}

NTR_EXPORT CUresult cuInit(unsigned int flags) {
    if (flags != 0) return fail(ErrorInvalidValue, "cuInit: flags must be 0");
    initialised = true;
    return Success;
}

NTR_EXPORT CUresult cuDriverGetVersion(int* version) {
    if (version == nullptr) return fail(ErrorInvalidValue, "cuDriverGetVersion: null output");
    *version = 13000;
    return Success;
}

NTR_EXPORT CUresult cuDeviceGetCount(int* count) {
    if (!initialised) return fail(ErrorNotInitialized, "cuDeviceGetCount: cuInit has not been called");
    if (count == nullptr) return fail(ErrorInvalidValue, "cuDeviceGetCount: null output");
    *count = 1;
    return Success;
}

NTR_EXPORT CUresult cuDeviceGet(int* device, int ordinal) {
    if (!initialised) return fail(ErrorNotInitialized, "cuDeviceGet: cuInit has not been called");
    if (device == nullptr) return fail(ErrorInvalidValue, "cuDeviceGet: null output");
    if (ordinal != 0) return fail(101, "cuDeviceGet: the emulator has one device, ordinal 0");
    *device = 0;
    return Success;
}

NTR_EXPORT CUresult cuDeviceGetName(char* name, int length, int device) {
    if (device != 0) return fail(101, "cuDeviceGetName: invalid device");
    if (name == nullptr || length <= 0) return fail(ErrorInvalidValue, "cuDeviceGetName: null or empty buffer");
    std::strncpy(name, "NVIDIA H200 (emulated)", (size_t)length - 1);
    name[length - 1] = '\0';
    return Success;
}

NTR_EXPORT CUresult cuDeviceTotalMem_v2(size_t* bytes, int device) {
    if (device != 0) return fail(101, "cuDeviceTotalMem: invalid device");
    if (bytes == nullptr) return fail(ErrorInvalidValue, "cuDeviceTotalMem: null output");
    *bytes = device_total_bytes();
    return Success;
}

NTR_EXPORT CUresult cuDeviceGetAttribute(int* value, int attribute, int device) {
    if (device != 0) return fail(101, "cuDeviceGetAttribute: invalid device");
    if (value == nullptr) return fail(ErrorInvalidValue, "cuDeviceGetAttribute: null output");
    switch (attribute) {
        case 1: *value = 1024; break;        // max threads per block
        case 2: *value = 1024; break;        // max block x
        case 3: *value = 1024; break;        // max block y
        case 4: *value = 64; break;          // max block z
        case 5: *value = 2147483647; break;  // max grid x
        case 6: *value = 65535; break;       // max grid y
        case 7: *value = 65535; break;       // max grid z
        case 8: *value = 49152; break;       // max shared memory per block
        case 10: *value = 32; break;         // warp size
        case 12: *value = 65536; break;      // registers per block
        case 13: *value = 1980000; break;    // clock rate, kHz
        case 16: *value = 132; break;        // multiprocessors
        case 36: *value = 3201000; break;    // memory clock rate, kHz
        case 37: *value = 6144; break;       // memory bus width, bits
        case 38: *value = 62914560; break;   // L2 cache bytes
        case 39: *value = 2048; break;       // max threads per multiprocessor
        case 75: *value = 9; break;          // compute capability major
        case 76: *value = 0; break;          // compute capability minor
        case 81: *value = 233472; break;     // shared memory per multiprocessor
        case 82: *value = 65536; break;      // registers per multiprocessor
        case 97: *value = (int)OptInSharedBytes; break;  // opt-in shared memory per block
        default: return fail(ErrorInvalidValue, "cuDeviceGetAttribute: attribute " + std::to_string(attribute) + " is not modelled by the emulator");
    }
    return Success;
}

NTR_EXPORT CUresult cuDevicePrimaryCtxRetain(void** context, int device) {
    if (!initialised) return fail(ErrorNotInitialized, "cuDevicePrimaryCtxRetain: cuInit has not been called");
    if (device != 0) return fail(101, "cuDevicePrimaryCtxRetain: invalid device");
    if (context == nullptr) return fail(ErrorInvalidValue, "cuDevicePrimaryCtxRetain: null output");
    *context = primary_context;
    return Success;
}

NTR_EXPORT CUresult cuDevicePrimaryCtxRelease_v2(int device) {
    if (device != 0) return fail(101, "cuDevicePrimaryCtxRelease: invalid device");
    return Success;
}

NTR_EXPORT CUresult cuCtxSetCurrent(void* context) {
    if (context != nullptr && context != primary_context) return fail(ErrorInvalidContext, "cuCtxSetCurrent: unknown context");
    current_context = context;
    return Success;
}

NTR_EXPORT CUresult cuCtxGetCurrent(void** context) {
    if (context == nullptr) return fail(ErrorInvalidValue, "cuCtxGetCurrent: null output");
    *context = current_context;
    return Success;
}

NTR_EXPORT CUresult cuCtxSynchronize() {
    if (CUresult r = require_context("cuCtxSynchronize")) return r;
    return refuse_during_capture("cuCtxSynchronize");
}

NTR_EXPORT CUresult cuMemAlloc_v2(CUdeviceptr* pointer, size_t bytes) {
    if (CUresult r = require_context("cuMemAlloc")) return r;
    if (CUresult r = refuse_during_capture("cuMemAlloc")) return r;
    return device_allocate(reinterpret_cast<uint64_t*>(pointer), bytes);
}

NTR_EXPORT CUresult cuMemFree_v2(CUdeviceptr pointer) {
    if (CUresult r = require_context("cuMemFree")) return r;
    if (CUresult r = refuse_during_capture("cuMemFree")) return r;
    return device_free(pointer);
}

NTR_EXPORT CUresult cuMemGetInfo_v2(size_t* free, size_t* total) {
    if (CUresult r = require_context("cuMemGetInfo")) return r;
    device_memory_info(free, total);
    return Success;
}

NTR_EXPORT CUresult cuMemHostAlloc(void** pointer, size_t bytes, unsigned int flags) {
    if (CUresult r = require_context("cuMemHostAlloc")) return r;
    (void)flags;
    if (pointer == nullptr || bytes == 0) return fail(ErrorInvalidValue, "cuMemHostAlloc: null output or zero bytes");
    void* p = std::aligned_alloc(4096, (bytes + 4095) / 4096 * 4096);
    if (p == nullptr) return fail(ErrorOutOfMemory, "cuMemHostAlloc: out of host memory");
    std::lock_guard<std::mutex> hold(api_lock);
    host_allocations.insert(p);
    *pointer = p;
    return Success;
}

NTR_EXPORT CUresult cuMemFreeHost(void* pointer) {
    {
        std::lock_guard<std::mutex> hold(api_lock);
        if (host_allocations.erase(pointer) == 0) return fail(ErrorInvalidValue, "cuMemFreeHost: not a pointer from cuMemHostAlloc");
    }
    std::free(pointer);
    return Success;
}

NTR_EXPORT CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void* src, size_t bytes, void* stream) {
    return copy(reinterpret_cast<void*>(dst), src, bytes, true, false, stream, "cuMemcpyHtoDAsync");
}

NTR_EXPORT CUresult cuMemcpyDtoHAsync_v2(void* dst, CUdeviceptr src, size_t bytes, void* stream) {
    return copy(dst, reinterpret_cast<const void*>(src), bytes, false, true, stream, "cuMemcpyDtoHAsync");
}

NTR_EXPORT CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr dst, CUdeviceptr src, size_t bytes, void* stream) {
    return copy(reinterpret_cast<void*>(dst), reinterpret_cast<const void*>(src), bytes, true, true, stream, "cuMemcpyDtoDAsync");
}

NTR_EXPORT CUresult cuMemsetD32Async(CUdeviceptr dst, unsigned int value, size_t count, void* stream) {
    return memset_elements(dst, value, count, 4, stream, "cuMemsetD32Async");
}

NTR_EXPORT CUresult cuMemsetD8Async(CUdeviceptr dst, unsigned char value, size_t count, void* stream) {
    return memset_elements(dst, value, count, 1, stream, "cuMemsetD8Async");
}

NTR_EXPORT CUresult cuStreamCreate(void** stream, unsigned int flags) {
    if (CUresult r = require_context("cuStreamCreate")) return r;
    if (stream == nullptr || flags > 1) return fail(ErrorInvalidValue, "cuStreamCreate: null output or unknown flags");
    auto* s = new Stream();
    std::lock_guard<std::mutex> hold(api_lock);
    live_streams.insert(s);
    *stream = s;
    return Success;
}

NTR_EXPORT CUresult cuStreamDestroy_v2(void* stream) {
    std::lock_guard<std::mutex> hold(api_lock);
    auto* s = static_cast<Stream*>(stream);
    if (live_streams.erase(s) == 0) return fail(ErrorInvalidHandle, "cuStreamDestroy: unknown stream");
    delete s->capture;
    delete s;
    return Success;
}

NTR_EXPORT CUresult cuStreamSynchronize(void* stream) {
    if (CUresult r = require_context("cuStreamSynchronize")) return r;
    Stream* s = stream_of(stream);
    if (s == nullptr) return fail(ErrorInvalidHandle, "cuStreamSynchronize: unknown stream");
    if (s->capture != nullptr) {
        s->invalidated = true;
        return fail(ErrorStreamCaptureUnsupported, "cuStreamSynchronize: the stream is capturing (the capture is now invalidated)");
    }
    return Success;
}

NTR_EXPORT CUresult cuStreamWaitEvent(void* stream, void* event, unsigned int flags) {
    if (CUresult r = require_context("cuStreamWaitEvent")) return r;
    (void)flags;
    if (stream_of(stream) == nullptr) return fail(ErrorInvalidHandle, "cuStreamWaitEvent: unknown stream");
    std::lock_guard<std::mutex> hold(api_lock);
    if (live_events.count(static_cast<Event*>(event)) == 0) return fail(ErrorInvalidHandle, "cuStreamWaitEvent: unknown event");
    return Success;
}

NTR_EXPORT CUresult cuEventCreate(void** event, unsigned int flags) {
    if (CUresult r = require_context("cuEventCreate")) return r;
    if (event == nullptr) return fail(ErrorInvalidValue, "cuEventCreate: null output");
    auto* e = new Event();
    e->timing = (flags & 2u) == 0;
    std::lock_guard<std::mutex> hold(api_lock);
    live_events.insert(e);
    *event = e;
    return Success;
}

NTR_EXPORT CUresult cuEventDestroy_v2(void* event) {
    std::lock_guard<std::mutex> hold(api_lock);
    auto* e = static_cast<Event*>(event);
    if (live_events.erase(e) == 0) return fail(ErrorInvalidHandle, "cuEventDestroy: unknown event");
    delete e;
    return Success;
}

NTR_EXPORT CUresult cuEventRecord(void* event, void* stream) {
    if (CUresult r = require_context("cuEventRecord")) return r;
    {
        std::lock_guard<std::mutex> hold(api_lock);
        if (live_events.count(static_cast<Event*>(event)) == 0) return fail(ErrorInvalidHandle, "cuEventRecord: unknown event");
    }
    GraphNode node;
    node.kind = GraphNode::EventRecord;
    node.event = static_cast<Event*>(event);
    return submit(stream, std::move(node), "cuEventRecord");
}

NTR_EXPORT CUresult cuEventSynchronize(void* event) {
    std::lock_guard<std::mutex> hold(api_lock);
    if (live_events.count(static_cast<Event*>(event)) == 0) return fail(ErrorInvalidHandle, "cuEventSynchronize: unknown event");
    return Success;
}

NTR_EXPORT CUresult cuEventQuery(void* event) {
    std::lock_guard<std::mutex> hold(api_lock);
    if (live_events.count(static_cast<Event*>(event)) == 0) return fail(ErrorInvalidHandle, "cuEventQuery: unknown event");
    return Success;
}

NTR_EXPORT CUresult cuEventElapsedTime(float* milliseconds, void* start, void* end) {
    std::lock_guard<std::mutex> hold(api_lock);
    auto* a = static_cast<Event*>(start);
    auto* b = static_cast<Event*>(end);
    if (milliseconds == nullptr) return fail(ErrorInvalidValue, "cuEventElapsedTime: null output");
    if (live_events.count(a) == 0 || live_events.count(b) == 0) return fail(ErrorInvalidHandle, "cuEventElapsedTime: unknown event");
    if (!a->timing || !b->timing) return fail(ErrorInvalidHandle, "cuEventElapsedTime: an event was created with CU_EVENT_DISABLE_TIMING");
    if (!a->recorded || !b->recorded) return fail(ErrorInvalidHandle, "cuEventElapsedTime: an event has not been recorded");
    *milliseconds = std::chrono::duration<float, std::milli>(b->time - a->time).count();
    return Success;
}

NTR_EXPORT CUresult cuModuleLoadData(void** module, const void* image) {
    if (CUresult r = require_context("cuModuleLoadData")) return r;
    if (module == nullptr) return fail(ErrorInvalidValue, "cuModuleLoadData: null output");
    auto m = std::make_unique<Module>();
    std::string error;
    if (!parse_ptx(static_cast<const char*>(image), m->ptx, error)) return fail(ErrorInvalidImage, "cuModuleLoadData: " + error);
    for (const auto& [name, entry] : m->ptx.entries) {
        if (entry.staticSharedBytes > DefaultSharedBytes) {
            return fail(ErrorInvalidPtx, "cuModuleLoadData: kernel " + name + " uses " + std::to_string(entry.staticSharedBytes) +
                                             " bytes of static shared memory; ptxas allows at most 49152 (48 KiB) of static shared memory per kernel; use dynamic shared memory above that");
        }
    }
    std::lock_guard<std::mutex> hold(api_lock);
    live_modules.insert(m.get());
    *module = m.release();
    return Success;
}

NTR_EXPORT CUresult cuModuleUnload(void* module) {
    std::lock_guard<std::mutex> hold(api_lock);
    auto* m = static_cast<Module*>(module);
    if (live_modules.erase(m) == 0) return fail(ErrorInvalidHandle, "cuModuleUnload: unknown module");
    for (auto& [name, f] : m->functions) live_functions.erase(f.get());
    delete m;
    return Success;
}

NTR_EXPORT CUresult cuModuleGetFunction(void** function, void* module, const char* name) {
    if (CUresult r = require_context("cuModuleGetFunction")) return r;
    if (function == nullptr || name == nullptr) return fail(ErrorInvalidValue, "cuModuleGetFunction: null output or name");
    std::lock_guard<std::mutex> hold(api_lock);
    auto* m = static_cast<Module*>(module);
    if (live_modules.count(m) == 0) return fail(ErrorInvalidHandle, "cuModuleGetFunction: unknown module");
    auto existing = m->functions.find(name);
    if (existing != m->functions.end()) {
        *function = existing->second.get();
        return Success;
    }
    auto entry = m->ptx.entries.find(name);
    if (entry == m->ptx.entries.end()) return fail(ErrorNotFound, std::string("cuModuleGetFunction: the module has no kernel named ") + name);
    const KernelEntry* kernel = find_kernel(name);
    if (kernel == nullptr) {
        return fail(ErrorNotFound, std::string("cuModuleGetFunction: kernel ") + name +
                                       " is in the PTX but not in the emulator library (rebuild it: dotnet build src/Engine, or cmake --build on the ntr_cuda_emulator target)");
    }
    auto f = std::make_unique<Function>();
    f->module = m;
    f->kernel = kernel;
    f->name = name;
    f->ptx = entry->second;
    f->maxDynamicShared = DefaultSharedBytes - f->ptx.staticSharedBytes;
    *function = f.get();
    live_functions.insert(f.get());
    m->functions[name] = std::move(f);
    return Success;
}

NTR_EXPORT CUresult cuFuncSetAttribute(void* function, int attribute, int value) {
    std::lock_guard<std::mutex> hold(api_lock);
    auto* f = static_cast<Function*>(function);
    if (live_functions.count(f) == 0) return fail(ErrorInvalidHandle, "cuFuncSetAttribute: unknown function");
    if (attribute == DeviceAttributeMaxDynamicShared) {
        if (value < 0 || (size_t)value + f->ptx.staticSharedBytes > OptInSharedBytes) {
            return fail(ErrorInvalidValue, "cuFuncSetAttribute(" + f->name + ", MAX_DYNAMIC_SHARED_SIZE_BYTES, " + std::to_string(value) + "): with " +
                                               std::to_string(f->ptx.staticSharedBytes) + " B of static shared memory at most " +
                                               std::to_string(OptInSharedBytes - f->ptx.staticSharedBytes) + " B of dynamic shared memory are allowed (227 KiB in all)");
        }
        f->maxDynamicShared = (size_t)value;
        return Success;
    }
    if (attribute == FunctionAttributePreferredCarveout) return Success;
    return fail(ErrorInvalidValue, "cuFuncSetAttribute: attribute " + std::to_string(attribute) + " is not modelled by the emulator");
}

NTR_EXPORT CUresult cuLaunchKernel(void* function, unsigned int gridX, unsigned int gridY, unsigned int gridZ, unsigned int blockX, unsigned int blockY,
                                   unsigned int blockZ, unsigned int sharedBytes, void* stream, void** params, void** extra) {
    if (CUresult r = require_context("cuLaunchKernel")) return r;
    auto* f = static_cast<Function*>(function);
    {
        std::lock_guard<std::mutex> hold(api_lock);
        if (live_functions.count(f) == 0) return fail(ErrorInvalidHandle, "cuLaunchKernel: unknown function (its module was unloaded?)");
    }
    if (extra != nullptr) return fail(ErrorInvalidValue, "cuLaunchKernel(" + f->name + "): the emulator takes kernel parameters through kernelParams only, not extra");
    const dim3 grid{gridX, gridY, gridZ}, block{blockX, blockY, blockZ};
    if (CUresult r = check_launch(*f, grid, block, sharedBytes)) return r;
    if (params == nullptr && !f->kernel->parameterSizes.empty()) return fail(ErrorInvalidValue, "cuLaunchKernel(" + f->name + "): kernelParams is null");
    Stream* s = stream_of(stream);
    if (s == nullptr) return fail(ErrorInvalidHandle, "cuLaunchKernel(" + f->name + "): unknown stream");
    GraphNode node;
    node.kind = GraphNode::Kernel;
    node.function = f;
    node.grid = grid;
    node.block = block;
    node.shared = sharedBytes;
    if (s->capture != nullptr) {
        // Kernel arguments are frozen at capture, as the driver does: copy each one.
        for (size_t i = 0; i < f->kernel->parameterSizes.size(); i++) {
            const auto* p = static_cast<const unsigned char*>(params[i]);
            node.params.emplace_back(p, p + f->kernel->parameterSizes[i]);
        }
        return submit(stream, std::move(node), "cuLaunchKernel");
    }
    LaunchContext launch;
    launch.kernel = f->kernel;
    launch.params = params;
    launch.grid = grid;
    launch.block = block;
    launch.dynamicSharedBytes = sharedBytes;
    return run_grid(launch);
}

NTR_EXPORT CUresult cuStreamBeginCapture_v2(void* stream, int mode) {
    if (CUresult r = require_context("cuStreamBeginCapture")) return r;
    if (stream == nullptr) return fail(ErrorNotSupported, "cuStreamBeginCapture: the legacy stream cannot be captured");
    Stream* s = stream_of(stream);
    if (s == nullptr) return fail(ErrorInvalidHandle, "cuStreamBeginCapture: unknown stream");
    if (mode < 0 || mode > 2) return fail(ErrorInvalidValue, "cuStreamBeginCapture: unknown capture mode");
    if (s->capture != nullptr) return fail(401, "cuStreamBeginCapture: the stream is already capturing");
    s->capture = new Graph();
    s->invalidated = false;
    s->captureThread = std::this_thread::get_id();
    return Success;
}

NTR_EXPORT CUresult cuStreamEndCapture(void* stream, void** graph) {
    Stream* s = stream_of(stream);
    if (s == nullptr) return fail(ErrorInvalidHandle, "cuStreamEndCapture: unknown stream");
    if (graph == nullptr) return fail(ErrorInvalidValue, "cuStreamEndCapture: null output");
    if (s->capture == nullptr) return fail(401, "cuStreamEndCapture: the stream is not capturing");
    if (s->captureThread != std::this_thread::get_id()) return fail(ErrorStreamCaptureWrongThread, "cuStreamEndCapture: the capture began on another thread");
    Graph* g = s->capture;
    s->capture = nullptr;
    if (s->invalidated) {
        s->invalidated = false;
        delete g;
        *graph = nullptr;
        return fail(ErrorStreamCaptureInvalidated, "cuStreamEndCapture: the capture was invalidated by a call not permitted while capturing");
    }
    std::lock_guard<std::mutex> hold(api_lock);
    live_graphs.insert(g);
    *graph = g;
    return Success;
}

NTR_EXPORT CUresult cuGraphInstantiateWithFlags(void** exec, void* graph, unsigned long long flags) {
    if (exec == nullptr) return fail(ErrorInvalidValue, "cuGraphInstantiateWithFlags: null output");
    // AUTO_FREE_ON_LAUNCH (1), DEVICE_LAUNCH (4), USE_NODE_PRIORITY (8); UPLOAD (2) belongs to cuGraphInstantiateWithParams.
    if ((flags & ~(1ull | 4ull | 8ull)) != 0) {
        return fail(ErrorInvalidValue, "cuGraphInstantiateWithFlags: flags " + std::to_string(flags) +
                                           " are not valid here (CUDA_GRAPH_INSTANTIATE_FLAG_UPLOAD, 2, is accepted only by cuGraphInstantiateWithParams)");
    }
    std::lock_guard<std::mutex> hold(api_lock);
    auto* g = static_cast<Graph*>(graph);
    if (live_graphs.count(g) == 0) return fail(ErrorInvalidValue, "cuGraphInstantiateWithFlags: unknown graph");
    auto* e = new Graph(*g);
    live_execs.insert(e);
    *exec = e;
    return Success;
}

NTR_EXPORT CUresult cuGraphLaunch(void* exec, void* stream) {
    if (CUresult r = require_context("cuGraphLaunch")) return r;
    auto* e = static_cast<Graph*>(exec);
    {
        std::lock_guard<std::mutex> hold(api_lock);
        if (live_execs.count(e) == 0) return fail(ErrorInvalidHandle, "cuGraphLaunch: unknown executable graph");
    }
    Stream* s = stream_of(stream);
    if (s == nullptr) return fail(ErrorInvalidHandle, "cuGraphLaunch: unknown stream");
    if (s->capture != nullptr) return fail(ErrorNotSupported, "cuGraphLaunch: launching a graph into a capturing stream is not modelled by the emulator");
    for (const GraphNode& n : e->nodes) {
        if (CUresult r = execute_node(n)) return r;
    }
    return Success;
}

NTR_EXPORT CUresult cuGraphExecDestroy(void* exec) {
    std::lock_guard<std::mutex> hold(api_lock);
    auto* e = static_cast<Graph*>(exec);
    if (live_execs.erase(e) == 0) return fail(ErrorInvalidHandle, "cuGraphExecDestroy: unknown executable graph");
    delete e;
    return Success;
}

NTR_EXPORT CUresult cuGraphDestroy(void* graph) {
    std::lock_guard<std::mutex> hold(api_lock);
    auto* g = static_cast<Graph*>(graph);
    if (live_graphs.erase(g) == 0) return fail(ErrorInvalidHandle, "cuGraphDestroy: unknown graph");
    delete g;
    return Success;
}
