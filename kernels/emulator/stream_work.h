// Host work ordered on an emulated stream: the cuBLAS and cuDNN stand-ins submit their computation here, so it runs
// at once, or is recorded (and replayed by cuGraphLaunch) while the stream is being captured into a graph.
#pragma once

#include <functional>

namespace ntr_emu {

// Runs `work` now (returning its CUresult) or appends it to the graph the stream captures (returning 0).
int enqueue_on_stream(void* stream, std::function<int()> work);

}  // namespace ntr_emu
