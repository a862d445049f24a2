"""Shape-only stand-ins for the few torch.nn classes reference_models.py uses.

They let `--dry-run` build the reference models on a machine without PyTorch and check every parameter's name and
shape, and the totals, against NativeTrustRegion's manifest. They hold shapes, never numbers, and cannot run a
forward pass. Registration follows torch.nn.Module: a module's own parameters first, then its children in the order
they were assigned, so named_parameters() yields the names PyTorch's state_dict() would hold.
"""
from collections import OrderedDict


class Parameter:
    def __init__(self, *shape):
        self.shape = tuple(shape)

    def numel(self):
        n = 1
        for d in self.shape:
            n *= d
        return n


class Module:
    def __init__(self):
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())

    def __setattr__(self, name, value):
        if isinstance(value, Parameter):
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name):
        state = self.__dict__
        if name in state.get("_parameters", {}):
            return state["_parameters"][name]
        if name in state.get("_modules", {}):
            return state["_modules"][name]
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}")

    def add_module(self, name, module):
        self._modules[name] = module

    def named_parameters(self, prefix=""):
        for name, p in self._parameters.items():
            yield prefix + name, p
        for name, m in self._modules.items():
            if m is not None:
                yield from m.named_parameters(prefix + name + ".")

    def parameters(self):
        for _, p in self.named_parameters():
            yield p


class ModuleList(Module):
    def __init__(self, modules=()):
        super().__init__()
        for m in modules:
            self.append(m)

    def append(self, module):
        self._modules[str(len(self._modules))] = module

    def __getitem__(self, i):
        return list(self._modules.values())[i]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())


class ModuleDict(Module):
    def __setitem__(self, key, module):
        self._modules[key] = module

    def __getitem__(self, key):
        return self._modules[key]

    def __contains__(self, key):
        return key in self._modules


class Sequential(ModuleList):
    def __init__(self, *modules):
        super().__init__(modules)


class Linear(Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.weight = Parameter(out_features, in_features)
        if bias:
            self.bias = Parameter(out_features)


class Conv1d(Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0):
        super().__init__()
        self.weight = Parameter(out_channels, in_channels, kernel_size)
        self.bias = Parameter(out_channels)


class Conv2d(Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0):
        super().__init__()
        self.weight = Parameter(out_channels, in_channels, kernel_size, kernel_size)
        self.bias = Parameter(out_channels)


class ConvTranspose1d(Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0):
        super().__init__()
        self.weight = Parameter(in_channels, out_channels, kernel_size)
        self.bias = Parameter(out_channels)


class GroupNorm(Module):
    def __init__(self, num_groups, num_channels, eps=1e-5):
        super().__init__()
        self.weight = Parameter(num_channels)
        self.bias = Parameter(num_channels)


class LayerNorm(Module):
    def __init__(self, normalized_shape, eps=1e-5):
        super().__init__()
        self.weight = Parameter(normalized_shape)
        self.bias = Parameter(normalized_shape)


class Embedding(Module):
    def __init__(self, num_embeddings, embedding_dim):
        super().__init__()
        self.weight = Parameter(num_embeddings, embedding_dim)


class MultiheadAttention(Module):
    def __init__(self, embed_dim, num_heads, batch_first=False):
        super().__init__()
        self.in_proj_weight = Parameter(3 * embed_dim, embed_dim)
        self.in_proj_bias = Parameter(3 * embed_dim)
        self.out_proj = Linear(embed_dim, embed_dim)


class _NoParameters(Module):
    def __init__(self, *args, **kwargs):
        super().__init__()


class Dropout(_NoParameters):
    pass


class Mish(_NoParameters):
    pass


class SiLU(_NoParameters):
    pass


class _Namespace:
    """`from shape_only_nn import nn` gives the same names as `from torch import nn`."""


nn = _Namespace()
for _name, _value in list(globals().items()):
    if isinstance(_value, type) and not _name.startswith("_") and _value.__module__ == __name__:
        setattr(nn, _name, _value)
