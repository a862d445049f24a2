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
mkdir -p "$out/kernels"
cp "$root"/kernels/*.cu "$root"/kernels/*.cuh "$out/kernels/"
# prebuilt fatbins, when a CMake build made them (cmake -S . -B build && cmake --build build on a machine with nvcc)
if [ -d "$root/build/kernels-fatbin" ]; then
  cp -r "$root/build/kernels-fatbin" "$out/kernels-fatbin"
fi
size=$(du -sh "$out" | cut -f1)
cat <<MSG
published $out ($size)

Run it on the GPU machine through the device tool, carrying this folder (it is git-ignored), e.g.:
  run(carry=["artifacts/ntr-linux-x64"], command='
    SP=\$(/opt/torch/.venv/bin/python3 -c "import site; print(site.getsitepackages()[0])");
    export NTR_CUDA_LIB_PATH=\$SP/nvidia/cu13/lib:\$SP/nvidia/cudnn/lib;
    export NTR_KERNEL_CACHE=\$OUT/kernel-cache;
    artifacts/ntr-linux-x64/ntr kernels compile --target sm_90 --resources > \$OUT/kernels.txt;
    artifacts/ntr-linux-x64/ntr check --device cuda | tee \$OUT/check.txt;
    artifacts/ntr-linux-x64/ntr bench kernels --output \$OUT | tee \$OUT/bench.txt')
The fatbin route instead: cmake -S . -B build && cmake --build build -j (needs nvcc), then NTR_KERNELS_FATBIN=build/kernels-fatbin.
MSG
