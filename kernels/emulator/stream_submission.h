// Where a stand-in's computation runs: on the handle's stream, through the emulator core, which executes it at once
// or, while the stream is being captured into a CUDA graph, records it so cuGraphLaunch replays it (as a real
// cuBLAS/cuDNN kernel launch is captured). Argument checks stay at call time; the work captures its arguments by
// value (alpha and beta too: pointer mode host reads them when the call is made).
//
// ntr_emu::enqueue_on_stream (kernels/emulator/stream_work.h) is a weak reference: without the emulator core (the
// stand-ins' own self-test) the work runs at once, unless the self-test supplies its own stream.
#pragma once

#include <functional>
#include <utility>

namespace ntr_emu {
int enqueue_on_stream(void* stream, std::function<int()> work) __attribute__((weak));
}  // namespace ntr_emu

namespace ntr_standin {

/// 0 when the work ran or was recorded; otherwise the emulator's CUresult (its message is the emulator's last error).
inline int submit_to_stream(void* stream, std::function<int()> work)
{
    if (ntr_emu::enqueue_on_stream == nullptr) {
        return work();
    }
    return ntr_emu::enqueue_on_stream(stream, std::move(work));
}

}  // namespace ntr_standin
