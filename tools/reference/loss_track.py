#!/usr/bin/env python3
"""Trains the PyTorch reference on a folder written by `ntr bench export-batches` and records every step's loss, the
same computation as `ntr bench loss-track` (src/Experiments/Benchmarks/LossTracking.cs):

  load initial.safetensors into the reference model (load_state_dict, strict: every name and shape must match);
  evaluation mode (dropout off; nothing else in these models depends on it);
  for each step s: x_t = signal[s] * x0[s] + noise_scale[s] * noise[s] (float32 coefficients stored by ntr),
  loss = mean((model(x_t, timesteps[s], condition[s]) - noise[s])^2), zero the gradients, backward, record the loss,
  one Adam step (learning rate, betas and eps from manifest.json).

Precision fp32 (default) turns TF32 off for matmuls and convolutions, as `ntr bench loss-track --precision fp32`.

  loss_track.py --batches DIR [--out DIR/losses-pytorch.json] [--steps N] [--precision fp32|tf32]
  loss_track.py --batches DIR --dry-run     no torch or GPU needed: checks the manifest, both files' headers, and that
                                            the reference model's parameter names and shapes equal the weights file's
"""
import argparse
import datetime
import json
import os
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_models as rm  # noqa: E402
from tf32_setting import set_tf32  # noqa: E402

FORMAT = "ntr-loss-tracking/1"


def read_safetensors_header(path):
    """{name: {"dtype", "shape", "data_offsets"}} and the metadata of a safetensors file, read with the standard library."""
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length).decode("utf-8"))
        size = os.fstat(f.fileno()).st_size
    metadata = header.pop("__metadata__", {})
    data = size - 8 - length
    for name, info in header.items():
        begin, end = info["data_offsets"]
        count = 1
        for d in info["shape"]:
            count *= d
        width = {"F32": 4, "F64": 8}.get(info["dtype"])
        if width is None or end - begin != count * width or end > data:
            raise ValueError(f"{path}: tensor {name} has dtype {info['dtype']}, shape {info['shape']} and offsets {begin}..{end}, which do not fit")
    return header, metadata


