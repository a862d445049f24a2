#!/usr/bin/env bash
# ntr vs PyTorch on the GPU machine, for the paper models: `ntr bench train` (the carried single-file publish) and the
# PyTorch reference (tools/reference) in the same session, then one JSON per model from tools/reference/compare.py:
#   <out>/train-<preset>-vs-pytorch-<device>-<date>.json  (ratios, memory, MFU, loss tracking, every raw timing)
#   <out>/train-<preset>-<device>-<date>.json             (ntr's own report of every method at tf32, DDIM throughput)
#   <out>/bench-vs-pytorch-<preset>-raw.tar.gz            (every JSON and log of the run)
# <out> is $OUT when set (the device tool brings it back), else benchmarks/results.
#
#   tools/bench-vs-pytorch.sh [image|policy|all]     (default all; one model fits one 10-minute device call better)
#
# Phases run in priority order, each under `timeout`, and a phase that would pass the deadline is skipped (and named
# in the JSON's "missing"): the core comparison first, the slow extras (torch.compile, every continual method) later.
# Environment (all optional):
#   NTR                ntr binary (default artifacts/ntr-linux-x64/ntr, from tools/publish-ntr.sh)
#   PYTHON             python with torch (default python3, else /opt/torch/.venv/bin/python3)
#   NTR_CUDA_LIB_PATH  folders of libcublas/libcudnn/libnvrtc (default: found under PYTHON's site-packages/nvidia, the
#                      folders of PyTorch's CUDA wheels, e.g. nvidia/cu13/lib and nvidia/cudnn/lib)
#   BENCH_DEADLINE     seconds from the start after which no phase starts (default 540 per model)
#   BENCH_STEPS / BENCH_WARMUP   timed / warm-up steps (default 20 / 5); LOSS_STEPS (default 100)
#   BENCH_SKIP         comma-separated phase names to skip (names are printed as the phases run)
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
which="${1:-all}"
case "$which" in
  image) models="image-paper:128" ;;
  policy) models="policy-paper:256" ;;
  all) models="image-paper:128 policy-paper:256" ;;
  *) echo "usage: $0 [image|policy|all]" >&2; exit 2 ;;
esac
out="${OUT:-$root/benchmarks/results}"
work="${BENCH_WORK:-/tmp/bench-vs-pytorch}"
NTR="${NTR:-$root/artifacts/ntr-linux-x64/ntr}"
PY="${PYTHON:-python3}"
if ! "$PY" -c "import torch" >/dev/null 2>&1; then PY=/opt/torch/.venv/bin/python3; fi
steps="${BENCH_STEPS:-20}"
warmup="${BENCH_WARMUP:-5}"
loss_steps="${LOSS_STEPS:-100}"
skip=",${BENCH_SKIP:-},"
script_command="tools/bench-vs-pytorch.sh $which"

if [ ! -x "$NTR" ]; then
  echo "no ntr binary at $NTR: run tools/publish-ntr.sh on the development machine and carry artifacts/ntr-linux-x64" >&2
  exit 2
fi
if ! "$PY" -c "import torch, safetensors" >/dev/null 2>&1; then
  echo "$PY cannot import torch and safetensors" >&2
  exit 2
fi
sp="$("$PY" -c 'import site; print(site.getsitepackages()[0])')"
if [ -z "${NTR_CUDA_LIB_PATH:-}" ]; then
  # the folders of the PyTorch wheels' CUDA libraries (cuBLAS, cuDNN, NVRTC), e.g. nvidia/cu13/lib and nvidia/cudnn/lib
  NTR_CUDA_LIB_PATH="$(find "$sp/nvidia" \( -name 'libcublas.so*' -o -name 'libcudnn.so*' -o -name 'libnvrtc.so*' \) 2>/dev/null \
    | xargs -r -n1 dirname | sort -u | paste -sd: -)"
fi
export NTR_CUDA_LIB_PATH
export NTR_KERNEL_CACHE="${NTR_KERNEL_CACHE:-$work/kernel-cache}"
export PYTHONUNBUFFERED=1
mkdir -p "$work" "$out"

