using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Models.Image;
using NativeTrustRegion.Models.Policy;

namespace NativeTrustRegion.Models;

/// <summary>The named models the command line and the experiments can build.</summary>
public static class ModelPresets
{
    private static readonly (string Name, string Description, Func<ParameterStore, IDenoiser> Build)[] Entries =
    [
        ("image-paper", "TRCL ImageNet-32 UNet (D,D,A,D / U,A,U,U, resnet sampling, dropout 0.1, 500 classes)",
            s => new ImageUNet(s, ImageUNetPresets.Paper, "ImageUNet image-paper")),
        ("image-paper-resnet-sampling", "image-paper with ResNet down/up-sampling in every block (the reading of specs §5: 39,828,227 parameters)",
            s => new ImageUNet(s, ImageUNetPresets.Paper with { ResamplingInPlainBlocks = true }, "ImageUNet image-paper-resnet-sampling")),
        ("image-diffusers-default", "diffusers UNet2DModel defaults, channels 128,256,256,256, 10 classes",
            s => new ImageUNet(s, ImageUNetPresets.DiffusersDefault(10), "ImageUNet image-diffusers-default")),
        ("image-ddpm-cifar10", "DDPM CIFAR-10 layout (D,A,D,D), unconditional",
            s => new ImageUNet(s, ImageUNetPresets.DdpmCifar10, "ImageUNet image-ddpm-cifar10")),
        ("image-tiny", "16x16 grayscale, 10 classes, channels 32,64 (CPU)",
            s => new ImageUNet(s, ImageUNetPresets.Tiny, "ImageUNet image-tiny")),
        ("image-micro", "16x16 grayscale, 10 classes, channels 16,32, no dropout (the CPU demo)",
            s => new ImageUNet(s, ImageUNetPresets.Micro, "ImageUNet image-micro")),
        ("image-small-28", "28x28 grayscale, 10 classes, channels 32,64,128 (CPU)",
            s => new ImageUNet(s, ImageUNetPresets.Small28, "ImageUNet image-small-28")),
        ("policy-paper", "TRCL CW10 diffusion policy (ConditionalUnet1D 256,512,1024 + 3 attention blocks)",
            s => new PolicyUNet(s, PolicyUNetPresets.Paper, "PolicyUNet policy-paper")),
        ("policy-standard", "Chi et al.'s ConditionalUnet1D at the paper's sizes, no attention",
            s => new PolicyUNet(s, PolicyUNetPresets.PaperWithoutAttention, "PolicyUNet policy-standard")),
        ("policy-tiny", "policy with the paper's interface, dims 32,64 (CPU)",
            s => new PolicyUNet(s, PolicyUNetPresets.Tiny, "PolicyUNet policy-tiny")),
    ];

    public static IReadOnlyList<string> Names { get; } = Entries.Select(e => e.Name).ToArray();

    /// <summary>Throws a <see cref="UsageException"/> listing the presets unless <paramref name="name"/> is one; builds nothing.</summary>
    public static void Validate(string name)
    {
        if (!Names.Contains(name))
        {
            throw UsageException.Unknown("model preset", name, Names);
        }
    }

    public static string Describe(string name) => Find(name).Description;

    /// <summary>Declares the preset's parameters in <paramref name="store"/> (not allocated: call store.Allocate(seed) to get weights).</summary>
    public static IDenoiser Create(string name, ParameterStore store) => Find(name).Build(store);

    /// <summary>
    /// A policy preset with another action-sequence length S and observation horizon O (the paper's Table 5 grid);
    /// every other size stays the preset's. Image presets have no such shape and are refused.
    /// </summary>
    public static IDenoiser CreatePolicy(string name, ParameterStore store, int? sequenceLength, int? observationSteps)
    {
        var config = name switch
        {
            "policy-paper" => PolicyUNetPresets.Paper,
            "policy-standard" => PolicyUNetPresets.PaperWithoutAttention,
            "policy-tiny" => PolicyUNetPresets.Tiny,
            _ => throw new ArgumentException($"model preset '{name}' is not a policy, so it has no sequence length or observation horizon to set; use policy-paper, policy-standard or policy-tiny"),
        };
        var shaped = config with { Horizon = sequenceLength ?? config.Horizon, ObservationSteps = observationSteps ?? config.ObservationSteps };
        return new PolicyUNet(store, shaped, $"PolicyUNet {name} S{shaped.Horizon} O{shaped.ObservationSteps}");
    }

    private static (string Name, string Description, Func<ParameterStore, IDenoiser> Build) Find(string name)
    {
        foreach (var e in Entries)
        {
            if (e.Name == name)
            {
                return e;
            }
        }
        throw new ArgumentException($"unknown model preset '{name}'; known presets: {string.Join(", ", Entries.Select(e => e.Name))}");
    }
}
