// Runs the blocks of a launch on one host thread: one fibre per GPU thread, scheduled in thread order until each
// finishes or waits (at __syncthreads, or at a warp shuffle/vote until every lane of its mask has arrived).
// Detects barrier divergence, shuffles over exited lanes or lanes outside the mask, mismatched masks, and
// (through the fault handler) out-of-bounds accesses, reporting each with the kernel, block and thread.
#pragma once

#include <string>
#include <vector>

#include "emulator_runtime.h"
#include "fault_handler.h"
#include "fibre.h"

namespace ntr_emu {

class BlockScheduler {
public:
    BlockScheduler();
    ~BlockScheduler();
    BlockScheduler(const BlockScheduler&) = delete;
    BlockScheduler& operator=(const BlockScheduler&) = delete;

    // Prepares for the blocks of one launch (block shape, dynamic shared memory).
    void begin_launch(const LaunchContext& launch);

    // Runs block `index` to completion; false with `code` and `message` set when it failed.
    bool run_block(uint3 index, int& code, std::string& message);

    // Entry points of the device primitives (cuda_emulator.h) for the fibre now running on this thread.
    void barrier();
    unsigned long long exchange(bool vote, unsigned int mask, unsigned long long value, int mode, int operand, int width);
    unsigned char* dynamic_shared() const { return dynamicShared_; }

    static BlockScheduler* current();

private:
    enum class State : unsigned char { NotStarted, Ready, AtBarrier, AtWarp, Done };

    struct Fibre {
        void* sp = nullptr;
        FibreStack stack;
        State state = State::NotStarted;
        uint3 index{0, 0, 0};
    };

    struct WarpExchange {
        unsigned int mask = 0;
        unsigned int arrived = 0;
        bool vote = false;
        unsigned long long value[32];
        int mode[32];
        int operand[32];
        int width[32];
        unsigned long long result[32];
    };

    static void fibre_main(void* self);
    void resume(int t);
    void suspend(State state);
    [[noreturn]] void fail_in_fibre(int code, const std::string& what);
    void thread_exit();
    void recycle_stacks();
    std::string where(int t) const;
    std::string deadlock_description() const;
    FibreStack take_stack();

    const LaunchContext* launch_ = nullptr;
    int threads_ = 0;
    std::vector<Fibre> fibres_;
    std::vector<WarpExchange> warps_;
    std::vector<FibreStack> freeStacks_;
    int current_ = -1;
    void* schedulerSp_ = nullptr;
    int barrierArrived_ = 0;
    int barrierGeneration_ = 0;
    int exited_ = 0;
    bool failed_ = false;
    int failCode_ = 0;
    std::string failMessage_;
    FaultRecord fault_;
    char* sharedRegion_ = nullptr;
    size_t sharedRegionBytes_ = 0;
    unsigned char* dynamicShared_ = nullptr;
    void* schedulerStackBottom_ = nullptr;
    size_t schedulerStackSize_ = 0;
};

}  // namespace ntr_emu
