#!/usr/bin/env python3
"""Plain PyTorch twins of NativeTrustRegion's denoisers (src/Models), for timing and loss-tracking comparisons.

Every module mirrors one C# class, with the same parameter names and shapes, so a safetensors checkpoint written by
`ntr` loads here with load_state_dict(strict=True) and back:

  C# (src/Models/...)                       here
  Layers/ResnetBlock2D.cs                   ResnetBlock2D
  Layers/Attention2D.cs                     Attention2D
  Layers/Downsample2D.cs, Upsample2D.cs     Downsample2D, Upsample2D
  Image/ImageDownBlock.cs, ImageMidBlock.cs, ImageUpBlock.cs, ImageUNet.cs
  Layers/Conv1dBlock.cs                     Conv1dBlock
  Layers/ConditionalResidualBlock1D.cs      ConditionalResidualBlock1D
  Layers/SelfAttention1D.cs                 SelfAttention1D
  Layers/Downsample1d.cs, Upsample1d.cs     Downsample1d, Upsample1d
  Policy/PolicyUNet.cs                      PolicyUNet

No diffusers: plain torch.nn and torch.nn.functional. Parameters are registered per module in PyTorch's usual way, so
the flat order of state_dict() can differ from the C# declaration order inside a block (e.g. all resnets before all
attentions); loading is by name, and names and shapes are identical (checked by --check-manifest).

Without PyTorch installed, the modules are built from shape_only_nn (shapes only), which is enough for
  reference_models.py --check-manifest FILE    names, shapes and the total against an `ntr` manifest (JSON with
                                               "preset" and "parameterList", e.g. written by `ntr bench export-batches`)
  reference_models.py --preset NAME            print the parameter count
"""
import argparse
import json
import math
import sys
from dataclasses import dataclass, field

try:
    import torch
    import torch.nn.functional as F
    from torch import nn

    HAVE_TORCH = True
except ImportError:  # shape-only build for --dry-run on machines without PyTorch
    torch = None
    F = None
    from shape_only_nn import nn

    HAVE_TORCH = False


# ----------------------------------------------------------------------------------------------------------------------
# configurations (src/Models/Image/ImageUNetConfig.cs + ImageUNetPresets.cs, src/Models/Policy/PolicyUNetConfig.cs +
# PolicyUNetPresets.cs)


@dataclass(frozen=True)
class ImageUNetConfig:
    sample_size: int = 32
    in_channels: int = 3
    out_channels: int = 3
    block_out_channels: tuple = (128, 256, 256, 256)
    down_blocks: str = "DAAA"  # one letter per level: D = DownBlock2D, A = AttnDownBlock2D
    up_blocks: str = "AAAD"  # deepest level first
    layers_per_block: int = 2
    downsample_type: str = "conv"  # "conv" or "resnet"; honoured by attention blocks only (diffusers' get_down_block)
    upsample_type: str = "conv"
    resampling_in_plain_blocks: bool = False
    attention_head_dim: int = 8
    norm_groups: int = 32
    norm_eps: float = 1e-5
    dropout: float = 0.0
    classes: int = 0
    mid_block_attention: bool = True

    @property
    def time_embedding_dim(self):
        return 4 * self.block_out_channels[0]


@dataclass(frozen=True)
class PolicyUNetConfig:
    action_dim: int = 4
    horizon: int = 8
    observation_dim: int = 39
    observation_steps: int = 6
    step_embedding_dim: int = 512
    down_dims: tuple = (256, 512, 1024)
    kernel_size: int = 5
    norm_groups: int = 8
    attention_heads: int = 8
    attention_from_level: object = 1  # None = the standard ConditionalUnet1D

    @property
    def condition_dim(self):
        return self.step_embedding_dim + self.observation_steps * self.observation_dim

    def has_attention_at(self, level):
        return self.attention_from_level is not None and level >= self.attention_from_level


