// Operand ranges of a stand-in call checked against the emulator's device memory map before any access, so that
// a wrong leading dimension, stride, shape or workspace size is reported with the call and operand it concerns
// (a GPU would fault with an illegal address, or read and write neighbouring buffers).
//
// The map is the emulator core's (device_memory.cpp: ntr_emu::device_range_valid, and ntr_emu::set_last_error for
// the message); both are weak references, so the stand-ins also build and run without the core (their own
// self-test supplies its own map).
#pragma once

#include <cstddef>
#include <cstdio>
#include <cstdint>
#include <string>
#include <vector>

#include "standin_error.h"

namespace ntr_emu {
bool device_range_valid(uint64_t pointer, size_t bytes, std::string& why) __attribute__((weak));
}  // namespace ntr_emu

namespace ntr_standin {

/// Elements spanned by `batch` matrices of rows x cols (column-major, leading dimension ld) placed `stride` apart:
/// the first and one-past-last element offsets relative to the base pointer.
struct Span {
    int64_t first;
    int64_t end;
};

inline Span matrix_span(int64_t rows, int64_t cols, int64_t ld, int64_t stride, int64_t batch)
{
    const int64_t one = (cols - 1) * ld + rows;
    const int64_t last_start = (batch - 1) * stride;
    return Span{last_start < 0 ? last_start : 0, (last_start > 0 ? last_start : 0) + one};
}

/// True when [base + first*element, base + end*element) lies in one live device allocation (or no map is linked);
/// otherwise records "<call>: <operand> ... : <why>" as the emulator's last error and returns false.
inline bool device_span_ok(const char* call, const char* operand, const void* base, Span span, size_t element)
{
    if (ntr_emu::device_range_valid == nullptr || span.end <= span.first) {
        return true;
    }
    const uint64_t start = reinterpret_cast<uint64_t>(base) + static_cast<uint64_t>(span.first * static_cast<int64_t>(element));
    const size_t bytes = static_cast<size_t>(span.end - span.first) * element;
    std::string why;
    if (ntr_emu::device_range_valid(start, bytes, why)) {
        return true;
    }
    if (ntr_emu::set_last_error != nullptr) {
        char where[64];
        std::snprintf(where, sizeof where, "0x%llx", static_cast<unsigned long long>(start));
        ntr_emu::set_last_error(std::string(call) + ": " + operand + " needs " + std::to_string(bytes) + " bytes from " + where
            + ", which is not inside one device allocation (" + why + "); check its shape, leading dimension, stride and batch count");
    }
    return false;
}

/// One operand of a call: the elements [first, end) of `element` bytes each from `base`.
struct OperandRange {
    const char* name;
    const void* base;
    Span span;
    size_t element;
};

/// All operands checked (the first one outside its allocation is reported).
inline bool device_ranges_ok(const char* call, const std::vector<OperandRange>& operands)
{
    for (const OperandRange& o : operands) {
        if (!device_span_ok(call, o.name, o.base, o.span, o.element)) {
            return false;
        }
    }
    return true;
}

/// CUDA_ERROR_ILLEGAL_ADDRESS: what a replayed graph gets when a captured operand's buffer was freed since.
constexpr int CudaErrorIllegalAddress = 700;

}  // namespace ntr_standin
