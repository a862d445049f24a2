#!/usr/bin/env python3
"""Golden pool3 features of pytorch-fid's Inception-v3 for a small fixed input (tools/reference/inception-golden.json).

The C# test tests/Evaluation.Tests/InceptionGoldenTests.cs compares our Inception-v3 (src/Evaluation/Inception) with these values
when NTR_INCEPTION_WEIGHTS names the same weights file. Run it on a machine with PyTorch, safetensors and pytorch-fid
installed, with the weights converted as src/Evaluation/README.md shows (pt_inception-2015-12-05.safetensors):

    pip install torch safetensors pytorch-fid
    python3 tools/reference/inception_golden.py --weights /path/to/pt_inception-2015-12-05.safetensors

The network is pytorch-fid's own InceptionV3 (fid_inception_v3: FIDInceptionA/C/E_1/E_2 blocks, resize_input and
normalize_input as pytorch_fid.fid_score uses them); its weights come from the given file instead of a download, so
the golden values and the C# side read the very same tensors (the file's SHA-256 is recorded and checked).

Input: N = 2 RGB images of 32x32, x[n, c, h, w] = 0.9 * sin(0.37 * h * (c + 1) + 0.23 * w + 1.1 * n), computed in
float64 and rounded to float32, in [-1, 1] (our convention). pytorch-fid takes images in [0, 1] and maps them to
[-1, 1] with 2x - 1, so it is given (x + 1) / 2.
"""
import argparse
import hashlib
import json
import math
import os
import sys

N, C, H, W = 2, 3, 32, 32


def fixed_input():
    return [[[[0.9 * math.sin(0.37 * h * (c + 1) + 0.23 * w + 1.1 * n) for w in range(W)] for h in range(H)]
             for c in range(C)] for n in range(N)]


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", required=True, help="pytorch-fid's FID weights as safetensors (src/Evaluation/README.md)")
    parser.add_argument("--out", default=os.path.join(here, "inception-golden.json"))
    args = parser.parse_args()

    try:
        import torch
        import pytorch_fid
        import pytorch_fid.inception as fid_inception
        from safetensors.torch import load_file
    except ImportError as e:
        sys.exit(f"needs torch, safetensors and pytorch-fid ({e}); install them with: pip install torch safetensors pytorch-fid")

    weights = load_file(args.weights)

    def from_file(url, progress=True, **kwargs):
        # pytorch-fid's fid_inception_v3 downloads FID_WEIGHTS_URL; give it the file's tensors instead. The converted
        # file has no BatchNorm num_batches_tracked counters (they do not affect evaluation): add zeros.
        state = dict(weights)
        for name in list(state):
            if name.endswith(".running_var"):
                state.setdefault(name[: -len("running_var")] + "num_batches_tracked", torch.tensor(0))
        return state

    fid_inception.load_state_dict_from_url = from_file
    model = fid_inception.InceptionV3([fid_inception.InceptionV3.BLOCK_INDEX_BY_DIM[2048]],
                                      resize_input=True, normalize_input=True, use_fid_inception=True).eval()

    x = torch.tensor(fixed_input(), dtype=torch.float64).float()
    with torch.no_grad():
        features = model((x + 1) / 2)[0].reshape(N, -1).double()

    golden = {
        "description": "pool3 (2048-d) features of pytorch-fid's Inception-v3 for the fixed input below",
        "weights_sha256": sha256(args.weights),
        "weights_file": os.path.basename(args.weights),
        "torch_version": torch.__version__,
        "pytorch_fid_version": getattr(pytorch_fid, "__version__", "unknown"),
        "input_formula": "x[n,c,h,w] = 0.9*sin(0.37*h*(c+1) + 0.23*w + 1.1*n), float64 rounded to float32, in [-1, 1]",
        "input_shape": [N, C, H, W],
        "input": [float(v) for v in x.reshape(-1).tolist()],
        "features_shape": [N, 2048],
        "features": [float(v) for v in features.reshape(-1).tolist()],
    }
    with open(args.out, "w") as f:
        json.dump(golden, f)
    print(f"wrote {args.out}: {N}x2048 features, weights SHA-256 {golden['weights_sha256']}")


if __name__ == "__main__":
    main()
