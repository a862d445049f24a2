// The description of the last failed emulator call on this thread, for ntrEmuLastError (the engine appends it to
// its exception message: the CUresult alone cannot say which kernel, block and thread went wrong).
#include <string>

#include "emulator_runtime.h"

namespace ntr_emu {

namespace {
thread_local std::string last_message;
}

void set_last_error(const std::string& message) { last_message = message; }

std::string last_error() { return last_message; }

int fail(int code, const std::string& message) {
    last_message = message;
    return code;
}

}  // namespace ntr_emu

extern "C" __attribute__((visibility("default"))) const char* ntrEmuLastError() { return ntr_emu::last_message.c_str(); }
