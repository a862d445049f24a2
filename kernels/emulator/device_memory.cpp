#include "device_memory.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <iterator>
#include <map>
#include <mutex>
#include <sstream>

#include "emulator_runtime.h"

namespace ntr_emu {

namespace {

struct Allocation {
    uintptr_t mapping = 0;
    size_t mappedBytes = 0;  // including the guard page
    size_t bytes = 0;
};

std::mutex memory_lock;
std::map<uintptr_t, Allocation>& allocations() {
    static auto* map = new std::map<uintptr_t, Allocation>();
    return *map;
}
size_t used_bytes = 0;

size_t page_size() {
    static const size_t size = (size_t)sysconf(_SC_PAGESIZE);
    return size;
}

// The live allocation whose buffer or guard page contains the address (nullptr when none); lock held.
const std::pair<const uintptr_t, Allocation>* allocation_near(uintptr_t address) {
    auto& map = allocations();
    auto it = map.upper_bound(address);
    if (it == map.begin()) return nullptr;
    --it;
    if (address < it->second.mapping + it->second.mappedBytes) return &*it;
    return nullptr;
}

}  // namespace

size_t device_total_bytes() {
    static const size_t total = [] {
        const char* text = std::getenv("NTR_EMULATED_MEMORY_BYTES");
        if (text != nullptr && *text != '\0') {
            char* end = nullptr;
            const unsigned long long v = std::strtoull(text, &end, 10);
            if (end != text && v > 0) return (size_t)v;
        }
        return (size_t)141000000000ull;
    }();
    return total;
}

int device_allocate(uint64_t* pointer, size_t bytes) {
    if (pointer == nullptr) return fail(ErrorInvalidValue, "cuMemAlloc: the output pointer is null");
    *pointer = 0;
    if (bytes == 0) return fail(ErrorInvalidValue, "cuMemAlloc: zero bytes requested (the driver rejects empty allocations)");
    const size_t page = page_size();
    const size_t rounded = (bytes + page - 1) / page * page;
    {
        std::lock_guard<std::mutex> hold(memory_lock);
        if (used_bytes + bytes > device_total_bytes()) {
            std::ostringstream text;
            text << "cuMemAlloc: " << bytes << " bytes requested with " << used_bytes << " of " << device_total_bytes()
                 << " bytes in use (limit NTR_EMULATED_MEMORY_BYTES)";
            return fail(ErrorOutOfMemory, text.str());
        }
        used_bytes += bytes;
    }
    void* mapping = mmap(nullptr, rounded + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mapping == MAP_FAILED) {
        std::lock_guard<std::mutex> hold(memory_lock);
        used_bytes -= bytes;
        return fail(ErrorOutOfMemory, "cuMemAlloc: the host could not map " + std::to_string(bytes) + " bytes");
    }
    const auto base = reinterpret_cast<uintptr_t>(mapping);
    mprotect(reinterpret_cast<void*>(base + rounded), page, PROT_NONE);
    const uintptr_t start = base + rounded - bytes;
    {
        std::lock_guard<std::mutex> hold(memory_lock);
        allocations()[start] = Allocation{base, rounded + page, bytes};
    }
    *pointer = start;
    return Success;
}

int device_free(uint64_t pointer) {
    if (pointer == 0) return Success;
    Allocation a;
    {
        std::lock_guard<std::mutex> hold(memory_lock);
        auto it = allocations().find((uintptr_t)pointer);
        if (it == allocations().end()) {
            std::ostringstream text;
            text << "cuMemFree: 0x" << std::hex << pointer << " is not the start of a live device allocation";
            return fail(ErrorInvalidValue, text.str());
        }
        a = it->second;
        used_bytes -= a.bytes;
        allocations().erase(it);
    }
    munmap(reinterpret_cast<void*>(a.mapping), a.mappedBytes);
    return Success;
}

void device_memory_info(size_t* free, size_t* total) {
    std::lock_guard<std::mutex> hold(memory_lock);
    if (free != nullptr) *free = device_total_bytes() - used_bytes;
    if (total != nullptr) *total = device_total_bytes();
}

bool device_range_valid(uint64_t pointer, size_t bytes, std::string& why) {
    std::lock_guard<std::mutex> hold(memory_lock);
    const auto* a = allocation_near((uintptr_t)pointer);
    std::ostringstream text;
    if (a == nullptr || pointer < a->first) {
        text << "0x" << std::hex << pointer << " is not in any live device allocation";
        why = text.str();
        return false;
    }
    if (pointer + bytes > a->first + a->second.bytes) {
        text << (pointer + bytes - (a->first + a->second.bytes)) << " bytes past the end of the " << a->second.bytes << "-byte device buffer at 0x" << std::hex << a->first;
        why = text.str();
        return false;
    }
    return true;
}

std::string describe_device_address(uintptr_t address) {
    std::lock_guard<std::mutex> hold(memory_lock);
    const auto* a = allocation_near(address);
    std::ostringstream text;
    if (a != nullptr && address >= a->first + a->second.bytes) {
        text << "out of bounds, " << (address - a->first - a->second.bytes) << " bytes past the end of the " << a->second.bytes
             << "-byte device buffer at 0x" << std::hex << a->first << std::dec << " (element " << (address - a->first) / 4
             << " as float, " << (address - a->first) / 8 << " as double)";
    } else {
        text << "not in any live device buffer (a freed buffer, a host pointer or a wild index)";
    }
    return text.str();
}

}  // namespace ntr_emu
