// Faults inside kernels: a worker thread arms its FaultRecord while it runs a block; the signal handler records the
// faulting address and jumps back to the block scheduler, which fails the launch with the kernel's name.
#pragma once

#include <csetjmp>
#include <cstddef>
#include <cstdint>

namespace ntr_emu {

struct FaultRecord {
    sigjmp_buf jump;
    volatile int armed = 0;
    volatile uintptr_t address = 0;
    volatile int write = 0;
    volatile int signal = 0;
    // The scheduler's stack, for AddressSanitizer's fibre bookkeeping when the handler jumps back to it.
    const void* schedulerStackBottom = nullptr;
    size_t schedulerStackSize = 0;
};

extern thread_local FaultRecord* current_fault_record;

}  // namespace ntr_emu
