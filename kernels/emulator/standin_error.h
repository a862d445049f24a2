// Why a stand-in call failed, in words: recorded as the emulator's last error (ntrEmuLastError(), which the engine
// adds to its exception), since a status code alone (CUBLAS_STATUS_INVALID_VALUE, CUDNN_STATUS_BAD_PARAM) does not
// say which argument is wrong. ntr_emu::set_last_error is a weak reference (absent without the emulator core).
#pragma once

#include <cstdarg>
#include <cstdio>
#include <string>

namespace ntr_emu {
void set_last_error(const std::string& message) __attribute__((weak));
}  // namespace ntr_emu

namespace ntr_standin {

/// Records "<call>: <printf-formatted reason>" and returns `status`.
inline int report(int status, const char* call, const char* format, ...) __attribute__((format(printf, 3, 4)));

inline int report(int status, const char* call, const char* format, ...)
{
    if (ntr_emu::set_last_error != nullptr) {
        char reason[512];
        va_list args;
        va_start(args, format);
        std::vsnprintf(reason, sizeof reason, format, args);
        va_end(args);
        ntr_emu::set_last_error(std::string(call) + ": " + reason);
    }
    return status;
}

}  // namespace ntr_standin
