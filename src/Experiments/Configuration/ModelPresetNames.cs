using NativeTrustRegion.Models;

namespace NativeTrustRegion.Experiments.Configuration;

/// <summary>The denoising-network presets as the command line names them (over <see cref="ModelPresets"/>); builds nothing.</summary>
public static class ModelPresetNames
{
    /// <summary>Every model preset name.</summary>
    public static IReadOnlyList<string> All => ModelPresets.Names;

    /// <summary>Throws a <see cref="Engine.UsageException"/> listing the presets unless <paramref name="name"/> is one.</summary>
    public static void Validate(string name) => ModelPresets.Validate(name);

    /// <summary>The preset's one-line description.</summary>
    public static string Describe(string name) => ModelPresets.Describe(name);
}
