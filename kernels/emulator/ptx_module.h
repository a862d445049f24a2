// What the emulator needs from a module image: its kernels (PTX .entry) with each one's static shared memory (the
// .shared variables declared in its body or used by it at module scope) and its .maxntid launch bound. In emulated
// mode the engine still compiles kernels/*.cu with NVRTC and hands the PTX to cuModuleLoadData, so the module's
// function list and shared sizes are exactly what a GPU's driver sees; the code that runs is the host build.
#pragma once

#include <map>
#include <string>

namespace ntr_emu {

struct PtxEntry {
    size_t staticSharedBytes = 0;
    unsigned int maxThreads = 0;  // product of .maxntid; 0 when the kernel has no launch bound
};

struct PtxModule {
    std::map<std::string, PtxEntry> entries;
};

// Parses PTX text; false with `error` set when the image is not PTX (a CUBIN or fatbin) or has no entry.
bool parse_ptx(const char* image, PtxModule& module, std::string& error);

}  // namespace ntr_emu
