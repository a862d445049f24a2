namespace NativeTrustRegion.Control.Demonstrations;

/// <summary>A demonstration file is truncated, fails its checksum or has an inconsistent header.</summary>
public sealed class CorruptDemonstrationFileException : IOException
{
    public CorruptDemonstrationFileException(string path, string reason)
        : base($"Demonstration file '{path}' is unusable: {reason}. Delete it and collect it again " +
               "(ntr control collect --task <name> --episodes <n> --out <dir>).")
    {
        FilePath = path;
    }

    public string FilePath { get; }
}
