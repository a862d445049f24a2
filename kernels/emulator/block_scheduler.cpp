#include "block_scheduler.h"

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#define NTR_EMU_ASAN 1
#endif

thread_local uint3 threadIdx;
thread_local uint3 blockIdx;
thread_local dim3 blockDim;
thread_local dim3 gridDim;

namespace ntr_emu {

namespace {

thread_local BlockScheduler* running_scheduler = nullptr;

// Bytes of stack per GPU thread: kernels keep their registers (a few hundred bytes of locals) there.
#if defined(NTR_EMU_ASAN)
constexpr size_t FibreStackBytes = 512 * 1024;
#else
constexpr size_t FibreStackBytes = 128 * 1024;
#endif

// Dynamic shared memory: the opt-in maximum of an H100/H200 (227 KiB), ending at a guard page.
constexpr size_t MaxSharedBytes = 232448;

std::string format_index(uint3 i) {
    return "(" + std::to_string(i.x) + "," + std::to_string(i.y) + "," + std::to_string(i.z) + ")";
}

std::string hex(unsigned int v) {
    char text[16];
    std::snprintf(text, sizeof(text), "0x%08x", v);
    return text;
}

void asan_start_switch(void** fakeStack, const void* bottom, size_t size) {
#if defined(NTR_EMU_ASAN)
    __sanitizer_start_switch_fiber(fakeStack, bottom, size);
#else
    (void)fakeStack, (void)bottom, (void)size;
#endif
}

void asan_finish_switch(void* fakeStack, const void** bottom, size_t* size) {
#if defined(NTR_EMU_ASAN)
    __sanitizer_finish_switch_fiber(fakeStack, bottom, size);
#else
    (void)fakeStack, (void)bottom, (void)size;
#endif
}

}  // namespace

unsigned char* dynamic_shared_memory() {
    BlockScheduler* s = BlockScheduler::current();
    return s == nullptr ? nullptr : s->dynamic_shared();
}

void syncthreads() {
    BlockScheduler* s = BlockScheduler::current();
    if (s == nullptr) {
        std::fprintf(stderr, "CUDA emulator: __syncthreads called outside a kernel\n");
        std::abort();
    }
    s->barrier();
}

unsigned long long warp_shuffle(unsigned int mask, unsigned long long value, int mode, int operand, int width) {
    return BlockScheduler::current()->exchange(false, mask, value, mode, operand, width);
}

unsigned int warp_vote(unsigned int mask, int predicate, int mode) {
    return (unsigned int)BlockScheduler::current()->exchange(true, mask, predicate != 0 ? 1 : 0, mode, 0, 32);
}

BlockScheduler* BlockScheduler::current() { return running_scheduler; }

BlockScheduler::BlockScheduler() {
    const size_t page = (size_t)sysconf(_SC_PAGESIZE);
    sharedRegionBytes_ = (MaxSharedBytes + 16 + page - 1) / page * page;
    void* region = mmap(nullptr, sharedRegionBytes_ + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (region == MAP_FAILED) {
        std::fprintf(stderr, "CUDA emulator: could not map shared memory\n");
        std::abort();
    }
    sharedRegion_ = static_cast<char*>(region);
    mprotect(sharedRegion_ + sharedRegionBytes_, page, PROT_NONE);
}

BlockScheduler::~BlockScheduler() {
    recycle_stacks();
    for (auto& s : freeStacks_) free_fibre_stack(s);
    munmap(sharedRegion_, sharedRegionBytes_ + (size_t)sysconf(_SC_PAGESIZE));
}

void BlockScheduler::begin_launch(const LaunchContext& launch) {
    launch_ = &launch;
    threads_ = (int)(launch.block.x * launch.block.y * launch.block.z);
    fibres_.assign(threads_, Fibre{});
    for (int t = 0; t < threads_; t++) {
        fibres_[t].index = uint3{(unsigned)(t % launch.block.x), (unsigned)(t / launch.block.x % launch.block.y),
                                 (unsigned)(t / (launch.block.x * launch.block.y))};
    }
    warps_.assign((threads_ + 31) / 32, WarpExchange{});
    // The block's dynamic shared memory ends at the guard page (rounded up to 16 bytes for alignment), so a read or
    // write past its end faults.
    const size_t bytes = (launch.dynamicSharedBytes + 15u) & ~(size_t)15;
    dynamicShared_ = reinterpret_cast<unsigned char*>(sharedRegion_ + sharedRegionBytes_ - bytes);
    blockDim = launch.block;
    gridDim = launch.grid;
}

FibreStack BlockScheduler::take_stack() {
    if (!freeStacks_.empty()) {
        FibreStack s = freeStacks_.back();
        freeStacks_.pop_back();
#if defined(NTR_EMU_ASAN)
        // The last fibre on this stack never returned from its frames: clear their redzones.
        __asan_unpoison_memory_region(s.base, s.size);
#endif
        return s;
    }
    return allocate_fibre_stack(FibreStackBytes);
}

void BlockScheduler::recycle_stacks() {
    for (auto& f : fibres_) {
        if (f.stack.base != nullptr) {
            freeStacks_.push_back(f.stack);
            f.stack = FibreStack{};
        }
    }
}

std::string BlockScheduler::where(int t) const {
    return "block " + format_index(blockIdx) + ", thread " + format_index(fibres_[t].index);
}

bool BlockScheduler::run_block(uint3 index, int& code, std::string& message) {
    blockIdx = index;
    for (auto& f : fibres_) {
        f.state = State::NotStarted;
        f.sp = nullptr;
    }
    for (auto& w : warps_) {
        w.mask = 0;
        w.arrived = 0;
    }
    barrierArrived_ = 0;
    barrierGeneration_ = 0;
    exited_ = 0;
    failed_ = false;
    current_ = -1;
    // Uninitialised dynamic shared memory holds NaNs (0xff bytes), as a stale-value hint would not.
    std::memset(dynamicShared_, 0xff, launch_->dynamicSharedBytes);

    running_scheduler = this;
    current_fault_record = &fault_;
    if (sigsetjmp(fault_.jump, 1) != 0) {
        // A fibre faulted: abandon the block (its fibres never resume; their stacks are reused).
        running_scheduler = nullptr;
        const int t = current_;
        asan_finish_switch(nullptr, nullptr, nullptr);
        const uintptr_t address = fault_.address;
        std::ostringstream text;
        if (fault_.signal == SIGFPE) {
            code = ErrorLaunchFailed;
            text << "integer division by zero (the host traps where a GPU returns an unspecified value)";
        } else {
            code = ErrorIllegalAddress;
            const Fibre& f = fibres_[t >= 0 ? t : 0];
            const auto stackLow = reinterpret_cast<uintptr_t>(f.stack.base);
            const auto sharedEnd = reinterpret_cast<uintptr_t>(sharedRegion_ + sharedRegionBytes_);
            text << (fault_.write ? "write to" : "read of") << " address 0x" << std::hex << address << std::dec;
            if (stackLow != 0 && address < stackLow && address + 65536 >= stackLow) {
                text << ": stack overflow (more than " << FibreStackBytes / 1024 << " KiB of local memory per thread)";
            } else if (address >= sharedEnd && address < sharedEnd + 4096) {
                text << ": " << (address - reinterpret_cast<uintptr_t>(dynamicShared_)) << " bytes past the start of the block's "
                     << launch_->dynamicSharedBytes << " bytes of dynamic shared memory";
            } else {
                text << ": " << describe_device_address(address);
            }
        }
        message = "kernel " + launch_->kernel->name + ", " + (t >= 0 ? where(t) : std::string("block ") + format_index(blockIdx)) + ": " + text.str();
        recycle_stacks();
        current_fault_record = nullptr;
        return false;
    }
    fault_.armed = 1;

    for (;;) {
        bool progressed = false;
        for (int t = 0; t < threads_; t++) {
            const State s = fibres_[t].state;
            if (s == State::NotStarted || s == State::Ready) {
                resume(t);
                progressed = true;
                if (failed_) break;
            }
        }
        if (failed_ || exited_ == threads_) break;
        if (!progressed) {
            failed_ = true;
            failCode_ = ErrorLaunchFailed;
            failMessage_ = "kernel " + launch_->kernel->name + ", block " + format_index(blockIdx) + ": " + deadlock_description();
            break;
        }
    }
    fault_.armed = 0;
    current_fault_record = nullptr;
    running_scheduler = nullptr;
    recycle_stacks();
    if (failed_) {
        code = failCode_;
        message = failMessage_;
        return false;
    }
    return true;
}

std::string BlockScheduler::deadlock_description() const {
    int atBarrier = 0, atWarp = 0, firstBarrier = -1, firstWarp = -1;
    for (int t = 0; t < threads_; t++) {
        if (fibres_[t].state == State::AtBarrier) {
            atBarrier++;
            if (firstBarrier < 0) firstBarrier = t;
        } else if (fibres_[t].state == State::AtWarp) {
            atWarp++;
            if (firstWarp < 0) firstWarp = t;
        }
    }
    std::ostringstream text;
    text << "deadlock: " << atBarrier << " thread(s) wait at __syncthreads";
    if (firstBarrier >= 0) text << " (first: thread " << format_index(fibres_[firstBarrier].index) << ")";
    text << " and " << atWarp << " at a warp shuffle or vote";
    if (firstWarp >= 0) {
        const WarpExchange& w = warps_[firstWarp / 32];
        text << " (first: thread " << format_index(fibres_[firstWarp].index) << ", mask " << hex(w.mask) << ", lanes arrived "
             << hex(w.arrived) << ")";
    }
    text << "; a barrier or shuffle is reached by only part of the threads it names (barrier divergence)";
    return text.str();
}

void BlockScheduler::resume(int t) {
    Fibre& f = fibres_[t];
    if (f.state == State::NotStarted) {
        f.stack = take_stack();
        f.sp = prepare_fibre(f.stack, &BlockScheduler::fibre_main, this);
    }
    f.state = State::Ready;
    current_ = t;
    threadIdx = f.index;
    void* fake = nullptr;
    asan_start_switch(&fake, f.stack.base, f.stack.size);
    ntr_emu_fibre_switch(&schedulerSp_, f.sp);
    asan_finish_switch(fake, nullptr, nullptr);
    if (f.state == State::Done && f.stack.base != nullptr) {
        freeStacks_.push_back(f.stack);
        f.stack = FibreStack{};
    }
    current_ = -1;
}

void BlockScheduler::fibre_main(void* self) {
    auto* s = static_cast<BlockScheduler*>(self);
    const void* bottom = nullptr;
    size_t size = 0;
    asan_finish_switch(nullptr, &bottom, &size);
    s->schedulerStackBottom_ = const_cast<void*>(bottom);
    s->schedulerStackSize_ = size;
    s->fault_.schedulerStackBottom = bottom;
    s->fault_.schedulerStackSize = size;
    s->launch_->kernel->invoke(s->launch_->params);
    s->thread_exit();
}

// Switches back to the scheduler; the fibre continues here when the scheduler resumes it.
void BlockScheduler::suspend(State state) {
    Fibre& f = fibres_[current_];
    f.state = state;
    void* fake = nullptr;
    asan_start_switch(state == State::Done ? nullptr : &fake, schedulerStackBottom_, schedulerStackSize_);
    ntr_emu_fibre_switch(&f.sp, schedulerSp_);
    asan_finish_switch(fake, nullptr, nullptr);
}

void BlockScheduler::fail_in_fibre(int code, const std::string& what) {
    const int t = current_;
    failed_ = true;
    failCode_ = code;
    failMessage_ = "kernel " + launch_->kernel->name + ", " + where(t) + ": " + what;
    suspend(State::Done);
    std::abort();  // never resumed
}

void BlockScheduler::thread_exit() {
    const int t = current_;
    exited_++;
    if (barrierArrived_ > 0) {
        fail_in_fibre(ErrorLaunchFailed, "barrier divergence: the thread exited while " + std::to_string(barrierArrived_) + " thread(s) of its block wait at __syncthreads (barrier " +
                                             std::to_string(barrierGeneration_ + 1) + ")");
    }
    const WarpExchange& w = warps_[t / 32];
    const unsigned int bit = 1u << (t % 32);
    if (w.arrived != 0 && (w.mask & bit) != 0) {
        fail_in_fibre(ErrorLaunchFailed, "the thread exited while lanes " + hex(w.arrived) + " of its warp wait in a shuffle or vote whose mask " + hex(w.mask) +
                                             " names it");
    }
    suspend(State::Done);
    std::abort();  // a finished fibre is never resumed
}

void BlockScheduler::barrier() {
    if (exited_ > 0) {
        fail_in_fibre(ErrorLaunchFailed, "barrier divergence: the thread reached __syncthreads (barrier " + std::to_string(barrierGeneration_ + 1) + ") after " +
                                             std::to_string(exited_) + " thread(s) of its block exited without reaching it");
    }
    if (++barrierArrived_ == threads_) {
        for (auto& f : fibres_) {
            if (f.state == State::AtBarrier) f.state = State::Ready;
        }
        barrierArrived_ = 0;
        barrierGeneration_++;
        return;
    }
    suspend(State::AtBarrier);
}

unsigned long long BlockScheduler::exchange(bool vote, unsigned int mask, unsigned long long value, int mode, int operand, int width) {
    const int t = current_;
    const int lane = t % 32;
    const unsigned int bit = 1u << lane;
    const char* what = vote ? "warp vote" : "warp shuffle";
    WarpExchange& w = warps_[t / 32];
    const int lanesInWarp = threads_ - (t / 32) * 32 < 32 ? threads_ - (t / 32) * 32 : 32;
    const unsigned int existing = lanesInWarp == 32 ? 0xffffffffu : ((1u << lanesInWarp) - 1);
    if ((mask & bit) == 0) fail_in_fibre(ErrorLaunchFailed, std::string(what) + " with mask " + hex(mask) + " that does not include the calling lane " + std::to_string(lane));
    if ((mask & ~existing) != 0) {
        fail_in_fibre(ErrorLaunchFailed, std::string(what) + " with mask " + hex(mask) + " names lanes that do not exist (the block has " + std::to_string(threads_) +
                                             " threads, so this warp has " + std::to_string(lanesInWarp) + " lanes)");
    }
    if (!vote && (width <= 0 || width > 32 || (width & (width - 1)) != 0)) {
        fail_in_fibre(ErrorLaunchFailed, "warp shuffle width " + std::to_string(width) + " is not a power of two between 1 and 32");
    }
    for (int l = 0; l < 32; l++) {
        if ((mask >> l & 1u) != 0 && fibres_[(t / 32) * 32 + l].state == State::Done) {
            fail_in_fibre(ErrorLaunchFailed, std::string(what) + " with mask " + hex(mask) + " over lane " + std::to_string(l) + ", which has exited");
        }
    }
    if (w.arrived == 0) {
        w.mask = mask;
        w.vote = vote;
    } else if (w.mask != mask) {
        fail_in_fibre(ErrorLaunchFailed, std::string(what) + " with mask " + hex(mask) + " while lanes " + hex(w.arrived) + " of the warp wait with mask " + hex(w.mask));
    } else if (w.vote != vote) {
        fail_in_fibre(ErrorLaunchFailed, std::string(what) + " while other lanes of the warp wait in a " + (w.vote ? "vote" : "shuffle"));
    }
    w.value[lane] = value;
    w.mode[lane] = mode;
    w.operand[lane] = operand;
    w.width[lane] = width;
    w.arrived |= bit;
    if (w.arrived != w.mask) {
        suspend(State::AtWarp);
        return w.result[lane];
    }
    // Every lane of the mask has arrived: compute each lane's result, release the waiting lanes.
    for (int l = 0; l < 32; l++) {
        if ((mask >> l & 1u) == 0) continue;
        if (vote) {
            unsigned int ballot = 0;
            for (int k = 0; k < 32; k++) {
                if ((mask >> k & 1u) != 0 && w.value[k] != 0) ballot |= 1u << k;
            }
            w.result[l] = w.mode[l] == VoteBallot ? ballot : (w.mode[l] == VoteAny ? (ballot != 0) : (ballot == mask));
            continue;
        }
        const int wd = w.width[l];
        const int start = l & ~(wd - 1);
        int src = l;
        switch (w.mode[l]) {
            case ShuffleIndex: src = start + (w.operand[l] & (wd - 1)); break;
            case ShuffleXor: src = l ^ w.operand[l]; if (src >= start + wd || src > 31 || src < 0) src = l; break;
            case ShuffleDown: src = l + w.operand[l]; if (src >= start + wd) src = l; break;
            default: src = l - w.operand[l]; if (src < start) src = l; break;
        }
        if ((mask >> src & 1u) == 0) {
            w.arrived = 0;
            fail_in_fibre(ErrorLaunchFailed, "warp shuffle of lane " + std::to_string(l) + " reads lane " + std::to_string(src) + ", which is not in the mask " + hex(mask));
        }
        w.result[l] = w.value[src];
    }
    w.arrived = 0;
    for (int l = 0; l < 32; l++) {
        if ((mask >> l & 1u) != 0 && l != lane) fibres_[(t / 32) * 32 + l].state = State::Ready;
    }
    return w.result[lane];
}

}  // namespace ntr_emu
