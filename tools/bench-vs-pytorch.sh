#!/usr/bin/env bash
# ntr vs PyTorch on the GPU machine, for both paper models in ONE device-tool command (<= 10 minutes): `ntr bench train`
# (the carried single-file publish) and the PyTorch reference (tools/reference) in the same session, then one JSON per
# model from tools/reference/compare.py:
#   <out>/train-<preset>-vs-pytorch-<device>-<date>.json  (ratios, peak memory, MFU, loss tracking, every raw time)
#   <out>/train-<preset>-<device>-<date>.json             (ntr's own report of every method, when that extra phase ran)
#   <out>/bench-vs-pytorch-<preset>-raw.tar.gz            (every JSON and log of the run, without the exported batches)
#   <out>/bench-vs-pytorch.log                            (this script's output)
# <out> is $OUT when set (the device tool brings it back: at most 8 files, which this stays within), else
# benchmarks/results. <device> is h200 / h100 for those GPUs.
#
#   tools/bench-vs-pytorch.sh [all|image|policy]     (default all: image-paper batch 128 and policy-paper batch 256)
#
# Phases run in priority order ACROSS the models under one deadline (BENCH_DEADLINE, default 540 s from the start),
# each under `timeout`; a phase that would pass the deadline is skipped and named in the JSON's "missing":
#   1 ntr-tf32-step (both models), ntr-bf16-step (only if `ntr bench train --precision bf16` is implemented: builds
#     whose help says "not implemented yet" record ntr's bf16 rows as pending; bf16 GEMM/conv exists since branch bf16), 2 torch-eager (tf32, bf16),
#   3 loss tracking (export-batches, ntr-loss-track, torch-loss-track: 100 fp32 steps from the same weights and
#     batches), 4 torch-compile (tf32, bf16), 5 extras while time is left (ntr-fp32-step, torch-eager-fp32,
#     ntr-tf32-methods: all six continual methods and DDIM throughput).
# If an ntr phase times out (a hang), later ntr phases are skipped rather than burning the call.
#
# Estimated time on an H200 (16 host cores), from the step's FLOPs (~4-5 TFLOP per image-paper step at batch 128, so
# tens of ms per step at TF32) and typical start-up costs (torch import ~8 s, ntr's first NVRTC compile of all kernels
# ~20 s then cached in NTR_KERNEL_CACHE, inductor compiling a UNet's forward and backward ~40-70 s per precision):
#   ntr-tf32-step image ~35 s (limit 120), policy ~12 s (90)
#   torch-eager image ~25 s (90), policy ~20 s (90)          (tf32 + bf16, cudnn.benchmark, FLOP count)
#   loss tracking image ~45 s (export ~5, ntr ~20, torch ~20; limits 60/90/90), policy ~35 s
#   torch-compile image ~120 s (240), policy ~90 s (180)     (tf32 + bf16)
#   core total ~380 s of 540; the extras fill what is left (ntr-tf32-methods for image-paper alone ~60-120 s).
# Measured on this project's CPU machine (2 cores, Debian python3-torch 1.13, no torch.compile) with
#   BENCH_DEVICE=cpu BENCH_MODELS="image-micro:8 policy-tiny:8" BENCH_STEPS=2 BENCH_WARMUP=1 LOSS_STEPS=5 PYTHON=/usr/bin/python3
# the whole plumbing runs in about 90 s (compile variants recorded as skipped, the JSON written).
#
# Environment (all optional):
#   NTR                ntr binary (default artifacts/ntr-linux-x64/ntr, from tools/publish-ntr.sh); on a machine with
#                      the .NET SDK, NTR="dotnet src/Cli/bin/Release/net10.0/ntr.dll" works too
#   PYTHON             python with torch (default /opt/torch/.venv/bin/python3 when present, else python3)
#   NTR_CUDA_LIB_PATH  folders of libcublas/libcudnn/libnvrtc (default: found under PYTHON's site-packages/nvidia)
#   BENCH_DEADLINE     seconds from the start after which no phase starts (default 540, for a 600 s device call)
#   BENCH_STEPS / BENCH_WARMUP / BENCH_WARMUP_SECONDS   timed / warm-up steps, ntr's warm-up seconds (20 / 5 / 3)
#   LOSS_STEPS         loss-tracking steps (default 100)
#   BENCH_SKIP         comma-separated phase names to skip (names are printed as the phases run, e.g. torch-compile)
#   BENCH_DEVICE       cuda (default) or cpu (a plumbing check of everything on a machine without a GPU)
#   BENCH_MODELS       "preset:batch ..." instead of the paper models (e.g. "image-micro:8 policy-tiny:8" on the CPU)
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
which="${1:-all}"
case "$which" in
  image) models="image-paper:128" ;;
  policy) models="policy-paper:256" ;;
  all) models="image-paper:128 policy-paper:256" ;;
  *) echo "usage: $0 [all|image|policy]" >&2; exit 2 ;;
