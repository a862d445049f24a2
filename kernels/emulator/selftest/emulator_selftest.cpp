// Self-test of the CUDA emulator, built with AddressSanitizer and run by tests/Cuda.Tests (EmulatorSelfTest):
// the driver API on correct kernels (softmax, every shuffle mode and vote, graph capture and replay) and on the
// deliberately broken kernels of broken_kernels.cu, each of which must fail with the driver's CUresult and a
// message naming the kernel. Prints one line per check and exits with the number of failed checks.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

extern "C" {
int cuInit(unsigned int);
int cuDevicePrimaryCtxRetain(void**, int);
int cuCtxSetCurrent(void*);
int cuStreamCreate(void**, unsigned int);
int cuMemAlloc_v2(unsigned long long*, size_t);
int cuMemFree_v2(unsigned long long);
int cuMemcpyHtoDAsync_v2(unsigned long long, const void*, size_t, void*);
int cuMemcpyDtoHAsync_v2(void*, unsigned long long, size_t, void*);
int cuMemsetD32Async(unsigned long long, unsigned int, size_t, void*);
int cuModuleLoadData(void**, const void*);
int cuModuleGetFunction(void**, void*, const char*);
int cuFuncSetAttribute(void*, int, int);
int cuLaunchKernel(void*, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, void*, void**, void**);
int cuStreamBeginCapture_v2(void*, int);
int cuStreamEndCapture(void*, void**);
int cuGraphInstantiateWithFlags(void**, void*, unsigned long long);
int cuGraphLaunch(void*, void*);
int cuGetErrorName(int, const char**);
const char* ntrEmuLastError();
// AddressSanitizer: let the emulator's fault handler see faults in device buffers (mapped memory ASan does not
// track), and skip leak checks (a failed block's fibres are abandoned with their temporaries).
const char* __asan_default_options() { return "allow_user_segv_handler=1:detect_leaks=0"; }
}

