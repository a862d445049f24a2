// Fibres for the GPU threads of one block: a stack each and a hand-written context switch (x86-64: the callee-saved
// registers, MXCSR and the x87 control word), so a switch costs a few nanoseconds and no system call.
#pragma once

#include <cstddef>

namespace ntr_emu {

// A fibre stack: usable bytes [base, base + size), with an inaccessible guard page just below base.
struct FibreStack {
    char* base = nullptr;
    size_t size = 0;
};

FibreStack allocate_fibre_stack(size_t size);
void free_fibre_stack(FibreStack stack);

// The initial stack pointer of a fibre that starts by calling entry(arg); entry must never return.
void* prepare_fibre(FibreStack stack, void (*entry)(void*), void* arg);

}  // namespace ntr_emu

// Saves the current context's stack pointer in *save and continues the context whose stack pointer is load.
extern "C" void ntr_emu_fibre_switch(void** save, void* load);
