// The emulator's table of kernels: every `extern "C" __global__` function of kernels/*.cu, registered by name by
// the generated <name>.registration.cpp (see generate_kernel_registration.cmake) with an invoker that unpacks the
// driver API's `void** kernelParams` into the kernel's typed arguments.
#pragma once

#include <cstddef>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace ntr_emu {

struct KernelEntry {
    std::string name;
    void (*invoke)(void** params);
    std::vector<size_t> parameterSizes;
};

void register_kernel(const char* name, void (*invoke)(void**), std::vector<size_t> parameterSizes);
const KernelEntry* find_kernel(const std::string& name);
size_t registered_kernel_count();

template <typename... A, size_t... I>
inline void invoke_unpacked(void (*fn)(A...), void** p, std::index_sequence<I...>) {
    fn(*static_cast<std::remove_cv_t<std::remove_reference_t<A>>*>(p[I])...);
}

template <auto Fn>
struct KernelInvoker;

template <typename... A, void (*Fn)(A...)>
struct KernelInvoker<Fn> {
    static void invoke(void** p) { invoke_unpacked(Fn, p, std::index_sequence_for<A...>{}); }
    static std::vector<size_t> sizes() { return {sizeof(std::remove_cv_t<std::remove_reference_t<A>>)...}; }
};

struct KernelRegistration {
    KernelRegistration(const char* name, void (*invoke)(void**), std::vector<size_t> sizes) { register_kernel(name, invoke, std::move(sizes)); }
};

}  // namespace ntr_emu

#define NTR_EMU_REGISTER_KERNEL(NAME) \
    static const ntr_emu::KernelRegistration ntr_emu_registration_##NAME(#NAME, &ntr_emu::KernelInvoker<&NAME>::invoke, ntr_emu::KernelInvoker<&NAME>::sizes());
