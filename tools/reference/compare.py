#!/usr/bin/env python3
"""Combines one model's `ntr bench train` results, the PyTorch reference's timings (bench_train.py) and the two
loss-tracking runs (ntr bench loss-track, loss_track.py) into one JSON:
benchmarks/results/train-<preset>-vs-pytorch-<device>-<date>.json. Standard library only.

Per precision (tf32 is the headline: the fastest precision this engine has, and PyTorch's default for convolutions):
ntr's steps/s of the plain training step (its "finetune" method: ε-MSE + Adam, the step bench_train.py times),
PyTorch eager's and torch.compile's, the ratios ntr / PyTorch (above 1: ntr is faster), memory of each, and the
model FLOP utilisation of each (FLOPs of one step counted by torch.utils.flop_counter on the eager model, times
steps/s, over the datasheet's dense peak for that precision). Loss tracking: the largest relative difference
|ntr - pytorch| / |pytorch| over the first losses, and on the first step alone, against stated tolerances.

  compare.py --preset image-paper --ntr A.json B.json --torch C.json --ntr-losses L1.json --torch-losses L2.json \\
             --nvidia-smi smi.csv --phases phases.txt --out-dir benchmarks/results
"""
import argparse
import datetime
import json
import os
import sys

HEADLINE = "tf32"
PRECISIONS = ("tf32", "fp32", "bf16")
# relative difference of the first loss (same weights, same batch: a forward-pass check), and of every loss over the
# first steps (the weights drift apart through float rounding, which Adam's normalisation can amplify)
TOLERANCE_FIRST = 1e-4
TOLERANCE_ALL = 1e-2
PAPER_STEPS_PER_SECOND = 5.0

# dense datasheet peaks in TFLOP/s (as src/Cli/Commands/Bench/DevicePeaks.cs): FP32 on CUDA cores, TF32 and BF16 on tensor cores
PEAKS = [
    ("H200", {"fp32": 67.0, "tf32": 495.0, "bf16": 989.0}),
    ("H100 PCIE", {"fp32": 51.0, "tf32": 378.0, "bf16": 756.0}),
    ("H100", {"fp32": 67.0, "tf32": 495.0, "bf16": 989.0}),
    ("A100", {"fp32": 19.5, "tf32": 156.0, "bf16": 312.0}),
]


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        print(f"skipping {path}: {e}", file=sys.stderr)
        return None


def peaks_for(name):
    upper = (name or "").upper()
    for key, table in PEAKS:
        if all(part in upper for part in key.split()):
            return key, table
    return None, None


def slug(name):
    """h200 / h100 for those GPUs (the issue's file name), else the device name made file-name safe."""
    upper = (name or "").upper()
    for short in ("H200", "H100", "A100"):
        if short in upper:
            return short.lower()
    return "".join(c if c.isalnum() else "-" for c in (name or "unknown").lower()).strip("-")


