#!/usr/bin/env python3
"""Cross-checks safetensors files between NativeTrustRegion and Python.

  safetensors_check.py read FILE          print name, dtype, shape, sum of every tensor (JSON)
  safetensors_check.py write FILE         write a reference file (known values) for the C# reader

Uses the `safetensors` package (with numpy) when it is importable, so on a machine that has it this is the real
library's reading and writing. Otherwise it falls back to an independent reading of the format specification
(json + struct from the standard library) and says so in its output ("reader": "stdlib").
"""
import json
import struct
import sys


def read_stdlib(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n].decode("utf-8"))
    body = data[8 + n :]
    out = {}
    meta = header.pop("__metadata__", {})
    spans = sorted((v["data_offsets"][0], v["data_offsets"][1]) for v in header.values())
    pos = 0
    for b, e in spans:
        if b != pos:
            raise ValueError(f"gap or overlap in data at byte {b} (expected {pos})")
        pos = e
    if pos != len(body):
        raise ValueError(f"data section has {len(body)} bytes but tensors cover {pos}")
    for name, info in header.items():
        fmt = {"F32": "f", "F64": "d"}[info["dtype"]]
        b, e = info["data_offsets"]
        count = (e - b) // struct.calcsize(fmt)
        values = struct.unpack("<%d%s" % (count, fmt), body[b:e])
        out[name] = {"dtype": info["dtype"], "shape": info["shape"], "sum": float(sum(values)), "first": values[:3]}
    return out, meta


def read(path):
    try:
        from safetensors.numpy import load_file
        from safetensors import safe_open
        tensors = load_file(path)
        with safe_open(path, framework="numpy") as f:
            meta = f.metadata() or {}
        out = {
            k: {"dtype": {"float32": "F32", "float64": "F64"}[str(v.dtype)], "shape": list(v.shape), "sum": float(v.sum()), "first": [float(x) for x in v.reshape(-1)[:3]]}
            for k, v in tensors.items()
        }
        return out, meta, "safetensors"
    except ImportError:
        out, meta = read_stdlib(path)
        return out, meta, "stdlib"


def write(path):
    tensors = {
        "layer.weight": ("F32", [2, 3], [0.5, -1.0, 2.0, 3.25, 0.0, -7.5]),
        "layer.bias": ("F64", [3], [1.0, 2.0, 3.0]),
        "scalar": ("F32", [], [42.0]),
    }
    try:
        import numpy as np
        from safetensors.numpy import save_file
        arrays = {k: np.array(v, dtype={"F32": np.float32, "F64": np.float64}[d]).reshape(s) for k, (d, s, v) in tensors.items()}
        save_file(arrays, path, metadata={"writer": "python-safetensors"})
        return "safetensors"
    except ImportError:
        header = {"__metadata__": {"writer": "python-stdlib"}}
        body = b""
        for k, (d, s, v) in tensors.items():
            fmt = {"F32": "f", "F64": "d"}[d]
            raw = struct.pack("<%d%s" % (len(v), fmt), *v)
            header[k] = {"dtype": d, "shape": s, "data_offsets": [len(body), len(body) + len(raw)]}
            body += raw
        h = json.dumps(header).encode("utf-8")
        h += b" " * ((8 - len(h) % 8) % 8)
        with open(path, "wb") as f:
            f.write(struct.pack("<Q", len(h)) + h + body)
        return "stdlib"


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("read", "write"):
        print(__doc__)
        sys.exit(2)
    if sys.argv[1] == "read":
        tensors, meta, reader = read(sys.argv[2])
        print(json.dumps({"reader": reader, "metadata": meta, "tensors": tensors}))
    else:
        print(json.dumps({"writer": write(sys.argv[2])}))