def load_tensors(path):
    """{name: torch tensor} of a safetensors file: safetensors.torch.load_file where installed, else read here
    (F32/F64 only, which is all `ntr bench export-batches` writes) so Debian's python3-torch alone can run this."""
    import torch

    try:
        from safetensors.torch import load_file
    except ImportError:
        load_file = None
    if load_file is not None:
        return load_file(path)
    header, _ = read_safetensors_header(path)
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        f.seek(8 + length)
        data = bytearray(f.read())
    dtypes = {"F32": torch.float32, "F64": torch.float64}
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        flat = torch.frombuffer(data, dtype=dtypes[info["dtype"]], count=(end - begin) // (4 if info["dtype"] == "F32" else 8), offset=begin)
        tensors[name] = flat.reshape(info["shape"]).clone()
    return tensors


def load_manifest(folder):
    path = os.path.join(folder, "manifest.json")
    if not os.path.isfile(path):
        raise SystemExit(f"{path} not found: write the folder with `ntr bench export-batches --out {folder}` first")
    with open(path) as f:
        manifest = json.load(f)
    if manifest.get("format") != FORMAT:
        raise SystemExit(f"{path} is not a {FORMAT} manifest (format {manifest.get('format')!r})")
    return manifest


def check_folder(folder, manifest):
    """Problems (as lines) with the folder's files; empty when everything agrees with the manifest and the reference model."""
    problems = []
    weights_path = os.path.join(folder, manifest["files"]["weights"])
    batches_path = os.path.join(folder, manifest["files"]["batches"])
    for path in (weights_path, batches_path):
        if not os.path.isfile(path):
            problems.append(f"missing {path}")
    if problems:
        return problems
    weights, _ = read_safetensors_header(weights_path)
    as_manifest = {"parameters": sum(_numel(v["shape"]) for v in weights.values()),
                   "parameterList": [{"name": k, "shape": v["shape"]} for k, v in weights.items()]}
    model = rm.build(manifest["preset"])
    problems += [f"{weights_path}: {p}" for p in rm.compare_with_manifest(model, as_manifest)]
    problems += [f"manifest.json: {p}" for p in rm.compare_with_manifest(model, manifest)]
    batches, _ = read_safetensors_header(batches_path)
    for name, shape in manifest["tensors"].items():
        if name not in batches:
            problems.append(f"{batches_path}: no tensor {name}")
        elif batches[name]["shape"] != shape:
            problems.append(f"{batches_path}: {name} has shape {batches[name]['shape']}, the manifest says {shape}")
    steps, batch = manifest["steps"], manifest["batch"]
    expected_x0 = [steps, batch] + rm.sample_shape(manifest["preset"])
    if manifest["tensors"].get("x0") != expected_x0:
        problems.append(f"x0 should be {expected_x0} for {manifest['preset']}, the manifest says {manifest['tensors'].get('x0')}")
    if manifest["conditionKind"] != rm.condition_kind(manifest["preset"]):
        problems.append(f"condition kind {manifest['conditionKind']!r}, the reference expects {rm.condition_kind(manifest['preset'])!r}")
    return problems


def _numel(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def train(args, manifest):
    import torch
    import torch.nn.functional as F

    if not torch.cuda.is_available() and args.device.startswith("cuda"):
        print("no CUDA device visible to PyTorch (use --device cpu to run on the CPU)", file=sys.stderr)
        return None
    tf32_setting = set_tf32(torch, args.precision == "tf32")
    torch.backends.cudnn.benchmark = False
    device = torch.device(args.device)
    model = rm.build(manifest["preset"])
    model.load_state_dict(load_tensors(os.path.join(args.batches, manifest["files"]["weights"])), strict=True)
    model = model.to(device).eval()
    adam = manifest["adam"]
    optimizer = torch.optim.Adam(model.parameters(), lr=manifest["learningRate"], betas=(adam["beta1"], adam["beta2"]),
                                 eps=adam["eps"], weight_decay=adam["weightDecay"], foreach=False)
    data = load_tensors(os.path.join(args.batches, manifest["files"]["batches"]))
    steps = min(manifest["steps"], args.steps or manifest["steps"])
    batch = manifest["batch"]
    broadcast = (batch,) + (1,) * len(rm.sample_shape(manifest["preset"]))
    losses = []
    clock = time.perf_counter()
    for s in range(steps):
        x0 = data["x0"][s].to(device)
        noise = data["noise"][s].to(device)
        xt = data["signal"][s].to(device).view(broadcast) * x0 + data["noise_scale"][s].to(device).view(broadcast) * noise
        condition = data["condition"][s].to(device) if "condition" in data else None
        predicted = model(xt, data["timesteps"][s].to(device), condition)
        loss = F.mse_loss(predicted, noise)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        losses.append(loss.item())
        optimizer.step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return {
        "framework": "pytorch",
        "torch": torch.__version__,
        "preset": manifest["preset"],
        "device": str(device),
        "deviceName": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
        "precision": args.precision,
        "tf32Setting": tf32_setting,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": " ".join(["python3", "tools/reference/loss_track.py"] + sys.argv[1:]),
        "seconds": time.perf_counter() - clock,
        "losses": losses,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batches", required=True, help="folder written by `ntr bench export-batches`")
    parser.add_argument("--out", help="JSON file to write (default: <batches>/losses-pytorch.json)")
    parser.add_argument("--steps", type=int, help="stop after this many steps (default: every step in the folder)")
    parser.add_argument("--precision", choices=("fp32", "tf32"), default="fp32")
    parser.add_argument("--device", default="cuda", help="cuda (default) or cpu")
    parser.add_argument("--dry-run", action="store_true", help="check the folder against the reference model only")
    args = parser.parse_args()
    manifest = load_manifest(args.batches)
    problems = check_folder(args.batches, manifest)
    if problems:
        print(f"{args.batches}: {len(problems)} problems:")
        for p in problems:
            print("  " + p)
        return 1
    print(f"{args.batches}: {manifest['preset']}, batch {manifest['batch']}, {manifest['steps']} steps, "
          f"{manifest['parameters']:,} parameters; names, shapes and batch tensors agree with the reference "
          f"({'torch' if rm.HAVE_TORCH else 'shape-only'} build)")
    if args.dry_run:
        return 0
    if not rm.HAVE_TORCH:
        print("PyTorch is not installed here; run on the GPU machine, or use --dry-run", file=sys.stderr)
        return 2
    result = train(args, manifest)
    if result is None:
        return 2
    out = args.out or os.path.join(args.batches, "losses-pytorch.json")
    with open(out, "w") as f:
        json.dump(result, f, indent=2)
    losses = result["losses"]
    print(f"{len(losses)} steps in {result['seconds']:.1f} s; loss {losses[0]:.6g} -> {losses[-1]:.6g}; wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
