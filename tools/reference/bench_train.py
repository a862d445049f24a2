#!/usr/bin/env python3
"""Times one full training step of the PyTorch reference (tools/reference/reference_models.py), the step that
`ntr bench train` times as its "finetune" method: draw ε ~ N(0, I) and t ~ U{0..999}, x_t = √ᾱ_t x0 + √(1-ᾱ_t) ε,
ε-prediction MSE, zero the gradients, backward, one Adam step (lr 2e-4), read the loss on the host (ntr reads it too).
The batch (x0 and its condition) is copied from pinned host memory every step, as ntr copies its batch from the host.

Variants (any of them in one process, one JSON with a result per variant):
  mode       eager | compile (torch.compile of the model, default mode; the optimizer step stays eager)
  precision  fp32  (TF32 off for matmuls and convolutions)
             tf32  (TF32 on for matmuls and convolutions; float32 storage)
             bf16  (torch.autocast bfloat16 around the forward, TF32 on for what stays float32)
Each variant gets a fresh model and optimizer (same seed), warm-up steps (the first compiles), then timed steps, each
between two CUDA events after a synchronize; the median is reported with every raw time. Memory: peak allocated and
reserved by the caching allocator over the timed steps, and device memory in use (cudaMemGetInfo) beyond what was in use
before the model was built. FLOPs of one step (forward + backward + Adam) come from torch.utils.flop_counter's
FlopCounterMode on the eager model (present in torch 2.1 and later, so in the GPU machine's 2.11; it counts matmuls,
convolutions and attention, the model FLOPs that MFU is defined by); where it is absent the JSON says so and MFU is
left out. A variant that cannot run (torch.compile absent, as in torch 1.13; a compile or memory error) is recorded
with "skipped" or "error" and the others still run.

--device cpu runs the same step on the CPU (wall-clock timing, no memory statistics) to check the plumbing on a
machine without a GPU, e.g. with Debian's python3-torch 1.13 on the tiny presets (image-micro, policy-tiny).

  bench_train.py --preset image-paper --variants eager:tf32,compile:tf32 --out result.json
  bench_train.py --preset image-micro --device cpu --variants eager:fp32,compile:fp32 --steps 2 --warmup 1 --out r.json
  bench_train.py --preset policy-paper --dry-run      (no GPU, no torch needed: checks the model and the arguments)
"""
import argparse
import contextlib
import inspect
import datetime
import json
import os
import platform
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_models as rm  # noqa: E402
from tf32_setting import set_tf32  # noqa: E402

DEFAULT_BATCH = {"image-paper": 128, "image-paper-resnet-sampling": 128, "policy-paper": 256, "image-tiny": 32, "image-micro": 32, "policy-tiny": 32}
MODES = ("eager", "compile")
PRECISIONS = ("fp32", "tf32", "bf16")
LEARNING_RATE = 2e-4
DIFFUSION_STEPS = 1000


def parse_variants(text):
    variants = []
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        mode, _, precision = item.partition(":")
        if mode not in MODES or precision not in PRECISIONS:
            raise SystemExit(f"bad variant {item!r}: use MODE:PRECISION with MODE in {MODES} and PRECISION in {PRECISIONS}")
        variants.append((mode, precision))
    if not variants:
        raise SystemExit("no variants given")
    return variants


def alpha_bars(torch, device):
    """NoiseSchedule.Linear: β = linspace(1e-4, 0.02, 1000) in float32, ᾱ = cumprod(1 - β) accumulated in float64, kept as float32."""
    betas = torch.linspace(1e-4, 0.02, DIFFUSION_STEPS, dtype=torch.float32)
    return torch.cumprod((1.0 - betas).to(torch.float64), 0).to(torch.float32).to(device)


def configure_precision(torch, precision):
    return set_tf32(torch, precision in ("tf32", "bf16"))


def make_step(torch, F, forward, optimizer, preset, batch, precision, schedule, seed):
    """The training step as a closure over pinned host data of the model's shapes (values as ntr's synthetic tasks)."""
    device = schedule.device
    cuda = device.type == "cuda"
    pin = (lambda t: t.pin_memory()) if cuda else (lambda t: t)
    shape = rm.sample_shape(preset)
    generator = torch.Generator().manual_seed(seed)
    x0_host = pin(torch.rand((batch, *shape), generator=generator) * 2 - 1)
    kind = rm.condition_kind(preset)
    cfg = rm.PRESETS[preset]
    if kind == "class-ids":
        cond_host = pin(torch.randint(0, cfg.classes, (batch,), generator=generator).float())
    elif kind == "observations":
        cond_host = pin(torch.randn((batch, cfg.observation_steps, cfg.observation_dim), generator=generator))
    else:
        cond_host = None
    broadcast = (batch,) + (1,) * len(shape)
    autocast = (lambda: torch.autocast(device.type, dtype=torch.bfloat16)) if precision == "bf16" else contextlib.nullcontext

    def step():
        x0 = x0_host.to(device, non_blocking=cuda)
        cond = None if cond_host is None else cond_host.to(device, non_blocking=cuda)
        noise = torch.randn_like(x0)
        t = torch.randint(0, DIFFUSION_STEPS, (batch,), device=device)
        ab = schedule[t]
        xt = ab.sqrt().view(broadcast) * x0 + (1 - ab).sqrt().view(broadcast) * noise
        with autocast():
            predicted = forward(xt, t.float(), cond)
        loss = F.mse_loss(predicted.float(), noise)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return loss.item()

    return step