PRESETS = {
    "image-paper": ImageUNetConfig(
        sample_size=32, in_channels=3, out_channels=3, block_out_channels=(128, 256, 256, 256),
        down_blocks="DDAD", up_blocks="DADD", layers_per_block=2, downsample_type="resnet", upsample_type="resnet",
        dropout=0.1, norm_groups=32, classes=500),
    "image-paper-resnet-sampling": ImageUNetConfig(
        sample_size=32, in_channels=3, out_channels=3, block_out_channels=(128, 256, 256, 256),
        down_blocks="DDAD", up_blocks="DADD", layers_per_block=2, downsample_type="resnet", upsample_type="resnet",
        resampling_in_plain_blocks=True, dropout=0.1, norm_groups=32, classes=500),
    "image-tiny": ImageUNetConfig(
        sample_size=16, in_channels=1, out_channels=1, block_out_channels=(32, 64), down_blocks="DA", up_blocks="AD",
        layers_per_block=1, downsample_type="resnet", upsample_type="resnet", norm_groups=8, dropout=0.1, classes=10),
    "image-micro": ImageUNetConfig(
        sample_size=16, in_channels=1, out_channels=1, block_out_channels=(16, 32), down_blocks="DA", up_blocks="AD",
        layers_per_block=1, downsample_type="conv", upsample_type="conv", norm_groups=8, dropout=0.0, classes=10),
    "policy-paper": PolicyUNetConfig(),
    "policy-tiny": PolicyUNetConfig(down_dims=(32, 64), step_embedding_dim=64, attention_from_level=1),
}

# What `ntr model summary --preset NAME` prints as the total (asserted at construction).
EXPECTED_PARAMETERS = {
    "image-paper": 37_447_171,
    "image-paper-resnet-sampling": 39_828_227,
    "image-tiny": 748_065,
    "image-micro": 177_489,
    "policy-paper": 83_269_892,
    "policy-tiny": 523_236,
}


# ----------------------------------------------------------------------------------------------------------------------
# shared pieces


def timestep_embedding(t, dim, flip_sin_to_cos, freq_shift, max_period=10000.0):
    """Ops.TimestepEmbedding: half = dim // 2, f_j = exp(-ln(max_period) * j / (half - freq_shift)), row [sin(t f), cos(t f)]
    ([cos, sin] when flipped), an odd dim padded with a zero column. Computed in float64 as the engine does (its CPU
    and CUDA kernels both use double), returned as float32."""
    half = dim // 2
    j = torch.arange(half, dtype=torch.float64, device=t.device)
    freqs = torch.exp(-math.log(max_period) * j / (half - freq_shift))
    args = t.to(torch.float64)[:, None] * freqs[None, :]
    sin, cos = torch.sin(args), torch.cos(args)
    emb = torch.cat([cos, sin] if flip_sin_to_cos else [sin, cos], dim=1)
    if dim % 2 == 1:
        emb = F.pad(emb, (0, 1))
    return emb.to(torch.float32)


# ----------------------------------------------------------------------------------------------------------------------
# image UNet (diffusers UNet2DModel layout)


