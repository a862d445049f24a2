namespace NativeTrustRegion.Data;

/// <summary>How to load Downsampled ImageNet 32×32 (official npz batches).</summary>
public sealed record ImageNet32Options
{
    /// <summary>Data root; null = <see cref="DataDirectory.Resolve"/>. The npz files are looked for in <c>ROOT/imagenet32/</c>.</summary>
    public string? DataRoot { get; init; }

    /// <summary>Folder holding the npz files; overrides <c>ROOT/imagenet32</c>.</summary>
    public string? SourceDirectory { get; init; }

    /// <summary>Keep classes with official label 1..ClassLimit (mapped to 0..ClassLimit−1). ImageNet-500 = 500.</summary>
    public int ClassLimit { get; init; } = 500;

    /// <summary>Fail when any of train_data_batch_1..10.npz is missing (default). When false, the batches present are used.</summary>
    public bool RequireAllTrainBatches { get; init; } = true;

    /// <summary>Write/use the converted cache (<c>ROOT/cache/imagenet32-first{ClassLimit}-{split}.ntrimg</c>).</summary>
    public bool UseCache { get; init; } = true;

    public Action<string>? Log { get; init; }
}
