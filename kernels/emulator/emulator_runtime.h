// Internal interface of the CUDA emulator: launching a kernel over a grid on the worker threads, the error of the
// last failed call (ntrEmuLastError), and the fault handler's view of device memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "cuda_emulator.h"
#include "kernel_registry.h"

namespace ntr_emu {

// CUresult values the emulator returns (same numbers as cuda.h).
enum Result : int {
    Success = 0,
    ErrorInvalidValue = 1,
    ErrorOutOfMemory = 2,
    ErrorNotInitialized = 3,
    ErrorInvalidImage = 200,
    ErrorInvalidContext = 201,
    ErrorInvalidPtx = 218,
    ErrorInvalidHandle = 400,
    ErrorNotFound = 500,
    ErrorNotReady = 600,
    ErrorIllegalAddress = 700,
    ErrorLaunchOutOfResources = 701,
    ErrorLaunchFailed = 719,
    ErrorNotSupported = 801,
    ErrorStreamCaptureUnsupported = 900,
    ErrorStreamCaptureInvalidated = 901,
    ErrorStreamCaptureWrongThread = 908,
};

struct LaunchContext {
    const KernelEntry* kernel = nullptr;
    void** params = nullptr;
    dim3 grid{1, 1, 1};
    dim3 block{1, 1, 1};
    unsigned int dynamicSharedBytes = 0;
};

// Runs every block of the grid (on the worker threads) and returns Success, or the CUresult of the first fault
// with its description stored for ntrEmuLastError.
int run_grid(const LaunchContext& launch);

// The description of the last failure (empty when none), kept per process.
void set_last_error(const std::string& message);
std::string last_error();
int fail(int code, const std::string& message);

// Describes an address that faulted during a kernel: the device buffer it lies past or before, if any.
std::string describe_device_address(uintptr_t address);

// Installs the SIGSEGV/SIGBUS/SIGFPE handler that turns a fault inside a kernel into a launch error (once).
void install_fault_handler();

}  // namespace ntr_emu