def relative_differences(ours, theirs):
    return [abs(a - b) / abs(b) if b != 0 else float("inf") for a, b in zip(ours, theirs)]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", required=True)
    parser.add_argument("--ntr", nargs="*", default=[], help="`ntr bench train` JSON files")
    parser.add_argument("--torch", nargs="*", default=[], help="bench_train.py JSON files")
    parser.add_argument("--ntr-losses", help="`ntr bench loss-track` JSON")
    parser.add_argument("--torch-losses", help="loss_track.py JSON")
    parser.add_argument("--nvidia-smi", help="CSV from nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv")
    parser.add_argument("--phases", help="the orchestrator's phase log (one 'name rc=N seconds=S' line per phase)")
    parser.add_argument("--script-command", default="", help="the command that ran everything")
    parser.add_argument("--out-dir", default=os.path.join("benchmarks", "results"))
    parser.add_argument("--note", action="append", default=[], help="a line to add to \"missing\" (e.g. why a phase did not run)")
    args = parser.parse_args()

    missing = list(args.note)
    ntr_runs = [r for r in (load(p) for p in args.ntr if os.path.isfile(p)) if r]
    torch_runs = [r for r in (load(p) for p in args.torch if os.path.isfile(p)) if r]
    ntr_losses = load(args.ntr_losses) if args.ntr_losses and os.path.isfile(args.ntr_losses) else None
    torch_losses = load(args.torch_losses) if args.torch_losses and os.path.isfile(args.torch_losses) else None

    gpu = {}
    if args.nvidia_smi and os.path.isfile(args.nvidia_smi):
        lines = [l.strip() for l in open(args.nvidia_smi) if l.strip()]
        if len(lines) >= 2:
            header = [h.strip() for h in lines[0].split(",")]
            values = [v.strip() for v in lines[1].split(",")]
            gpu = dict(zip(header, values))
    device_name = gpu.get("name") or next((r.get("deviceName") for r in ntr_runs + torch_runs if r.get("deviceName")), None)
    peak_label, peaks = peaks_for(device_name)
    if peaks is None:
        missing.append(f"no datasheet peaks for device {device_name!r}: MFU left out")

    ntr_step = {}  # precision -> the finetune method's entry and its run
    methods_run = None
    for run in ntr_runs:
        for m in run.get("methods", []):
            if m["method"] == "finetune" and run["precision"] not in ntr_step:
                ntr_step[run["precision"]] = (m, run)
        if methods_run is None or len(run.get("methods", [])) > len(methods_run.get("methods", [])):
            methods_run = run
    torch_results = {}
    flops = None
    flop_counter = None
    explained = set()  # (side, mode, precision) already named in "missing" with its reason
    for note in args.note:
        if note.startswith("ntr bf16"):
            explained.add(("ntr", None, "bf16"))
    for run in torch_runs:
        for r in run.get("results", []):
            if "skipped" in r or "error" in r:  # a variant that did not run (torch.compile absent, a compile error)
                explained.add(("pytorch", r["mode"], r["precision"]))
                missing.append(f"PyTorch {r['mode']} {r['precision']}: " + (f"skipped: {r['skipped']}" if "skipped" in r else f"error: {r['error'][:300]}"))
                continue
            torch_results.setdefault((r["mode"], r["precision"]), (r, run))
            if r.get("flopsPerStep") and flops is None:
                flops = r["flopsPerStep"]
                flop_counter = r.get("flopCounter")
            elif r.get("flopCounter") and not r.get("flopsPerStep") and flop_counter is None:
                flop_counter = r["flopCounter"]
    if flops is None:
        missing.append(f"no FLOP count ({flop_counter or 'bench_train.py counts it on an eager variant'}): MFU left out")

    def mfu(steps_per_second, precision):
        if not flops or not peaks or not steps_per_second:
            return None
        return flops * steps_per_second / (peaks[precision] * 1e12)

    precisions = {}
    for p in PRECISIONS:
        entry = {}
        if p in ntr_step:
            m, run = ntr_step[p]
            entry["ntr"] = {"stepsPerSecond": m["stepsPerSecond"], "medianStepMs": m["medianStepMs"],
                            "peakPoolBytes": m["peakPoolBytes"], "deviceUsedBytes": m.get("deviceUsedBytes"),
                            "mfu": mfu(m["stepsPerSecond"], p), "command": run.get("command")}
        else:
            entry["ntr"] = None
            if ("ntr", None, p) not in explained:
                missing.append(f"ntr {p}: no result")
        for mode in ("eager", "compile"):
            key = "pytorchEager" if mode == "eager" else "pytorchCompile"
            if (mode, p) in torch_results:
                r, run = torch_results[(mode, p)]
                entry[key] = {"stepsPerSecond": r["stepsPerSecond"], "medianStepMs": r["medianStepMs"],
                              "peakAllocatedBytes": r["peakAllocatedBytes"], "peakReservedBytes": r["peakReservedBytes"],
                              "deviceUsedBytes": r["deviceUsedBytes"], "warmupSeconds": r["warmupSeconds"],
                              "mfu": mfu(r["stepsPerSecond"], p), "command": run.get("command")}
            else:
                entry[key] = None
                if ("pytorch", mode, p) not in explained:
                    missing.append(f"PyTorch {mode} {p}: no result")
        for mode, key, ratio in (("eager", "pytorchEager", "ratioVsEager"), ("compile", "pytorchCompile", "ratioVsCompile")):
            ours, theirs = entry.get("ntr"), entry.get(key)
            entry[ratio] = ours["stepsPerSecond"] / theirs["stepsPerSecond"] if ours and theirs else None
            # peak memory, ntr / PyTorch (below 1: ntr needs less): ntr's pool peak over PyTorch's peak allocated
            memory = "memoryVsEager" if mode == "eager" else "memoryVsCompile"
            entry[memory] = (ours["peakPoolBytes"] / theirs["peakAllocatedBytes"]
                             if ours and theirs and ours.get("peakPoolBytes") and theirs.get("peakAllocatedBytes") else None)
        precisions[p] = entry

    loss_tracking = None
    if ntr_losses and torch_losses:
        ours, theirs = ntr_losses["losses"], torch_losses["losses"]
        n = min(len(ours), len(theirs))
        diffs = relative_differences(ours[:n], theirs[:n])
        worst = max(range(n), key=lambda i: diffs[i]) if n else None
        loss_tracking = {
            "steps": n,
            "precision": {"ntr": ntr_losses.get("precision"), "pytorch": torch_losses.get("precision")},
            "firstRelativeDifference": diffs[0] if n else None,
            "maxRelativeDifference": diffs[worst] if n else None,
            "maxAtStep": worst,
            "tolerance": {"first": TOLERANCE_FIRST, "all": TOLERANCE_ALL,
                          "definition": "|ntr - pytorch| / |pytorch| per step, same initial weights and batches, evaluation mode"},
            "pass": bool(n) and diffs[0] <= TOLERANCE_FIRST and diffs[worst] <= TOLERANCE_ALL,
            "ntrLosses": ours[:n],
            "pytorchLosses": theirs[:n],
            "commands": [ntr_losses.get("command"), torch_losses.get("command")],
        }
    else:
        missing.append("loss tracking: " + ("no ntr losses" if not ntr_losses else "no PyTorch losses"))

    phases = []
    if args.phases and os.path.isfile(args.phases):
        phases = [l.strip() for l in open(args.phases) if l.strip()]

    now = datetime.datetime.now(datetime.timezone.utc)
    parameters = next((r.get("parameters") for r in ntr_runs + torch_runs if r.get("parameters")), None)
    batch = next((r.get("batch") for r in ntr_runs + torch_runs if r.get("batch")), None)
    methods = None
    if methods_run:
        methods = [{k: m[k] for k in ("method", "medianStepMs", "stepsPerSecond", "samplesPerSecond", "amortisedReplayMs",
                                       "amortisedFisherMs", "effectiveStepsPerSecond", "peakPoolBytes", "deviceUsedBytes")}
                   for m in methods_run["methods"]]
    result = {
        "comparison": "ntr vs PyTorch (tools/reference), one training step: ε-prediction MSE, backward, Adam 2e-4",
        "preset": args.preset,
        "parameters": parameters,
        "batch": batch,
        "deviceName": device_name,
        "driver": gpu.get("driver_version"),
        "driverCudaVersion": next((r.get("driverCudaVersion") for r in ntr_runs if r.get("driverCudaVersion")), None),
        "torch": next((r.get("torch") for r in torch_runs if r.get("torch")), None),
        "date": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": args.script_command,
        "headlinePrecision": HEADLINE,
        "headline": {k: precisions[HEADLINE].get(k) for k in ("ratioVsEager", "ratioVsCompile", "memoryVsEager", "memoryVsCompile")},
        # the paper's Table 6: about 5 training iterations per second for both models on an H200
        "paperStepsPerSecond": PAPER_STEPS_PER_SECOND,
        "ntrVsPaper": {p: (precisions[p]["ntr"]["stepsPerSecond"] / PAPER_STEPS_PER_SECOND if precisions[p].get("ntr") else None) for p in PRECISIONS},
        "flopsPerStep": flops,
        "flopCounter": flop_counter,
        "mfuDefinition": "flopsPerStep x stepsPerSecond / the device's dense datasheet peak for the precision (peaks.tflops)",
        "peaks": {"device": peak_label, "tflops": peaks},
        "precisions": precisions,
        "ntrMethods": {"precision": methods_run.get("precision"), "methods": methods, "ddim": methods_run.get("ddim")} if methods_run else None,
        "lossTracking": loss_tracking,
        "phases": phases,
        "missing": missing,
        "raw": {"ntr": ntr_runs, "pytorch": torch_runs},
    }
    os.makedirs(args.out_dir, exist_ok=True)
    path = os.path.join(args.out_dir, f"train-{args.preset}-vs-pytorch-{slug(device_name)}-{now.strftime('%Y-%m-%d')}.json")
    with open(path, "w") as f:
        json.dump(result, f, indent=2)

    print(f"{args.preset} on {device_name} (driver {gpu.get('driver_version')}), batch {batch}")
    print(f"{'precision':<9} {'ntr steps/s':>12} {'eager':>9} {'compile':>9} {'vs eager':>9} {'vs compile':>10} {'ntr MFU':>8}")
    for p in PRECISIONS:
        e = precisions[p]

        def rate(x):
            return f"{x['stepsPerSecond']:.2f}" if x else "-"

        def ratio(x):
            return f"{x:.2f}x" if x else "-"

        ntr_mfu = e["ntr"]["mfu"] if e["ntr"] and e["ntr"]["mfu"] is not None else None
        print(f"{p:<9} {rate(e['ntr']):>12} {rate(e['pytorchEager']):>9} {rate(e['pytorchCompile']):>9} "
              f"{ratio(e['ratioVsEager']):>9} {ratio(e['ratioVsCompile']):>10} {(f'{100 * ntr_mfu:.1f}%' if ntr_mfu is not None else '-'):>8}")
    if loss_tracking:
        print(f"loss tracking, {loss_tracking['steps']} steps: first {loss_tracking['firstRelativeDifference']:.2e} "
              f"(tolerance {TOLERANCE_FIRST:g}), max {loss_tracking['maxRelativeDifference']:.2e} at step {loss_tracking['maxAtStep']} "
              f"(tolerance {TOLERANCE_ALL:g}): {'pass' if loss_tracking['pass'] else 'FAIL'}")
    for m in missing:
        print("missing: " + m)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
