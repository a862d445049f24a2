#!/usr/bin/env bash
# Installs the Debian packages NativeTrustRegion needs (idempotent). Uses sudo when not root.
#   OpenBLAS (CPU GEMM), MuJoCo 2.2.2 + headers (control suite), libnvrtc11.2 from non-free (compiles our CUDA
#   kernels to PTX without a GPU, checked by the tests), cmake + gcc (the MuJoCo shim), python3 (safetensors check),
#   fonts-dejavu-core (the text of the report figures), slurm-wlm + munge (tests/Cluster.Tests runs a one-node Slurm),
#   openmpi-bin + libopenmpi3 (the MPI collective's test), afl++ (tools/test's fuzz pass of the parsers; without
#   recommends it still pulls in clang-14/LLVM 14: about 60 MiB to download, 300 MiB installed).
set -euo pipefail
packages=(libopenblas0-pthread libmujoco2.2.2 libmujoco-dev libnvrtc11.2 cmake gcc g++ make python3 fonts-dejavu-core slurm-wlm munge openmpi-bin libopenmpi3 afl++)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup-system: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "setup-system: installing ${missing[*]}"
# libnvrtc11.2 lives in Debian's non-free component, which a fresh machine does not enable.
sources=/etc/apt/sources.list.d/debian.sources
if [ -f "$sources" ] && ! grep -q "non-free" "$sources"; then
  $sudo sed -i 's/^Components: main$/Components: main contrib non-free/' "$sources"
elif [ -f /etc/apt/sources.list ] && ! grep -q "non-free" /etc/apt/sources.list; then
  $sudo sed -i -E 's/^(deb .* main)$/\1 contrib non-free/' /etc/apt/sources.list
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