esac
models="${BENCH_MODELS:-$models}"
device="${BENCH_DEVICE:-cuda}"
out="${OUT:-$root/benchmarks/results}"
work="${BENCH_WORK:-/tmp/bench-vs-pytorch}"
read -r -a NTR_CMD <<< "${NTR:-$root/artifacts/ntr-linux-x64/ntr}"
PY="${PYTHON:-}"
if [ -z "$PY" ]; then PY=python3; [ -x /opt/torch/.venv/bin/python3 ] && PY=/opt/torch/.venv/bin/python3; fi
steps="${BENCH_STEPS:-20}"
warmup="${BENCH_WARMUP:-5}"
warmup_seconds="${BENCH_WARMUP_SECONDS:-3}"
loss_steps="${LOSS_STEPS:-100}"
skip=",${BENCH_SKIP:-},"
script_command="tools/bench-vs-pytorch.sh $which"
# the fast float32 precision: TF32 tensor cores on the GPU; the CPU has none (ntr accepts only fp32 there)
fast=tf32; [ "$device" = cpu ] && fast=fp32

if ! "${NTR_CMD[@]}" --help >/dev/null 2>&1; then
  echo "no working ntr at ${NTR_CMD[*]}: run tools/publish-ntr.sh on the development machine and carry artifacts/ntr-linux-x64" >&2
  exit 2
fi
if ! "$PY" -c "import torch" >/dev/null 2>&1; then
  echo "$PY cannot import torch: set PYTHON to a python with PyTorch" >&2
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
export DOTNET_BUNDLE_EXTRACT_BASE_DIR="${DOTNET_BUNDLE_EXTRACT_BASE_DIR:-/tmp/ntr-bundle}"
export PYTHONUNBUFFERED=1
rm -rf "$work"
mkdir -p "$work" "$out"
exec > >(tee "$out/bench-vs-pytorch.log") 2>&1

# ntr's bf16: run it only when `ntr bench train` no longer says it is not implemented
ntr_bf16=""
if "${NTR_CMD[@]}" bench train --help 2>&1 | grep -q 'bf16' && ! "${NTR_CMD[@]}" bench train --help 2>&1 | grep -qi 'bf16 (not implemented'; then
  ntr_bf16=1
fi
bf16_note="ntr bf16: pending (\`ntr bench train --precision bf16\` is not implemented yet in this build)"

start=$(date +%s)
deadline=$((start + ${BENCH_DEADLINE:-540}))
ntr_hung=""
{ nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv || echo "nvidia-smi failed (no GPU?)"; } > "$work/nvidia-smi.csv" 2>&1
"$PY" -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda, torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'no CUDA device')" > "$work/env.txt" 2>&1
echo "NTR_CUDA_LIB_PATH=$NTR_CUDA_LIB_PATH ntr=${NTR_CMD[*]} python=$PY device=$device ntr-bf16=${ntr_bf16:-no}" >> "$work/env.txt"
cat "$work/env.txt"; head -n 2 "$work/nvidia-smi.csv" | tail -n 1
echo "models: $models; deadline ${BENCH_DEADLINE:-540} s"

# phase PRESET NAME LIMIT COMMAND...: runs COMMAND under timeout with its output in $work/PRESET/NAME.log, unless
# skipped or out of time; the outcome goes to $work/PRESET/phases.txt (compare.py puts it in the JSON)
phase() {
  local preset=$1 name=$2 limit=$3
  shift 3
  local w="$work/$preset" left rc t0
  left=$((deadline - $(date +%s)))
  if [[ "$skip" == *",$name,"* ]]; then
    echo "$name skipped (BENCH_SKIP)" | tee -a "$w/phases.txt"; return 0
  fi
  if [[ "$name" == ntr-* && -n "$ntr_hung" ]]; then
    echo "$name skipped: an earlier ntr phase timed out" | tee -a "$w/phases.txt"; return 0
  fi
  if [ "$left" -lt 20 ]; then
    echo "$name skipped: out of time (deadline reached)" | tee -a "$w/phases.txt"; return 0
  fi
  [ "$limit" -gt "$left" ] && limit=$left
  echo "== $preset $name (limit ${limit}s, $(( $(date +%s) - start ))s elapsed)"
  t0=$(date +%s)
  timeout --kill-after=10 "$limit" "$@" > "$w/$name.log" 2>&1
  rc=$?
  echo "$name rc=$rc seconds=$(($(date +%s) - t0))$([ $rc -eq 124 ] && echo ' (timed out)')" | tee -a "$w/phases.txt"
  if [[ "$name" == ntr-* && $rc -eq 124 ]]; then ntr_hung=1; fi
  tail -n 8 "$w/$name.log" | cut -c1-200 | sed 's/^/   /'
}

