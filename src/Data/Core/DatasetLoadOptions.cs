namespace NativeTrustRegion.Data;

/// <summary>Options for <see cref="DatasetCatalog.Load"/> covering every data set.</summary>
public sealed record DatasetLoadOptions
{
    /// <summary>Data root; null = <see cref="DataDirectory.Resolve"/> (<c>$NTR_DATA_DIR</c> or <c>~/.cache/ntr</c>).</summary>
    public string? DataRoot { get; init; }

    /// <summary>Embedded glyph set settings (its seed defines the data set, independent of the training seed).</summary>
    public EmbeddedGlyphOptions Embedded { get; init; } = new();

    /// <summary>MNIST / Fashion-MNIST: pad 28→32 (default, as the authors do) or keep 28×28.</summary>
    public bool PadTo32 { get; init; } = true;

    /// <summary>MNIST / Fashion-MNIST held-out fraction per class; null = data set default.</summary>
    public double? HeldOutFraction { get; init; }

    /// <summary>ImageNet 32×32: number of leading classes kept (500 = ImageNet-500).</summary>
    public int ImageNetClassLimit { get; init; } = 500;

    /// <summary>Fetch missing npm packages with npm (false: fail instead).</summary>
    public bool AllowDownload { get; init; } = true;

    public Action<string>? Log { get; init; }
}
