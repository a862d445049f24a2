using System.Security.Cryptography;
using System.Text;

namespace NativeTrustRegion.Engine.Backends.Cuda;

/// <summary>One kernel source file from the top-level kernels/ folder, embedded in the engine assembly.</summary>
public sealed record KernelSource(string FileName, byte[] Text)
{
    /// <summary>The module name: the file name without ".cu" (e.g. "elementwise").</summary>
    public string Name => Path.GetFileNameWithoutExtension(FileName);

    public bool IsHeader => FileName.EndsWith(".cuh", StringComparison.Ordinal);

    /// <summary>
    /// SHA-256 (hex) of this file's bytes followed by every header's bytes in ordinal name order: the identity of
    /// what a compiled image was built from. CMakeLists.txt computes the same hash for prebuilt fatbins.
    /// </summary>
    public string ContentHash()
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Text);
        foreach (var header in KernelSources.Headers)
        {
            sha.AppendData(header.Text);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    public override string ToString() => $"{FileName} ({Text.Length} bytes)";

    public string TextString => Encoding.UTF8.GetString(Text);
}