for spec in $models; do mkdir -p "$work/${spec%%:*}"; done
each() {  # each FUNCTION: FUNCTION PRESET BATCH for every model, in order
  local spec
  for spec in $models; do "$1" "${spec%%:*}" "${spec##*:}"; done
}
ntr_step() {  # ntr_step PRECISION NAME PRESET BATCH [extra ntr options]
  local precision=$1 name=$2 preset=$3 batch=$4
  shift 4
  phase "$preset" "$name" "$( [ "$preset" = image-paper ] && echo 120 || echo 90 )" "${NTR_CMD[@]}" bench train --preset "$preset" \
    --device "$device" --batch "$batch" --steps "$steps" --warmup "$warmup" --warmup-seconds "$warmup_seconds" \
    --precision "$precision" --out "$work/$preset/$name" "$@"
}
torch_bench() {  # torch_bench NAME LIMIT VARIANTS PRESET BATCH [extra options]
  local name=$1 limit=$2 variants=$3 preset=$4 batch=$5
  shift 5
  phase "$preset" "$name" "$limit" "$PY" tools/reference/bench_train.py --preset "$preset" --device "$device" --batch "$batch" \
    --steps "$steps" --warmup "$warmup" --variants "$variants" --out "$work/$preset/$name.json" "$@"
}

p_ntr_fast() { ntr_step "$fast" "ntr-$fast-step" "$1" "$2" --methods finetune --skip-ddim; }
p_ntr_bf16() { if [ -n "$ntr_bf16" ]; then ntr_step bf16 ntr-bf16-step "$1" "$2" --methods finetune --skip-ddim; else echo "ntr-bf16-step skipped: $bf16_note" | tee -a "$work/$1/phases.txt"; fi; }
p_eager() { torch_bench torch-eager 90 "eager:$fast,eager:bf16" "$1" "$2"; }
p_loss() {
  local preset=$1 batch=$2 b="$work/$1/batches"
  phase "$preset" export-batches 60 "${NTR_CMD[@]}" bench export-batches --preset "$preset" --batch "$batch" --steps "$loss_steps" --out "$b"
  phase "$preset" ntr-loss-track 90 "${NTR_CMD[@]}" bench loss-track --batches "$b" --device "$device" --precision fp32 --out "$work/$preset/losses-ntr.json"
  phase "$preset" torch-loss-track 90 "$PY" tools/reference/loss_track.py --batches "$b" --device "$device" --precision fp32 --out "$work/$preset/losses-pytorch.json"
}
p_compile() { torch_bench torch-compile "$( [ "$1" = image-paper ] && echo 240 || echo 180 )" "compile:$fast,compile:bf16" "$1" "$2" --no-flops; }
p_ntr_fp32() { [ "$device" = cpu ] || ntr_step fp32 ntr-fp32-step "$1" "$2" --methods finetune --skip-ddim; }
p_eager_fp32() { [ "$device" = cpu ] || torch_bench torch-eager-fp32 60 eager:fp32 "$1" "$2" --no-flops; }
p_ntr_methods() { ntr_step "$fast" "ntr-$fast-methods" "$1" "$2"; }

each p_ntr_fast
each p_ntr_bf16
each p_eager
each p_loss
each p_compile
each p_ntr_fp32
each p_eager_fp32
each p_ntr_methods

for spec in $models; do
  preset="${spec%%:*}"
  w="$work/$preset"
  notes=()
  [ -z "$ntr_bf16" ] && notes=(--note "$bf16_note")
  "$PY" tools/reference/compare.py --preset "$preset" \
    --ntr "$w"/ntr-*-step/*.json "$w"/ntr-*-methods/*.json \
    --torch "$w"/torch-*.json \
    --ntr-losses "$w/losses-ntr.json" --torch-losses "$w/losses-pytorch.json" \
    --nvidia-smi "$work/nvidia-smi.csv" --phases "$w/phases.txt" --script-command "$script_command" --out-dir "$out" "${notes[@]}" \
    2>&1 | tee "$w/compare.log"
  cp "$w"/ntr-*-methods/*.json "$out/" 2>/dev/null || true
  cp "$work/env.txt" "$work/nvidia-smi.csv" "$w/" 2>/dev/null
  tar -czf "$out/bench-vs-pytorch-$preset-raw.tar.gz" -C "$work" --exclude="$preset/batches" "$preset"
done
echo "### done in $(($(date +%s) - start))s"
# close the pipe to tee so that the log is complete before the script returns (bash 5.1+ waits for the process substitution)
exec 1>&- 2>&-
wait
