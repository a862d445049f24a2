"""Turns TF32 on or off for PyTorch's matmuls and cuDNN convolutions, in whichever API the installed torch has.

torch 2.9 and later (the GPU machine's 2.11) have the fp32_precision settings and warn about allow_tf32; some code
paths (inductor among them) raise "mix of the legacy and new APIs" when the two disagree, so with the new API every
fp32_precision setting (global, cuBLAS, cuDNN and its conv/rnn parts) is set to the same value and the legacy flags
are left alone. Older torch (Debian's 1.13) has only allow_tf32.
"""


def _has(target, name):
    """hasattr that also survives torch 1.13's cuBLAS module, whose __getattr__ raises AssertionError for unknown names."""
    try:
        getattr(target, name)
        return True
    except (AttributeError, AssertionError):
        return False


def set_tf32(torch, enabled):
    value = "tf32" if enabled else "ieee"
    if _has(torch.backends.cuda.matmul, "fp32_precision"):
        targets = [torch.backends, torch.backends.cuda.matmul, torch.backends.cudnn]
        targets += [getattr(torch.backends.cudnn, part) for part in ("conv", "rnn") if _has(torch.backends.cudnn, part)]
        for target in targets:
            if _has(target, "fp32_precision"):
                target.fp32_precision = value
        return "fp32_precision=" + value
    torch.backends.cuda.matmul.allow_tf32 = enabled
    torch.backends.cudnn.allow_tf32 = enabled
    return f"allow_tf32={enabled}"
