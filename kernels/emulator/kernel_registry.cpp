#include "kernel_registry.h"

#include <map>
#include <mutex>

namespace ntr_emu {

namespace {

std::mutex& registry_lock() {
    static std::mutex lock;
    return lock;
}

std::map<std::string, KernelEntry>& registry() {
    static auto* map = new std::map<std::string, KernelEntry>();
    return *map;
}

}  // namespace

void register_kernel(const char* name, void (*invoke)(void**), std::vector<size_t> parameterSizes) {
    std::lock_guard<std::mutex> hold(registry_lock());
    registry()[name] = KernelEntry{name, invoke, std::move(parameterSizes)};
}

const KernelEntry* find_kernel(const std::string& name) {
    std::lock_guard<std::mutex> hold(registry_lock());
    auto it = registry().find(name);
    return it == registry().end() ? nullptr : &it->second;
}

size_t registered_kernel_count() {
    std::lock_guard<std::mutex> hold(registry_lock());
    return registry().size();
}

}  // namespace ntr_emu
