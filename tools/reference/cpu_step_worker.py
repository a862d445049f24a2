#!/usr/bin/env python3
"""PyTorch's side of `ntr bench cpu-vs-pytorch`: the reference model's full training step on the CPU, timed in blocks
that `ntr` asks for over stdin, so the two engines' steps can be interleaved in one run on a shared machine.

The step is bench_train.py's (the step `ntr bench train` times as "finetune"), on the CPU: draw ε ~ N(0, I) and
t ~ U{0..999}, x_t = √ᾱ_t x0 + √(1-ᾱ_t) ε, ε-prediction MSE, zero the gradients, backward, one Adam step (lr 2e-4,
PyTorch's default CPU implementation), read the loss. x0 and the condition are fixed random data of the model's shapes.

Protocol (one JSON object per line on stdout):
  start   {"ready": true, "torch": ..., "threads": n, "parameters": n, "warmupSteps": n, "warmupSeconds": s}
  stdin "time N"  ->  {"stepMs": [N wall times in ms], "cpuMs": [N process CPU times in ms]}
  stdin "quit"    ->  exits
Needs PyTorch (Debian: apt-get install python3-torch). Run by hand:
  echo "time 5" | python3 tools/reference/cpu_step_worker.py --preset image-micro --batch 24 --threads 1
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_models as rm  # noqa: E402

LEARNING_RATE = 2e-4
DIFFUSION_STEPS = 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", required=True, choices=sorted(rm.PRESETS))
    parser.add_argument("--batch", type=int, required=True)
    parser.add_argument("--threads", type=int, required=True, help="torch.set_num_threads (intra-op threads)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed steps before the first block (at least)")
    parser.add_argument("--warmup-seconds", type=float, default=2.0, help="untimed seconds before the first block (at least)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if not rm.HAVE_TORCH:
        print(json.dumps({"error": "PyTorch is not installed for " + sys.executable + " (Debian: apt-get install python3-torch)"}), flush=True)
        return 2
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(args.seed)
    model = rm.build(args.preset).train()
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    betas = torch.linspace(1e-4, 0.02, DIFFUSION_STEPS, dtype=torch.float32)
    schedule = torch.cumprod((1.0 - betas).to(torch.float64), 0).to(torch.float32)

    shape = rm.sample_shape(args.preset)
    generator = torch.Generator().manual_seed(args.seed)
    x0 = torch.rand((args.batch, *shape), generator=generator) * 2 - 1
    cfg = rm.PRESETS[args.preset]
    kind = rm.condition_kind(args.preset)
    if kind == "class-ids":
        cond = torch.randint(0, cfg.classes, (args.batch,), generator=generator).float()
    elif kind == "observations":
        cond = torch.randn((args.batch, cfg.observation_steps, cfg.observation_dim), generator=generator)
    else:
        cond = None
    broadcast = (args.batch,) + (1,) * len(shape)

    def step():
        noise = torch.randn_like(x0)
        t = torch.randint(0, DIFFUSION_STEPS, (args.batch,))
        ab = schedule[t]
        xt = ab.sqrt().view(broadcast) * x0 + (1 - ab).sqrt().view(broadcast) * noise
        loss = F.mse_loss(model(xt, t.float(), cond), noise)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return loss.item()

    clock = time.perf_counter()
    count = 0
    while count < args.warmup or time.perf_counter() - clock < args.warmup_seconds:
        step()
        count += 1
    print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads(),
                      "parameters": rm.parameter_count(model), "warmupSteps": count,
                      "warmupSeconds": time.perf_counter() - clock}), flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words or words[0] == "quit":
            break
        if words[0] != "time" or len(words) != 2:
            print(json.dumps({"error": f"unknown request {line.strip()!r}: use 'time N' or 'quit'"}), flush=True)
            continue
        times, cpu = [], []
        for _ in range(int(words[1])):
            start, start_cpu = time.perf_counter(), time.process_time()
            step()
            times.append((time.perf_counter() - start) * 1000.0)
            cpu.append((time.process_time() - start_cpu) * 1000.0)
        print(json.dumps({"stepMs": times, "cpuMs": cpu}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
