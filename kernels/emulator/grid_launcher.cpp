// The blocks of a launch run on a small fixed pool of host threads (NTR_EMULATED_THREADS, default the number of
// cores, at most 16); each block runs wholly on one of them, so `__shared__` (thread_local) is per block. Which host
// thread ran a block never changes a result: blocks only communicate through device memory, as on a GPU.
#include <signal.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#include "block_scheduler.h"
#include "emulator_runtime.h"

namespace ntr_emu {

namespace {

class WorkerPool {
public:
    static WorkerPool& instance() {
        static auto* pool = new WorkerPool();  // never destroyed: its threads live as long as the process
        return *pool;
    }

    int run(const LaunchContext& launch) {
        std::unique_lock<std::mutex> hold(lock_);
        launch_ = &launch;
        total_ = (long long)launch.grid.x * launch.grid.y * launch.grid.z;
        next_.store(0);
        abort_.store(false);
        errorBlock_ = -1;
        errorCode_ = Success;
        errorMessage_.clear();
        running_ = (int)threads_.size();
        generation_++;
        start_.notify_all();
        done_.wait(hold, [this] { return running_ == 0; });
        launch_ = nullptr;
        if (errorCode_ != Success) return fail(errorCode_, errorMessage_);
        return Success;
    }

private:
    WorkerPool() {
        int count = (int)std::thread::hardware_concurrency();
        if (const char* text = std::getenv("NTR_EMULATED_THREADS")) {
            const int v = std::atoi(text);
            if (v > 0) count = v;
        }
        if (count < 1) count = 1;
        if (count > 16) count = 16;
        for (int i = 0; i < count; i++) {
            threads_.emplace_back([this] { work(); });
            threads_.back().detach();
        }
    }

    void work() {
        // Faults are handled on an alternate stack: a fibre's own stack may be the one that overflowed.
        static thread_local std::vector<char> alternate(64 * 1024);
        stack_t stack{};
        stack.ss_sp = alternate.data();
        stack.ss_size = alternate.size();
        sigaltstack(&stack, nullptr);
        BlockScheduler scheduler;
        unsigned long long seen = 0;
        for (;;) {
            const LaunchContext* launch;
            {
                std::unique_lock<std::mutex> hold(lock_);
                start_.wait(hold, [&] { return generation_ != seen; });
                seen = generation_;
                launch = launch_;
            }
            const long long gx = launch->grid.x, gy = launch->grid.y;
            bool begun = false;
            for (;;) {
                if (abort_.load(std::memory_order_relaxed)) break;
                const long long b = next_.fetch_add(1);
                if (b >= total_) break;
                if (!begun) {
                    scheduler.begin_launch(*launch);
                    begun = true;
                }
                const uint3 index{(unsigned)(b % gx), (unsigned)(b / gx % gy), (unsigned)(b / (gx * gy))};
                int code = Success;
                std::string message;
                if (!scheduler.run_block(index, code, message)) {
                    std::lock_guard<std::mutex> hold(lock_);
                    if (errorBlock_ < 0 || b < errorBlock_) {
                        errorBlock_ = b;
                        errorCode_ = code;
                        errorMessage_ = message;
                    }
                    abort_.store(true);
                }
            }
            std::lock_guard<std::mutex> hold(lock_);
            if (--running_ == 0) done_.notify_all();
        }
    }

    std::mutex lock_;
    std::condition_variable start_, done_;
    std::vector<std::thread> threads_;
    const LaunchContext* launch_ = nullptr;
    unsigned long long generation_ = 0;
    std::atomic<long long> next_{0};
    long long total_ = 0;
    std::atomic<bool> abort_{false};
    int running_ = 0;
    long long errorBlock_ = -1;
    int errorCode_ = Success;
    std::string errorMessage_;
};

std::mutex launch_lock;

}  // namespace

int run_grid(const LaunchContext& launch) {
    install_fault_handler();
    std::lock_guard<std::mutex> hold(launch_lock);
    return WorkerPool::instance().run(launch);
}

}  // namespace ntr_emu