class ResnetBlock2D(nn.Module):
    """h = conv1(SiLU(GN(x))) + time_emb_proj(SiLU(temb)); h = conv2(dropout(SiLU(GN(h)))); out = shortcut(x) + h.
    resampling "down"/"up": avg-pool 2x2 / nearest 2x of both the hidden path (after norm1 -> SiLU) and the shortcut."""

    def __init__(self, in_channels, out_channels, temb_dim, groups, eps, dropout, resampling=None):
        super().__init__()
        self.resampling = resampling
        self.norm1 = nn.GroupNorm(groups, in_channels, eps=eps)
        self.conv1 = nn.Conv2d(in_channels, out_channels, kernel_size=3, stride=1, padding=1)
        self.time_emb_proj = nn.Linear(temb_dim, out_channels)
        self.norm2 = nn.GroupNorm(groups, out_channels, eps=eps)
        self.dropout = nn.Dropout(dropout)
        self.conv2 = nn.Conv2d(out_channels, out_channels, kernel_size=3, stride=1, padding=1)
        self.conv_shortcut = nn.Conv2d(in_channels, out_channels, kernel_size=1) if in_channels != out_channels else None

    def forward(self, x, temb):
        h = F.silu(self.norm1(x))
        skip = x
        if self.resampling == "down":
            skip = F.avg_pool2d(skip, 2)
            h = F.avg_pool2d(h, 2)
        elif self.resampling == "up":
            skip = F.interpolate(skip, scale_factor=2.0, mode="nearest")
            h = F.interpolate(h, scale_factor=2.0, mode="nearest")
        h = self.conv1(h)
        h = h + self.time_emb_proj(F.silu(temb))[:, :, None, None]
        h = F.silu(self.norm2(h))
        h = self.dropout(h)
        h = self.conv2(h)
        if self.conv_shortcut is not None:
            skip = self.conv_shortcut(skip)
        return skip + h


def _scaled_dot_product_attention(q, k, v, scale):
    """F.scaled_dot_product_attention (PyTorch >= 2.1 for the scale argument), else its math form softmax(q kᵀ s) v
    (Debian 12's python3-torch is 1.13, which has no fused attention: on the CPU it would run this math form too)."""
    if hasattr(F, "scaled_dot_product_attention"):
        return F.scaled_dot_product_attention(q, k, v, scale=scale)
    return torch.softmax(torch.matmul(q, k.transpose(-2, -1)) * scale, dim=-1).matmul(v)


class Attention2D(nn.Module):
    """GN(x) as tokens [B, HW, C]; q, k, v = Linear(C -> C); SDPA with C / head_dim heads of width head_dim and scale
    1/sqrt(head_dim); to_out.0 Linear(C -> C); back to [B, C, H, W]; + x."""

    def __init__(self, channels, head_dim, groups, eps):
        super().__init__()
        self.heads = channels // head_dim
        self.head_dim = head_dim
        self.group_norm = nn.GroupNorm(groups, channels, eps=eps)
        self.to_q = nn.Linear(channels, channels)
        self.to_k = nn.Linear(channels, channels)
        self.to_v = nn.Linear(channels, channels)
        self.to_out = nn.ModuleList([nn.Linear(channels, channels)])

    def forward(self, x):
        b, c, h, w = x.shape
        n = h * w
        tokens = self.group_norm(x).reshape(b, c, n).transpose(1, 2)

        def heads(t):
            return t.reshape(b, n, self.heads, self.head_dim).permute(0, 2, 1, 3)

        q, k, v = heads(self.to_q(tokens)), heads(self.to_k(tokens)), heads(self.to_v(tokens))
        attended = _scaled_dot_product_attention(q, k, v, 1.0 / math.sqrt(self.head_dim))
        merged = attended.permute(0, 2, 1, 3).reshape(b, n, c)
        projected = self.to_out[0](merged).transpose(1, 2).reshape(b, c, h, w)
        return projected + x


class Downsample2D(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, kernel_size=3, stride=2, padding=1)

    def forward(self, x):
        return self.conv(x)


class Upsample2D(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, kernel_size=3, stride=1, padding=1)

    def forward(self, x):
        return self.conv(F.interpolate(x, scale_factor=2.0, mode="nearest"))


def _resnet(cfg, in_channels, out_channels, resampling=None):
    return ResnetBlock2D(in_channels, out_channels, cfg.time_embedding_dim, cfg.norm_groups, cfg.norm_eps, cfg.dropout, resampling)


def _attention(cfg, channels):
    return Attention2D(channels, cfg.attention_head_dim, cfg.norm_groups, cfg.norm_eps)


def _sampler(cfg, channels, kind, direction):
    """The down/up sampler module of a block ("conv" or "resnet"), or None at the level without one."""
    if kind is None:
        return None
    if kind == "resnet":
        return nn.ModuleList([_resnet(cfg, channels, channels, direction)])
    return nn.ModuleList([Downsample2D(channels) if direction == "down" else Upsample2D(channels)])


