#!/usr/bin/env bash
# Builds and runs the cuBLAS/cuDNN stand-in self-test twice: optimised (-O2, as the emulator library builds them)
# and with AddressSanitizer + UndefinedBehaviorSanitizer (exact-size workspaces, so an overrun of a reported
# workspace size is caught). Needs only g++. Usage: kernels/emulator/selftest/run_standin_test.sh [build dir]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-${TMPDIR:-/tmp}/ntr-standin-selftest}"
mkdir -p "$out"
sources=("$here/standin_test.cpp" "$here/../cublas_standin.cpp" "$here/../cudnn_standin.cpp")
common=(-std=c++17 -pthread -Wall -Wextra -Werror -ffp-contract=off -I"$here/..")
g++ "${common[@]}" -O2 "${sources[@]}" -o "$out/standin_test"
g++ "${common[@]}" -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer "${sources[@]}" \
    -o "$out/standin_test_asan"
echo "== stand-in self-test (-O2)"
"$out/standin_test"
echo "== stand-in self-test (AddressSanitizer + UBSan)"
"$out/standin_test_asan" | tail -n 1
