#include "fibre.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

#if !defined(__x86_64__)
#error "the CUDA emulator's fibre switch is written for x86-64 (kernels/emulator/fibre.cpp); port ntr_emu_fibre_switch to this CPU"
#endif

// Stack layout of a suspended context, from its saved stack pointer upwards: MXCSR (4 bytes), x87 control word
// (2 bytes, padded to 8), r15, r14, r13, r12, rbx, rbp, return address.
asm(R"(
    .text
    .globl ntr_emu_fibre_switch
    .type ntr_emu_fibre_switch, @function
ntr_emu_fibre_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $8, %rsp
    stmxcsr (%rsp)
    fnstcw 4(%rsp)
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    ldmxcsr (%rsp)
    fldcw 4(%rsp)
    addq $8, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size ntr_emu_fibre_switch, .-ntr_emu_fibre_switch

    .globl ntr_emu_fibre_start
    .type ntr_emu_fibre_start, @function
ntr_emu_fibre_start:
    movq %r12, %rdi
    callq *%r13
    ud2
    .size ntr_emu_fibre_start, .-ntr_emu_fibre_start
)");

extern "C" void ntr_emu_fibre_start();

namespace ntr_emu {

static size_t page_size() {
    static const size_t size = (size_t)sysconf(_SC_PAGESIZE);
    return size;
}

FibreStack allocate_fibre_stack(size_t size) {
    const size_t page = page_size();
    size = (size + page - 1) / page * page;
    void* region = mmap(nullptr, size + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (region == MAP_FAILED) {
        std::fprintf(stderr, "CUDA emulator: could not map a %zu-byte fibre stack\n", size);
        std::abort();
    }
    mprotect(region, page, PROT_NONE);
    FibreStack stack;
    stack.base = static_cast<char*>(region) + page;
    stack.size = size;
    return stack;
}

void free_fibre_stack(FibreStack stack) {
    if (stack.base != nullptr) munmap(stack.base - page_size(), stack.size + page_size());
}

void* prepare_fibre(FibreStack stack, void (*entry)(void*), void* arg) {
    auto top = reinterpret_cast<uintptr_t>(stack.base + stack.size) & ~(uintptr_t)15;
    auto* slot = reinterpret_cast<uint64_t*>(top);
    uint32_t mxcsr;
    uint16_t fpcw;
    asm volatile("stmxcsr %0" : "=m"(mxcsr));
    asm volatile("fnstcw %0" : "=m"(fpcw));
    *--slot = reinterpret_cast<uint64_t>(&ntr_emu_fibre_start);  // return address of the first switch
    *--slot = 0;                                                  // rbp
    *--slot = 0;                                                  // rbx
    *--slot = reinterpret_cast<uint64_t>(arg);                    // r12: argument
    *--slot = reinterpret_cast<uint64_t>(entry);                  // r13: entry
    *--slot = 0;                                                  // r14
    *--slot = 0;                                                  // r15
    *--slot = (uint64_t)mxcsr | ((uint64_t)fpcw << 32);
    return slot;
}

}  // namespace ntr_emu