def _run_sampler(samplers, h, temb):
    if samplers is None:
        return h
    sampler = samplers[0]
    return sampler(h, temb) if isinstance(sampler, ResnetBlock2D) else sampler(h)


class ImageDownBlock(nn.Module):
    def __init__(self, cfg, attention, in_channels, out_channels, downsample):
        super().__init__()
        layers = cfg.layers_per_block
        self.resnets = nn.ModuleList([_resnet(cfg, in_channels if j == 0 else out_channels, out_channels) for j in range(layers)])
        self.attentions = nn.ModuleList([_attention(cfg, out_channels) for _ in range(layers)]) if attention else None
        self.downsamplers = _sampler(cfg, out_channels, downsample, "down")

    def forward(self, h, temb, skips):
        for j, resnet in enumerate(self.resnets):
            h = resnet(h, temb)
            if self.attentions is not None:
                h = self.attentions[j](h)
            skips.append(h)
        if self.downsamplers is not None:
            h = _run_sampler(self.downsamplers, h, temb)
            skips.append(h)
        return h


class ImageMidBlock(nn.Module):
    def __init__(self, cfg, channels):
        super().__init__()
        self.resnets = nn.ModuleList([_resnet(cfg, channels, channels), _resnet(cfg, channels, channels)])
        self.attentions = nn.ModuleList([_attention(cfg, channels)]) if cfg.mid_block_attention else None

    def forward(self, h, temb):
        h = self.resnets[0](h, temb)
        if self.attentions is not None:
            h = self.attentions[0](h)
        return self.resnets[1](h, temb)


class ImageUpBlock(nn.Module):
    def __init__(self, cfg, attention, previous_channels, out_channels, skip_channels, upsample):
        super().__init__()
        self.resnets = nn.ModuleList([
            _resnet(cfg, (previous_channels if j == 0 else out_channels) + skip, out_channels)
            for j, skip in enumerate(skip_channels)])
        self.attentions = nn.ModuleList([_attention(cfg, out_channels) for _ in skip_channels]) if attention else None
        self.upsamplers = _sampler(cfg, out_channels, upsample, "up")

    def forward(self, h, temb, skips):
        for j, resnet in enumerate(self.resnets):
            h = torch.cat([h, skips.pop()], dim=1)
            h = resnet(h, temb)
            if self.attentions is not None:
                h = self.attentions[j](h)
        return _run_sampler(self.upsamplers, h, temb)


class TimestepMlp(nn.Module):
    """diffusers' TimestepEmbedding: linear_1 -> SiLU -> linear_2."""

    def __init__(self, in_dim, hidden_dim, out_dim):
        super().__init__()
        self.linear_1 = nn.Linear(in_dim, hidden_dim)
        self.linear_2 = nn.Linear(hidden_dim, out_dim)

    def forward(self, x):
        return self.linear_2(F.silu(self.linear_1(x)))