def adam_options(torch, args, cuda):
    """Keyword arguments for torch.optim.Adam: the fused CUDA kernel by default, else the multi-tensor one."""
    parameters = inspect.signature(torch.optim.Adam).parameters
    if args.adam == "fused" and cuda and "fused" in parameters:
        return {"fused": True}
    return {"foreach": True} if "foreach" in parameters else {}


def synchronize(torch, device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def count_flops(torch, step):
    """FLOPs of one step by torch.utils.flop_counter (torch 2.1+), or None and the reason where it is absent."""
    try:
        from torch.utils.flop_counter import FlopCounterMode
    except ImportError:
        return None, f"torch.utils.flop_counter is absent in torch {torch.__version__}"
    with FlopCounterMode(display=False) as counter:
        step()
    return counter.get_total_flops(), "torch.utils.flop_counter.FlopCounterMode on one eager step"


def run_variant(torch, F, args, mode, precision, baseline_used):
    device = torch.device(args.device)
    cuda = device.type == "cuda"
    if mode == "compile" and not hasattr(torch, "compile"):
        return {"mode": mode, "precision": precision, "skipped": f"torch.compile is absent in torch {torch.__version__} (added in 2.0)"}
    tf32_setting = configure_precision(torch, precision)
    torch.manual_seed(args.seed)
    model = rm.build(args.preset).to(device).train()
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE, **adam_options(torch, args, cuda))
    forward = torch.compile(model) if mode == "compile" else model
    schedule = alpha_bars(torch, device)
    step = make_step(torch, F, forward, optimizer, args.preset, args.batch, precision, schedule, args.seed)

    clock = time.perf_counter()
    for _ in range(args.warmup):
        step()
    synchronize(torch, device)
    warmup_seconds = time.perf_counter() - clock

    if cuda:
        torch.cuda.reset_peak_memory_stats()
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    times, loss = [], float("nan")
    for _ in range(args.steps):
        if cuda:
            torch.cuda.synchronize()
            start.record()
            loss = step()
            end.record()
            end.synchronize()
            times.append(start.elapsed_time(end))
        else:
            clock = time.perf_counter()
            loss = step()
            times.append(1000.0 * (time.perf_counter() - clock))
    median = statistics.median(times)
    result = {
        "mode": mode,
        "precision": precision,
        "warmupSteps": args.warmup,
        "timedSteps": args.steps,
        "warmupSeconds": warmup_seconds,
        "timing": "cuda-events" if cuda else "wall-clock",
        "stepMs": times,
        "medianStepMs": median,
        "stepsPerSecond": 1000.0 / median,
        "samplesPerSecond": args.batch * 1000.0 / median,
        "peakAllocatedBytes": torch.cuda.max_memory_allocated() if cuda else None,
        "peakReservedBytes": torch.cuda.max_memory_reserved() if cuda else None,
        "deviceUsedBytes": (lambda fr, tot: (tot - fr) - baseline_used)(*torch.cuda.mem_get_info()) if cuda else None,
        "lastLoss": loss,
        "tf32Setting": tf32_setting,
    }
    if args.count_flops and mode == "eager":
        result["flopsPerStep"], result["flopCounter"] = count_flops(torch, step)
    del step, forward, optimizer, model
    if mode == "compile":
        torch._dynamo.reset()
    synchronize(torch, device)
    if cuda:
        torch.cuda.empty_cache()
    return result


