#!/usr/bin/env bash
# After the device call of tools/gpu-first-run.md: files what came back (run.log, summary.txt, first-run.tar.gz under
# the reply's files_at) into benchmarks/results/first-run-<device>-<date>/ for committing, with a README.md naming the
# device, driver, date and command; the nvcc 13 fatbins go to artifacts/kernels-fatbin-cuda13/ (git-ignored) so a
# later call can carry them and set NTR_KERNELS_FATBIN to skip NVRTC.
#   tools/gpu-first-run-collect.sh FILES_AT ['run(...) call as made']
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="${1:?usage: $0 FILES_AT ['the run(...) call as made']}"
call="${2:-run(kind=\"nvidia-h200\", timeout_s=600, carry=[\"artifacts/ntr-linux-x64\"], command=\"BUDGET=540 bash tools/gpu-first-run.sh\")}"
for f in run.log summary.txt first-run.tar.gz; do
  [ -f "$src/$f" ] || { echo "$src/$f is missing: give the folder the device tool's reply names as files_at" >&2; exit 2; }
done
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
tar -xzf "$src/first-run.tar.gz" -C "$tmp"
# device and driver from nvidia-smi's CSV line in env.txt ("name, driver_version, memory.total, clocks.max.sm")
csv=$(grep -A1 '^name, driver_version' "$tmp/env.txt" 2>/dev/null | tail -n 1 || true)
device=$(cut -d, -f1 <<<"$csv" | sed 's/^ *//; s/ *$//')
driver=$(cut -d, -f2 <<<"$csv" | sed 's/^ *//; s/ *$//')
short=$(tr 'A-Z' 'a-z' <<<"${device:-unknown}" | grep -oE 'h200|h100|a100' | head -n 1 || true)
short=${short:-$(tr 'A-Z ' 'a-z-' <<<"${device:-no-gpu}")}
date=$(date -u -r "$src/run.log" +%Y-%m-%d)
dest="$root/benchmarks/results/first-run-$short-$date"
mkdir -p "$dest"
cp "$src/run.log" "$src/summary.txt" "$dest/"
# the text results (every step's output, the benchmark JSON); binaries stay out of git
(cd "$tmp" && find . -type f \( -name '*.txt' -o -name '*.json' \) ! -path './fatbin/*' ! -path './kernel-cache/*' -print0 \
  | xargs -0 -r cp --parents -t "$dest/")
[ -d "$tmp/fatbin" ] && cp "$tmp"/fatbin/*.log "$dest/" 2>/dev/null || true
if ls "$tmp"/fatbin/*.fatbin >/dev/null 2>&1; then
  rm -rf "$root/artifacts/kernels-fatbin-cuda13"; mkdir -p "$root/artifacts/kernels-fatbin-cuda13"
  cp "$tmp"/fatbin/*.fatbin "$tmp"/fatbin/*.sha256 "$root/artifacts/kernels-fatbin-cuda13/" 2>/dev/null || true
fi
cat > "$dest/README.md" <<MD
# First run on a GPU: ${device:-no GPU seen}

| | |
| --- | --- |
| device | ${device:-unknown (no nvidia-smi line in env.txt)} |
| driver | ${driver:-unknown} |
| date (UTC) | $date |
| command | \`$call\` |
| script | tools/gpu-first-run.sh at commit $(git -C "$root" rev-parse --short HEAD) |

Per step (name, exit code, seconds, limit), from summary.txt:

\`\`\`
$(cat "$src/summary.txt")
\`\`\`

Each step's full output is <step>.txt here; run.log is the whole console output. nvcc 13's ptxas report per kernel
file is <name>.log (registers, spills, shared memory); the fatbins themselves are in artifacts/kernels-fatbin-cuda13
(git-ignored; carry it and set NTR_KERNELS_FATBIN to it to skip NVRTC in a later call).
MD
echo "wrote $dest ($(ls "$dest" | wc -l) files)"