class ImageUNet(nn.Module):
    """forward(x_t [B, C, H, W], timesteps [B] float, labels [B] class ids) -> predicted noise [B, C, H, W]."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        levels = len(cfg.block_out_channels)
        c0 = cfg.block_out_channels[0]
        temb = cfg.time_embedding_dim
        self.time_embedding = TimestepMlp(c0, temb, temb)
        self.class_embedding = nn.Embedding(cfg.classes, temb) if cfg.classes > 0 else None
        self.conv_in = nn.Conv2d(cfg.in_channels, c0, kernel_size=3, stride=1, padding=1)

        def resampling(kind_letter, requested):
            return requested if kind_letter == "A" or cfg.resampling_in_plain_blocks else "conv"

        skip_channels = [c0]
        self.down_blocks = nn.ModuleList()
        channels = c0
        for i in range(levels):
            in_channels, channels = channels, cfg.block_out_channels[i]
            kind = cfg.down_blocks[i]
            downsample = None if i == levels - 1 else resampling(kind, cfg.downsample_type)
            self.down_blocks.append(ImageDownBlock(cfg, kind == "A", in_channels, channels, downsample))
            skip_channels += [channels] * cfg.layers_per_block
            if downsample is not None:
                skip_channels.append(channels)

        deepest = cfg.block_out_channels[-1]
        self.mid_block = ImageMidBlock(cfg, deepest)

        self.up_blocks = nn.ModuleList()
        channels = deepest
        for i in range(levels):
            previous, out_channels = channels, cfg.block_out_channels[levels - 1 - i]
            kind = cfg.up_blocks[i]
            upsample = None if i == levels - 1 else resampling(kind, cfg.upsample_type)
            consumed = [skip_channels.pop() for _ in range(cfg.layers_per_block + 1)]
            self.up_blocks.append(ImageUpBlock(cfg, kind == "A", previous, out_channels, consumed, upsample))
            channels = out_channels

        self.conv_norm_out = nn.GroupNorm(cfg.norm_groups, c0, eps=cfg.norm_eps)
        self.conv_out = nn.Conv2d(c0, cfg.out_channels, kernel_size=3, stride=1, padding=1)

    def forward(self, xt, timesteps, labels=None):
        cfg = self.cfg
        features = timestep_embedding(timesteps, cfg.block_out_channels[0], flip_sin_to_cos=True, freq_shift=0)
        temb = self.time_embedding(features)
        if self.class_embedding is not None:
            temb = temb + self.class_embedding(labels.long())
        h = self.conv_in(xt)
        skips = [h]
        for block in self.down_blocks:
            h = block(h, temb, skips)
        h = self.mid_block(h, temb)
        for block in self.up_blocks:
            h = block(h, temb, skips)
        return self.conv_out(F.silu(self.conv_norm_out(h)))


# ----------------------------------------------------------------------------------------------------------------------
# policy UNet (Chi et al.'s ConditionalUnet1D + the TRCL attention blocks)


class SinusoidalStepEmbedding(nn.Module):
    """Diffusion Policy's SinusoidalPosEmb: [sin, cos] with frequencies exp(-ln(10000) j / (half - 1))."""

    def __init__(self, dim):
        super().__init__()
        self.dim = dim

    def forward(self, t):
        return timestep_embedding(t, self.dim, flip_sin_to_cos=False, freq_shift=1)


