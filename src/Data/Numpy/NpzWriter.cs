using NativeTrustRegion.Engine.Checkpoints;
using System.IO.Compression;

namespace NativeTrustRegion.Data;

/// <summary>Writes numpy-compatible .npz files (like <c>np.savez</c>: one stored zip entry per array).</summary>
public static class NpzWriter
{
    public static void Write(Stream output, IEnumerable<KeyValuePair<string, NpyArray>> arrays, bool compress = false)
    {
        using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        foreach ((string name, NpyArray array) in arrays)
        {
            ZipArchiveEntry entry = zip.CreateEntry(name + ".npy", compress ? CompressionLevel.Optimal : CompressionLevel.NoCompression);
            using Stream stream = entry.Open();
            NpyFile.Write(stream, array);
        }
    }

    /// <summary>Writes the archive atomically to <paramref name="path"/>.</summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, NpyArray>> arrays, bool compress = false) =>
        AtomicFile.Write(path, stream => Write(stream, arrays, compress));
}
