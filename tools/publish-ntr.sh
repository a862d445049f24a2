#!/usr/bin/env bash
# Publishes a self-contained single-file `ntr` for linux-x64 into artifacts/ntr-linux-x64/ (ignored by git), with the
# kernel sources beside it (the binary also embeds them and compiles them with NVRTC at first use), so it runs on a
# machine with no .NET SDK, such as the GPU machine of the device tool. Compressed so the folder stays well under
# the device tool's 64 MiB carry limit.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/artifacts/ntr-linux-x64"
rm -rf "$out"
dotnet publish "$root/src/Cli" -c Release -r linux-x64 --self-contained \
  -p:PublishSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true -p:EnableCompressionInSingleFile=true -p:DebugType=none \
  -o "$out"
# the emulated CUDA device (--device cuda-emulated) is looked up beside the executable, not inside the bundle
cp "$root/build/native-emulator/libntr_cuda_emulator.so" "$out/"
mkdir -p "$out/kernels"
cp "$root"/kernels/*.cu "$root"/kernels/*.cuh "$out/kernels/"
# prebuilt fatbins, when a CMake build made them (cmake -S . -B build && cmake --build build on a machine with nvcc)
if [ -d "$root/build/kernels-fatbin" ]; then
  cp -r "$root/build/kernels-fatbin" "$out/kernels-fatbin"
fi
bytes=$(du -sb "$out" | cut -f1)
mib=$(( (bytes + 1048575) / 1048576 ))
# the device tool carries at most 64 MiB in all (tracked tree ~2 MiB + this folder); keep a margin
if [ "$mib" -gt 56 ]; then
  echo "published $out is ${mib} MiB: too close to the device tool's 64 MiB carry limit; drop kernels-fatbin or check what grew" >&2
  exit 1
fi
cat <<MSG
published $out (${bytes} bytes, ${mib} MiB of the device tool's 64 MiB carry limit)

Run it on the GPU machine through the device tool, carrying this folder (it is git-ignored): the one prepared
first command is in tools/gpu-first-run.md (tools/gpu-first-run.sh), the benchmark in tools/bench-vs-pytorch.sh.
The fatbin route instead: cmake -S . -B build && cmake --build build -j (needs nvcc), then NTR_KERNELS_FATBIN=build/kernels-fatbin.
MSG