class Conv1dBlock(nn.Module):
    """Conv1d(k, padding k // 2) -> GroupNorm -> Mish (block.0, block.1)."""

    def __init__(self, in_channels, out_channels, kernel_size, groups):
        super().__init__()
        self.block = nn.Sequential(
            nn.Conv1d(in_channels, out_channels, kernel_size=kernel_size, stride=1, padding=kernel_size // 2),
            nn.GroupNorm(groups, out_channels),
            nn.Mish())

    def forward(self, x):
        return self.block(x)


class ConditionalResidualBlock1D(nn.Module):
    """h = blocks.0(x); [scale, bias] = cond_encoder.1(Mish(cond)); h = scale * h + bias; h = blocks.1(h);
    out = h + (residual_conv(x) when the channel count changes, else x)."""

    def __init__(self, in_channels, out_channels, cond_dim, kernel_size, groups):
        super().__init__()
        self.out_channels = out_channels
        self.blocks = nn.ModuleList([
            Conv1dBlock(in_channels, out_channels, kernel_size, groups),
            Conv1dBlock(out_channels, out_channels, kernel_size, groups)])
        self.cond_encoder = nn.Sequential(nn.Mish(), nn.Linear(cond_dim, 2 * out_channels))
        self.residual_conv = nn.Conv1d(in_channels, out_channels, kernel_size=1) if in_channels != out_channels else None

    def forward(self, x, cond):
        h = self.blocks[0](x)
        film = self.cond_encoder(cond)
        c = self.out_channels
        h = film[:, :c, None] * h + film[:, c:, None]
        h = self.blocks[1](h)
        return h + (x if self.residual_conv is None else self.residual_conv(x))


class SelfAttention1D(nn.Module):
    """out = x + LN2(MHA(LN1(x))) over the T positions of [B, C, T] (nn.MultiheadAttention: packed in_proj, out_proj)."""

    def __init__(self, channels, heads):
        super().__init__()
        self.norm1 = nn.LayerNorm(channels)
        self.attn = nn.MultiheadAttention(channels, heads, batch_first=True)
        self.norm2 = nn.LayerNorm(channels)

    def forward(self, x):
        tokens = self.norm1(x.transpose(1, 2))
        attended, _ = self.attn(tokens, tokens, tokens, need_weights=False)
        return x + self.norm2(attended).transpose(1, 2)


class Downsample1d(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv = nn.Conv1d(channels, channels, kernel_size=3, stride=2, padding=1)

    def forward(self, x):
        return self.conv(x)


class Upsample1d(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv = nn.ConvTranspose1d(channels, channels, kernel_size=4, stride=2, padding=1)

    def forward(self, x):
        return self.conv(x)


class PolicyUNet(nn.Module):
    """forward(noisy actions [B, T, Da], timesteps [B] float, observations [B, To, Do] or [B, To*Do]) -> noise [B, T, Da]."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        dsed, cond, k, g = cfg.step_embedding_dim, cfg.condition_dim, cfg.kernel_size, cfg.norm_groups
        levels = len(cfg.down_dims)

        def crb(cin, cout):
            return ConditionalResidualBlock1D(cin, cout, cond, k, g)

        self.diffusion_step_encoder = nn.Sequential(
            SinusoidalStepEmbedding(dsed), nn.Linear(dsed, 4 * dsed), nn.Mish(), nn.Linear(4 * dsed, dsed))

        self.down_modules = nn.ModuleList()
        for i in range(levels):
            dim_in = cfg.action_dim if i == 0 else cfg.down_dims[i - 1]
            dim_out = cfg.down_dims[i]
            level = nn.ModuleDict()
            level["0"] = crb(dim_in, dim_out)
            level["1"] = crb(dim_out, dim_out)
            if cfg.has_attention_at(i):
                level["attention"] = SelfAttention1D(dim_out, cfg.attention_heads)
            if i < levels - 1:
                level["2"] = Downsample1d(dim_out)
            self.down_modules.append(level)

        mid = cfg.down_dims[-1]
        self.mid_modules = nn.ModuleDict()
        self.mid_modules["0"] = crb(mid, mid)
        if cfg.has_attention_at(levels - 1):
            self.mid_modules["attention"] = SelfAttention1D(mid, cfg.attention_heads)
        self.mid_modules["1"] = crb(mid, mid)

        self.up_modules = nn.ModuleList()
        for i in range(levels - 1):
            level_index = levels - 1 - i
            dim_in, dim_out = cfg.down_dims[level_index - 1], cfg.down_dims[level_index]
            level = nn.ModuleDict()
            level["0"] = crb(2 * dim_out, dim_in)
            level["1"] = crb(dim_in, dim_in)
            level["2"] = Upsample1d(dim_in)
            self.up_modules.append(level)

        start = cfg.down_dims[0]
        self.final_conv = nn.Sequential(Conv1dBlock(start, start, k, g), nn.Conv1d(start, cfg.action_dim, kernel_size=1))

    def forward(self, xt, timesteps, observations=None):
        cfg = self.cfg
        b = xt.shape[0]
        cond = self.diffusion_step_encoder(timesteps)
        if cfg.observation_steps * cfg.observation_dim > 0:
            cond = torch.cat([cond, observations.reshape(b, -1)], dim=1)
        x = xt.transpose(1, 2)
        skips = []
        for level in self.down_modules:
            x = level["0"](x, cond)
            x = level["1"](x, cond)
            if "attention" in level:
                x = level["attention"](x)
            skips.append(x)
            if "2" in level:
                x = level["2"](x)
        x = self.mid_modules["0"](x, cond)
        if "attention" in self.mid_modules:
            x = self.mid_modules["attention"](x)
        x = self.mid_modules["1"](x, cond)
        for level in self.up_modules:
            x = torch.cat([x, skips.pop()], dim=1)
            x = level["0"](x, cond)
            x = level["1"](x, cond)
            x = level["2"](x)
        x = self.final_conv(x)
        return x.transpose(1, 2)


# ----------------------------------------------------------------------------------------------------------------------
# construction and checks


def parameter_count(model):
    return sum(p.numel() for p in model.parameters())


def build(preset):
    """The reference model of an `ntr` preset; asserts that it has exactly the C# model's parameter count."""
    if preset not in PRESETS:
        raise SystemExit(f"unknown preset {preset!r}; the reference has {', '.join(sorted(PRESETS))}")
    cfg = PRESETS[preset]
    model = ImageUNet(cfg) if isinstance(cfg, ImageUNetConfig) else PolicyUNet(cfg)
    count = parameter_count(model)
    expected = EXPECTED_PARAMETERS[preset]
    assert count == expected, f"{preset}: the reference has {count:,} parameters, the C# model {expected:,}"
    return model


def sample_shape(preset):
    """Shape of one x0 without the batch dimension ([C, H, W] or [T, Da])."""
    cfg = PRESETS[preset]
    if isinstance(cfg, ImageUNetConfig):
        return [cfg.in_channels, cfg.sample_size, cfg.sample_size]
    return [cfg.horizon, cfg.action_dim]


def condition_kind(preset):
    cfg = PRESETS[preset]
    if isinstance(cfg, ImageUNetConfig):
        return "class-ids" if cfg.classes > 0 else "none"
    return "observations" if cfg.observation_steps * cfg.observation_dim > 0 else "none"


def compare_with_manifest(model, manifest):
    """Problems (as lines) between the model's parameters and a manifest's parameterList; empty when they agree."""
    ours = {name: list(p.shape) for name, p in model.named_parameters()}
    theirs = {entry["name"]: list(entry["shape"]) for entry in manifest["parameterList"]}
    problems = []
    for name in sorted(set(theirs) - set(ours)):
        problems.append(f"missing here: {name} {theirs[name]}")
    for name in sorted(set(ours) - set(theirs)):
        problems.append(f"extra here: {name} {ours[name]}")
    for name in sorted(set(ours) & set(theirs)):
        if ours[name] != theirs[name]:
            problems.append(f"shape of {name}: here {ours[name]}, ntr {theirs[name]}")
    total = parameter_count(model)
    if total != manifest["parameters"]:
        problems.append(f"total: here {total:,}, ntr {manifest['parameters']:,}")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", help="print this preset's parameter count")
    parser.add_argument("--check-manifest", metavar="FILE", help="compare names and shapes with an ntr manifest (JSON)")
    args = parser.parse_args()
    if args.check_manifest:
        with open(args.check_manifest) as f:
            manifest = json.load(f)
        model = build(manifest["preset"])
        problems = compare_with_manifest(model, manifest)
        backend = "torch" if HAVE_TORCH else "shape-only"
        if problems:
            print(f"{manifest['preset']}: {len(problems)} differences from {args.check_manifest} ({backend} build):")
            for line in problems:
                print("  " + line)
            return 1
        print(f"{manifest['preset']}: {len(manifest['parameterList'])} tensors, {manifest['parameters']:,} parameters, "
              f"names and shapes identical to ntr's ({backend} build)")
        return 0
    if args.preset:
        model = build(args.preset)
        print(f"{args.preset}: {parameter_count(model):,} parameters ({'torch' if HAVE_TORCH else 'shape-only'} build)")
        return 0
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
