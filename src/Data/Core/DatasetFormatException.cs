namespace NativeTrustRegion.Data;

/// <summary>A data file is missing, truncated, of the wrong shape or otherwise unusable.
/// The message names the file, what is wrong, and how to fix it.</summary>
public sealed class DatasetFormatException : Exception
{
    public string FilePath { get; }

    public DatasetFormatException(string filePath, string problem, Exception? inner = null)
        : base($"{filePath}: {problem}", inner)
    {
        FilePath = filePath;
    }
}
