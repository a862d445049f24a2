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
        Image("image-paper", "TRCL ImageNet-32 UNet (D,D,A,D / U,A,U,U, resnet sampling, dropout 0.1, 500 classes)",
            () => ImageUNetPresets.Paper),
        Image("image-paper-resnet-sampling", "image-paper with ResNet down/up-sampling in every block (the reading of specs §5: 39,828,227 parameters)",
            () => ImageUNetPresets.Paper with { ResamplingInPlainBlocks = true }),
        Image("image-diffusers-default", "diffusers UNet2DModel defaults, channels 128,256,256,256, 10 classes",
            () => ImageUNetPresets.DiffusersDefault(10)),
        Image("image-ddpm-cifar10", "DDPM CIFAR-10 layout (D,A,D,D), unconditional", () => ImageUNetPresets.DdpmCifar10),
        Image("image-tiny", "16x16 grayscale, 10 classes, channels 32,64 (CPU)", () => ImageUNetPresets.Tiny),
        Image("image-micro", "16x16 grayscale, 10 classes, channels 16,32, no dropout (the CPU demo)", () => ImageUNetPresets.Micro),
        Image("image-small-28", "28x28 grayscale, 10 classes, channels 32,64,128 (CPU)", () => ImageUNetPresets.Small28),
        Policy("policy-paper", "TRCL CW10 diffusion policy (ConditionalUnet1D 256,512,1024 + 3 attention blocks)",
            () => PolicyUNetPresets.Paper),
        Policy("policy-standard", "Chi et al.'s ConditionalUnet1D at the paper's sizes, no attention", () => PolicyUNetPresets.PaperWithoutAttention),
        Policy("policy-tiny", "policy with the paper's interface, dims 32,64 (CPU)", () => PolicyUNetPresets.Tiny),
    ];

    /// <summary>An image preset; the model is named "ImageUNet {name}".</summary>
    private static (string, string, Func<ParameterStore, IDenoiser>) Image(string name, string description, Func<ImageUNetConfig> config) =>
        (name, description, s => new ImageUNet(s, config(), $"ImageUNet {name}"));

    /// <summary>A policy preset; the model is named "PolicyUNet {name}".</summary>
    private static (string, string, Func<ParameterStore, IDenoiser>) Policy(string name, string description, Func<PolicyUNetConfig> config) =>
        (name, description, s => new PolicyUNet(s, config(), $"PolicyUNet {name}"));

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