namespace {

int failures = 0;
int checks = 0;

void check(bool ok, const std::string& what, const std::string& detail = "") {
    checks++;
    if (!ok) failures++;
    std::printf("%s %s%s%s\n", ok ? "ok  " : "FAIL", what.c_str(), ok || detail.empty() ? "" : ": ", ok ? "" : detail.c_str());
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A PTX module listing the kernels with their static shared memory, as NVRTC declares it (a .shared array inside
// each .entry) and the launch bound (.maxntid) where given.
std::string ptx_for(const std::vector<std::pair<std::string, int>>& kernels, const std::string& bounded = "") {
    std::string ptx = ".version 7.8\n.target sm_90\n.address_size 64\n\n.extern .shared .align 16 .b8 ntr_dynamic_shared[];\n\n";
    for (const auto& [name, shared] : kernels) {
        ptx += "// .globl " + name + "\n.visible .entry " + name + "(\n\t.param .u64 " + name + "_param_0\n)\n";
        if (name == bounded) ptx += ".maxntid 128, 1, 1\n";
        ptx += "{\n";
        if (shared > 0) ptx += "\t.shared .align 4 .b8 _ZZ" + name + "E4tile[" + std::to_string(shared) + "];\n";
        ptx += "\tld.shared.f32 %f1, [%rd1];\n\tret;\n}\n\n";
    }
    return ptx;
}

unsigned long long alloc(size_t bytes) {
    unsigned long long p = 0;
    if (cuMemAlloc_v2(&p, bytes) != 0) {
        std::printf("FAIL cuMemAlloc(%zu): %s\n", bytes, ntrEmuLastError());
        std::exit(99);
    }
    return p;
}

std::string name_of(int code) {
    const char* n = nullptr;
    cuGetErrorName(code, &n);
    return n == nullptr ? std::to_string(code) : n;
}

}  // namespace

int main() {
    setenv("NTR_EMULATED_MEMORY_BYTES", "1073741824", 1);
    void* context = nullptr;
    void* stream = nullptr;
    if (cuInit(0) != 0 || cuDevicePrimaryCtxRetain(&context, 0) != 0 || cuCtxSetCurrent(context) != 0 || cuStreamCreate(&stream, 1) != 0) {
        std::printf("FAIL could not open the emulated device: %s\n", ntrEmuLastError());
        return 99;
    }

    const std::string ptx = ptx_for({{"softmax_forward_f32", 128}, {"broken_off_by_one", 0}, {"broken_early_return", 1024}, {"broken_missing_sync", 1024},
                                     {"fixed_with_sync", 1024}, {"rows_in_grid_y", 0}, {"broken_shuffle_after_exit", 0},
                                     {"broken_dynamic_shared_overflow", 0}, {"shuffle_modes", 0}},
                                    "shuffle_modes");
    void* module = nullptr;
    check(cuModuleLoadData(&module, ptx.c_str()) == 0, "module load", ntrEmuLastError());
    auto fn = [&](const char* name) {
        void* f = nullptr;
        if (cuModuleGetFunction(&f, module, name) != 0) {
            std::printf("FAIL cuModuleGetFunction(%s): %s\n", name, ntrEmuLastError());
            std::exit(99);
        }
        return f;
    };

    // Softmax (block reductions: shuffles and barriers) against a host reference.
    {
        const int rows = 5, d = 100;
        std::vector<float> x(rows * d), y(rows * d);
        for (int i = 0; i < rows * d; i++) x[i] = std::sin(0.37f * i) * 3.0f;
        auto dx = alloc(x.size() * 4), dy = alloc(y.size() * 4);
        cuMemcpyHtoDAsync_v2(dx, x.data(), x.size() * 4, stream);
        int dd = d;
        void* args[] = {&dx, &dy, &dd};
        const int r = cuLaunchKernel(fn("softmax_forward_f32"), rows, 1, 1, 128, 1, 1, 0, stream, args, nullptr);
        cuMemcpyDtoHAsync_v2(y.data(), dy, y.size() * 4, stream);
        double worst = 0;
        for (int row = 0; row < rows; row++) {
            double m = -1e30, s = 0;
            for (int j = 0; j < d; j++) m = std::fmax(m, x[row * d + j]);
            for (int j = 0; j < d; j++) s += std::exp((double)x[row * d + j] - m);
            for (int j = 0; j < d; j++) worst = std::fmax(worst, std::fabs(y[row * d + j] - std::exp((double)x[row * d + j] - m) / s));
        }
        check(r == 0 && worst < 1e-6, "softmax_forward_f32 matches the host reference", r == 0 ? "max error " + std::to_string(worst) : ntrEmuLastError());
        cuMemFree_v2(dx);
        cuMemFree_v2(dy);
    }

    // Every shuffle mode and vote against the CUDA semantics computed here.
    {
        const int n = 64;
        std::vector<int> in(n), out(n * 7);
        for (int i = 0; i < n; i++) in[i] = (i * 7 + 3) % 11;
        auto din = alloc(n * 4), dout = alloc(n * 7 * 4);
        cuMemcpyHtoDAsync_v2(din, in.data(), n * 4, stream);
        void* args[] = {&din, &dout};
        const int r = cuLaunchKernel(fn("shuffle_modes"), 1, 1, 1, n, 1, 1, 0, stream, args, nullptr);
        cuMemcpyDtoHAsync_v2(out.data(), dout, out.size() * 4, stream);
        int wrong = 0;
        for (int t = 0; t < n; t++) {
            const int w = t / 32 * 32, lane = t % 32;
            auto at = [&](int l) { return in[w + l]; };
            unsigned ballot = 0;
            bool any = false, all = true;
            for (int l = 0; l < 32; l++) {
                if (at(l) % 3 == 0) ballot |= 1u << l;
                if (l == 7 && at(l) > 0) any = true;
                if (at(l) < 0) all = false;
            }
            const int expected[7] = {at(3), at((lane & ~7) + 5), ((lane ^ 6) < (lane & ~15) + 16) ? at(lane ^ 6) : at(lane),
                                     (lane % 8) + 3 < 8 ? at(lane + 3) : at(lane), lane >= 2 ? at(lane - 2) : at(lane), (int)ballot, (any ? 1 : 0) + 2 * (all ? 1 : 0)};
            for (int k = 0; k < 7; k++) wrong += out[t * 7 + k] != expected[k];
        }
        check(r == 0 && wrong == 0, "shuffle (index, width 8, xor width 16, down width 8, up) and ballot/any/all", r == 0 ? std::to_string(wrong) + " wrong values" : ntrEmuLastError());
        // .maxntid 128: a 256-thread block exceeds the launch bound
        const int r2 = cuLaunchKernel(fn("shuffle_modes"), 1, 1, 1, 256, 1, 1, 0, stream, args, nullptr);
        check(r2 == 701, "launch above __launch_bounds__ fails with CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES", name_of(r2));
        cuMemFree_v2(din);
        cuMemFree_v2(dout);
    }

    // Off by one: the write one element past a 1000-float buffer faults.
    {
        auto out = alloc(1000 * 4);
        int n = 1000;
        void* args[] = {&out, &n};
        const int r = cuLaunchKernel(fn("broken_off_by_one"), 4, 1, 1, 256, 1, 1, 0, stream, args, nullptr);
        const std::string m = ntrEmuLastError();
        check(r == 700 && contains(m, "broken_off_by_one") && contains(m, "0 bytes past the end of the 4000-byte device buffer") && contains(m, "write"),
              "off-by-one write is CUDA_ERROR_ILLEGAL_ADDRESS naming the kernel", name_of(r) + ": " + m);
        // the device stays usable afterwards
        int n2 = 999;
        void* args2[] = {&out, &n2};
        const int again = cuLaunchKernel(fn("broken_off_by_one"), 4, 1, 1, 256, 1, 1, 0, stream, args2, nullptr);
        check(again == 0, "the next launch (in bounds) succeeds", ntrEmuLastError());
        cuMemFree_v2(out);
    }

    // Barrier divergence: thread 5 returns before __syncthreads.
    {
        auto out = alloc(256 * 4);
        void* args[] = {&out};
        const int r = cuLaunchKernel(fn("broken_early_return"), 1, 1, 1, 256, 1, 1, 0, stream, args, nullptr);
        const std::string m = ntrEmuLastError();
        check(r == 719 && contains(m, "broken_early_return") && contains(m, "barrier divergence"), "a thread exiting before __syncthreads is barrier divergence",
              name_of(r) + ": " + m);
        cuMemFree_v2(out);
    }

    // Missing __syncthreads: the emulator runs each thread until it waits, so the race shows deterministically.
    {
        const int n = 512;
        std::vector<float> in(n), bad(n), good(n);
        for (int i = 0; i < n; i++) in[i] = (float)(i + 1);
        auto din = alloc(n * 4), dout = alloc(n * 4);
        cuMemcpyHtoDAsync_v2(din, in.data(), n * 4, stream);
        void* args[] = {&din, &dout};
        const int r1 = cuLaunchKernel(fn("broken_missing_sync"), 2, 1, 1, 256, 1, 1, 0, stream, args, nullptr);
        cuMemcpyDtoHAsync_v2(bad.data(), dout, n * 4, stream);
        const int r2 = cuLaunchKernel(fn("fixed_with_sync"), 2, 1, 1, 256, 1, 1, 0, stream, args, nullptr);
        cuMemcpyDtoHAsync_v2(good.data(), dout, n * 4, stream);
        int badWrong = 0, goodWrong = 0;
        for (int i = 0; i < n; i++) {
            const float expected = in[i / 256 * 256 + (i % 256 + 1) % 256];
            badWrong += bad[i] != expected;
            goodWrong += good[i] != expected;
        }
        check(r1 == 0 && r2 == 0 && goodWrong == 0 && badWrong >= 255, "a missing __syncthreads gives wrong values (the kernel with it does not)",
              std::to_string(badWrong) + " of " + std::to_string(n) + " wrong without the barrier, " + std::to_string(goodWrong) + " with it");
        cuMemFree_v2(din);
        cuMemFree_v2(dout);
    }

    // 49 KiB of static shared memory: the module does not load (ptxas refuses it), naming the kernel.
    {
        const std::string big = ptx_for({{"broken_static_shared_49k", 49 * 1024}});
        void* m = nullptr;
        const int r = cuModuleLoadData(&m, big.c_str());
        const std::string msg = ntrEmuLastError();
        check(r == 218 && contains(msg, "broken_static_shared_49k") && contains(msg, "50176"), "49 KiB of static shared memory is refused naming the kernel",
              name_of(r) + ": " + msg);
    }

    // Grid y 70,000 and block 1025: CUDA_ERROR_INVALID_VALUE, as the driver returns; grid y 65,535 runs.
    {
        auto out = alloc(65535 * 4);
        int width = 1;
        void* args[] = {&out, &width};
        const int r = cuLaunchKernel(fn("rows_in_grid_y"), 1, 70000, 1, 32, 1, 1, 0, stream, args, nullptr);
        const std::string m = ntrEmuLastError();
        check(r == 1 && contains(m, "rows_in_grid_y") && contains(m, "grid 1x70000x1"), "grid y = 70,000 is CUDA_ERROR_INVALID_VALUE naming the kernel", name_of(r) + ": " + m);
        const int ok = cuLaunchKernel(fn("rows_in_grid_y"), 1, 65535, 1, 32, 1, 1, 0, stream, args, nullptr);
        float last = 0;
        cuMemcpyDtoHAsync_v2(&last, out + 65534 * 4, 4, stream);
        check(ok == 0 && last == 65534.0f, "grid y = 65,535 runs every row", ntrEmuLastError());
        const int r2 = cuLaunchKernel(fn("rows_in_grid_y"), 1, 1, 1, 1025, 1, 1, 0, stream, args, nullptr);
        const std::string m2 = ntrEmuLastError();
        check(r2 == 1 && contains(m2, "rows_in_grid_y") && contains(m2, "1025"), "a block of 1025 threads is CUDA_ERROR_INVALID_VALUE naming the kernel", name_of(r2) + ": " + m2);
        cuMemFree_v2(out);
    }

    // Dynamic shared memory: 48 KiB by default, up to 227 KiB after cuFuncSetAttribute; overflow faults.
    {
        auto out = alloc(4);
        void* f = fn("broken_dynamic_shared_overflow");
        int n = 256;
        void* args[] = {&out, &n};
        const int over = cuLaunchKernel(f, 1, 1, 1, 256, 1, 1, 48 * 1024 + 4, stream, args, nullptr);
        check(over == 1, "49,156 bytes of dynamic shared memory without the attribute is CUDA_ERROR_INVALID_VALUE", name_of(over));
        const int tooMuch = cuFuncSetAttribute(f, 8, 232448 + 1);
        check(tooMuch == 1, "cuFuncSetAttribute above 227 KiB is CUDA_ERROR_INVALID_VALUE", name_of(tooMuch));
        const int raised = cuFuncSetAttribute(f, 8, 100000);
        int n2 = 0;
        void* args2[] = {&out, &n2};
        const int big = cuLaunchKernel(f, 1, 1, 1, 256, 1, 1, 100000, stream, args2, nullptr);
        check(raised == 0 && big == 0, "100,000 bytes of dynamic shared memory after raising the attribute", ntrEmuLastError());
        const int r = cuLaunchKernel(f, 1, 1, 1, 256, 1, 1, 256 * 4, stream, args, nullptr);
        const std::string m = ntrEmuLastError();
        check(r == 700 && contains(m, "broken_dynamic_shared_overflow") && contains(m, "dynamic shared memory"), "reading past the dynamic shared memory faults naming the kernel",
              name_of(r) + ": " + m);
        cuMemFree_v2(out);
    }

    // A shuffle over a lane that has exited.
    {
        auto out = alloc(32 * 4);
        void* args[] = {&out};
        const int r = cuLaunchKernel(fn("broken_shuffle_after_exit"), 1, 1, 1, 32, 1, 1, 0, stream, args, nullptr);
        const std::string m = ntrEmuLastError();
        check(r == 719 && contains(m, "broken_shuffle_after_exit") && contains(m, "exited"), "a shuffle over an exited lane fails naming the kernel", name_of(r) + ": " + m);
        cuMemFree_v2(out);
    }

    // Graph capture and replay; the UPLOAD flag is refused by cuGraphInstantiateWithFlags.
    {
        auto out = alloc(64 * 4);
        cuMemsetD32Async(out, 0, 64, stream);
        int width = 32;
        void* args[] = {&out, &width};
        void* graph = nullptr;
        const int begin = cuStreamBeginCapture_v2(stream, 1);
        const int launch = cuLaunchKernel(fn("rows_in_grid_y"), 1, 2, 1, 32, 1, 1, 0, stream, args, nullptr);
        width = 0;  // arguments are frozen at capture
        std::vector<float> host(64, -1.0f);
        const int end = cuStreamEndCapture(stream, &graph);
        void* exec = nullptr;
        const int upload = cuGraphInstantiateWithFlags(&exec, graph, 2);
        check(upload == 1, "cuGraphInstantiateWithFlags(CUDA_GRAPH_INSTANTIATE_FLAG_UPLOAD) is CUDA_ERROR_INVALID_VALUE", name_of(upload));
        cuMemcpyDtoHAsync_v2(host.data(), out, 64 * 4, stream);
        const bool notRunYet = host[33] == 0.0f;
        const int inst = cuGraphInstantiateWithFlags(&exec, graph, 0);
        const int replay = cuGraphLaunch(exec, stream);
        cuMemcpyDtoHAsync_v2(host.data(), out, 64 * 4, stream);
        check(begin == 0 && launch == 0 && end == 0 && inst == 0 && replay == 0 && notRunYet && host[33] == 1.0f && host[0] == 0.0f,
              "a captured launch runs only at cuGraphLaunch, with the captured arguments", ntrEmuLastError());
        unsigned long long p = 0;
        cuStreamBeginCapture_v2(stream, 1);
        const int allocDuring = cuMemAlloc_v2(&p, 16);
        void* g2 = nullptr;
        const int end2 = cuStreamEndCapture(stream, &g2);
        check(allocDuring == 900 && end2 == 901, "cuMemAlloc while capturing is refused and invalidates the capture", name_of(allocDuring) + ", " + name_of(end2));
        cuMemFree_v2(out);
    }

    // Out of memory against NTR_EMULATED_MEMORY_BYTES (1 GiB here), and a kernel that is not in the module.
    {
        unsigned long long p = 0;
        const int r = cuMemAlloc_v2(&p, 2ull << 30);
        check(r == 2, "allocating past NTR_EMULATED_MEMORY_BYTES is CUDA_ERROR_OUT_OF_MEMORY", name_of(r));
        void* f = nullptr;
        const int missing = cuModuleGetFunction(&f, module, "no_such_kernel");
        check(missing == 500, "an unknown kernel name is CUDA_ERROR_NOT_FOUND", name_of(missing));
    }

    std::printf("%d of %d checks passed\n", checks - failures, checks);
    return failures;
}