for spec in $models; do
  preset="${spec%%:*}"
  batch="${spec##*:}"
  w="$work/$preset"
  rm -rf "$w"
  mkdir -p "$w"
  ntr_hung=""
  start=$(date +%s)
  deadline=$((start + ${BENCH_DEADLINE:-540}))
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv > "$w/nvidia-smi.csv" 2>&1
  "$PY" -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda, torch.cuda.get_device_name(0))" > "$w/env.txt" 2>&1
  echo "NTR_CUDA_LIB_PATH=$NTR_CUDA_LIB_PATH" >> "$w/env.txt"
  echo "### $preset, batch $batch ($(head -n 2 "$w/nvidia-smi.csv" | tail -n 1))"

  # phase NAME LIMIT COMMAND...: runs COMMAND under timeout with its output in $w/NAME.log, unless skipped or out of time
  phase() {
    local name=$1 limit=$2
    shift 2
    local now left rc t0
    now=$(date +%s)
    left=$((deadline - now))
    if [[ "$skip" == *",$name,"* ]]; then
      echo "$name skipped (BENCH_SKIP)" | tee -a "$w/phases.txt"
      return 0
    fi
    if [[ "$name" == ntr-* && -n "$ntr_hung" ]]; then
      echo "$name skipped: an earlier ntr phase timed out" | tee -a "$w/phases.txt"
      return 0
    fi
    if [ "$left" -lt 20 ]; then
      echo "$name skipped: out of time (deadline reached)" | tee -a "$w/phases.txt"
      return 0
    fi
    [ "$limit" -gt "$left" ] && limit=$left
    echo "== $name (limit ${limit}s): $*"
    t0=$(date +%s)
    timeout --kill-after=10 "$limit" "$@" > "$w/$name.log" 2>&1
    rc=$?
    echo "$name rc=$rc seconds=$(($(date +%s) - t0))$([ $rc -eq 124 ] && echo ' (timed out)')" | tee -a "$w/phases.txt"
    if [[ "$name" == ntr-* && $rc -eq 124 ]]; then ntr_hung=1; fi
    tail -n 12 "$w/$name.log" | sed 's/^/   /'
  }

  common=(--preset "$preset" --device cuda --batch "$batch" --steps "$steps" --warmup "$warmup")
  phase ntr-tf32-step 240 "$NTR" bench train "${common[@]}" --precision tf32 --methods finetune --skip-ddim --out "$w/ntr-tf32-step"
  phase torch-eager 240 "$PY" tools/reference/bench_train.py --preset "$preset" --batch "$batch" --steps "$steps" --warmup "$warmup" \
    --variants eager:tf32,eager:fp32,eager:bf16 --out "$w/torch-eager.json"
  phase ntr-fp32-step 180 "$NTR" bench train "${common[@]}" --precision fp32 --methods finetune --skip-ddim --out "$w/ntr-fp32-step"
  phase export-batches 120 "$NTR" bench export-batches --preset "$preset" --batch "$batch" --steps "$loss_steps" --out "$w/batches"
  phase ntr-loss-track 240 "$NTR" bench loss-track --batches "$w/batches" --device cuda --precision fp32 --out "$w/losses-ntr.json"
  phase torch-loss-track 240 "$PY" tools/reference/loss_track.py --batches "$w/batches" --precision fp32 --out "$w/losses-pytorch.json"
  phase torch-compile-tf32 300 "$PY" tools/reference/bench_train.py --preset "$preset" --batch "$batch" --steps "$steps" --warmup "$warmup" \
    --variants compile:tf32 --no-flops --out "$w/torch-compile-tf32.json"
  phase ntr-tf32-methods 420 "$NTR" bench train "${common[@]}" --precision tf32 --out "$w/ntr-tf32-methods"
  phase torch-compile-fp32-bf16 300 "$PY" tools/reference/bench_train.py --preset "$preset" --batch "$batch" --steps "$steps" --warmup "$warmup" \
    --variants compile:fp32,compile:bf16 --no-flops --out "$w/torch-compile-fp32-bf16.json"

  "$PY" tools/reference/compare.py --preset "$preset" \
    --ntr "$w"/ntr-tf32-step/*.json "$w"/ntr-fp32-step/*.json "$w"/ntr-tf32-methods/*.json \
    --torch "$w"/torch-eager.json "$w"/torch-compile-tf32.json "$w"/torch-compile-fp32-bf16.json \
    --ntr-losses "$w/losses-ntr.json" --torch-losses "$w/losses-pytorch.json" \
    --nvidia-smi "$w/nvidia-smi.csv" --phases "$w/phases.txt" --script-command "$script_command" --out-dir "$out" \
    2>&1 | tee "$w/compare.log"
  cp "$w"/ntr-tf32-methods/*.json "$out/" 2>/dev/null || true
  tar -czf "$out/bench-vs-pytorch-$preset-raw.tar.gz" -C "$work" --exclude="$preset/batches" "$preset"
  echo "### $preset done in $(($(date +%s) - start))s"
done
