// Device memory of the emulated GPU: every cuMemAlloc is its own mapping, placed so the buffer ends exactly at a
// page boundary followed by an inaccessible guard page (a read or write past the end faults at once). The start is
// then aligned to the largest power of two dividing the size (at most 4 KiB), which is the alignment any element
// type of the buffer needs. The total is limited by NTR_EMULATED_MEMORY_BYTES (default 141 GB, an H200's).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace ntr_emu {

int device_allocate(uint64_t* pointer, size_t bytes);
int device_free(uint64_t pointer);
void device_memory_info(size_t* free, size_t* total);
size_t device_total_bytes();

// Whether [pointer, pointer + bytes) lies inside one live allocation; `why` says otherwise.
bool device_range_valid(uint64_t pointer, size_t bytes, std::string& why);

}  // namespace ntr_emu
