#include "fault_handler.h"

#include <signal.h>
#include <ucontext.h>

#include <cstring>
#include <mutex>

#include "emulator_runtime.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#endif

namespace ntr_emu {

thread_local FaultRecord* current_fault_record = nullptr;

namespace {

struct sigaction previous_segv, previous_bus, previous_fpe;

void chain(int signal, siginfo_t* info, void* context) {
    const struct sigaction& previous = signal == SIGSEGV ? previous_segv : (signal == SIGBUS ? previous_bus : previous_fpe);
    if (previous.sa_flags & SA_SIGINFO) {
        if (previous.sa_sigaction != nullptr) {
            previous.sa_sigaction(signal, info, context);
            return;
        }
    } else if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN) {
        previous.sa_handler(signal);
        return;
    }
    // No handler before ours: restore the default action; returning re-executes the faulting instruction.
    struct sigaction fallback;
    std::memset(&fallback, 0, sizeof(fallback));
    fallback.sa_handler = SIG_DFL;
    sigaction(signal, &fallback, nullptr);
}

void on_fault(int signal, siginfo_t* info, void* context) {
    FaultRecord* record = current_fault_record;
    if (record == nullptr || !record->armed) {
        chain(signal, info, context);
        return;
    }
    record->armed = 0;
    record->signal = signal;
    record->address = reinterpret_cast<uintptr_t>(info->si_addr);
    const auto* uc = static_cast<const ucontext_t*>(context);
    record->write = signal == SIGSEGV && (uc->uc_mcontext.gregs[REG_ERR] & 2) != 0;
#if defined(__SANITIZE_ADDRESS__)
    __sanitizer_start_switch_fiber(nullptr, record->schedulerStackBottom, record->schedulerStackSize);
#endif
    siglongjmp(record->jump, 1);
}

}  // namespace

void install_fault_handler() {
    static std::once_flag once;
    std::call_once(once, [] {
        struct sigaction action;
        std::memset(&action, 0, sizeof(action));
        action.sa_sigaction = on_fault;
        action.sa_flags = SA_SIGINFO | SA_ONSTACK;
        sigemptyset(&action.sa_mask);
        sigaction(SIGSEGV, &action, &previous_segv);
        sigaction(SIGBUS, &action, &previous_bus);
        sigaction(SIGFPE, &action, &previous_fpe);
    });
}

}  // namespace ntr_emu