def dry_run(args, variants):
    model = rm.build(args.preset)  # asserts the parameter count
    folder = os.path.dirname(os.path.abspath(args.out))
    problems = []
    if not os.path.isdir(folder):
        problems.append(f"the folder of --out ({folder}) does not exist")
    print(f"dry run: {args.preset}, {rm.parameter_count(model):,} parameters ({'torch' if rm.HAVE_TORCH else 'shape-only'} build), "
          f"batch {args.batch}, {args.warmup} warm-up + {args.steps} timed steps, Adam {args.adam}, "
          f"cudnn.benchmark {'on' if args.cudnn_benchmark else 'off'}")
    for mode, precision in variants:
        print(f"  would time {mode}:{precision}")
    print(f"  would write {args.out}")
    for p in problems:
        print("problem: " + p)
    return 1 if problems else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", required=True, choices=sorted(rm.PRESETS))
    parser.add_argument("--batch", type=int, help="samples per step (default: 128 for image-paper, 256 for policy-paper)")
    parser.add_argument("--variants", default="eager:tf32", help="comma-separated MODE:PRECISION list (default eager:tf32)")
    parser.add_argument("--steps", type=int, default=20, help="timed steps per variant (default 20)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed steps per variant first (default 5; the first compiles)")
    parser.add_argument("--adam", choices=("fused", "foreach"), default="fused", help="torch.optim.Adam implementation (default fused)")
    parser.add_argument("--no-cudnn-benchmark", dest="cudnn_benchmark", action="store_false", help="keep cuDNN's heuristic algorithm choice")
    parser.add_argument("--no-flops", dest="count_flops", action="store_false", help="skip the FLOP count of one eager step")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--device", default="cuda", help="cuda (default) or cpu (plumbing check: wall-clock timing, no memory statistics)")
    parser.add_argument("--out", required=True, help="JSON file to write")
    parser.add_argument("--dry-run", action="store_true", help="check the model and the arguments only (no torch or GPU needed)")
    args = parser.parse_args()
    args.batch = args.batch or DEFAULT_BATCH[args.preset]
    variants = parse_variants(args.variants)
    if args.steps < 1 or args.warmup < 1:
        raise SystemExit("use at least 1 timed step and 1 warm-up step")
    if args.dry_run:
        return dry_run(args, variants)
    if not rm.HAVE_TORCH:
        print("PyTorch is not installed here; run on the GPU machine, or use --dry-run", file=sys.stderr)
        return 2
    import torch
    import torch.nn.functional as F

    cuda = args.device.startswith("cuda")
    if cuda and not torch.cuda.is_available():
        print("no CUDA device visible to PyTorch (--device cpu checks the plumbing on the CPU)", file=sys.stderr)
        return 2
    torch.backends.cudnn.benchmark = args.cudnn_benchmark
    baseline_used = 0
    if cuda:
        torch.cuda.init()
        free, total = torch.cuda.mem_get_info()
        baseline_used = total - free
    results = []
    failures = 0
    for mode, precision in variants:
        print(f"{args.preset} {mode}:{precision} ...", flush=True)
        try:
            r = run_variant(torch, F, args, mode, precision, baseline_used)
        except Exception as e:  # a compile or memory error of one variant must not lose the others
            r = {"mode": mode, "precision": precision, "error": f"{type(e).__name__}: {e}"[:2000]}
            failures += 1
            if cuda:
                torch.cuda.empty_cache()
        results.append(r)
        if "skipped" in r or "error" in r:
            print(f"  {'skipped: ' + r['skipped'] if 'skipped' in r else 'ERROR: ' + r['error']}", flush=True)
        else:
            peak = "-" if r["peakAllocatedBytes"] is None else f"{r['peakAllocatedBytes'] / 2**20:.0f} MiB"
            flops = ""
            if "flopsPerStep" in r:
                flops = f", FLOPs/step {r['flopsPerStep']:.3e}" if r["flopsPerStep"] else f", no FLOP count ({r['flopCounter']})"
            print(f"  median {r['medianStepMs']:.2f} ms/step, {r['stepsPerSecond']:.2f} steps/s, peak allocated {peak}, "
                  f"warm-up {r['warmupSeconds']:.1f} s{flops}", flush=True)
        with open(args.out, "w") as f:  # rewritten after every variant, so a later failure keeps what was measured
            json.dump(report(torch, args, results), f, indent=2)
    print(f"wrote {args.out}")
    return 1 if failures == len(variants) else 0


def report(torch, args, results):
    cuda = args.device.startswith("cuda")
    props = torch.cuda.get_device_properties(0) if cuda else None
    return {
        "framework": "pytorch",
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "cudnn": torch.backends.cudnn.version(),
        "python": platform.python_version(),
        "deviceName": torch.cuda.get_device_name(0) if cuda else f"cpu ({platform.processor() or platform.machine()})",
        "computeCapability": f"{props.major}.{props.minor}" if cuda else None,
        "deviceMemoryBytes": props.total_memory if cuda else None,
        "preset": args.preset,
        "parameters": rm.EXPECTED_PARAMETERS[args.preset],
        "batch": args.batch,
        "learningRate": LEARNING_RATE,
        "adam": args.adam,
        "cudnnBenchmark": args.cudnn_benchmark,
        "compileMode": "default",
        "timing": "cuda-events" if cuda else "wall-clock",
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": " ".join(["python3", "tools/reference/bench_train.py"] + sys.argv[1:]),
        "results": results,
    }


if __name__ == "__main__":
    sys.exit(main())
