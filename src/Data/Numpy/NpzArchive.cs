using System.IO.Compression;

namespace NativeTrustRegion.Data;

/// <summary>
/// Read access to a numpy .npz file (a zip archive of <c>name.npy</c> entries, stored or deflated).
/// Errors name the file and say what is wrong: not a zip, truncated, missing array, damaged entry.
/// </summary>
public sealed class NpzArchive : IDisposable
{
    private readonly ZipArchive zip;
    private readonly FileStream? file;

    public string Path { get; }

    /// <summary>Array names (entry names without ".npy").</summary>
    public IReadOnlyList<string> ArrayNames { get; }

    private NpzArchive(string path, ZipArchive zip, FileStream? file)
    {
        Path = path;
        this.zip = zip;
        this.file = file;
        ArrayNames = zip.Entries
            .Where(e => e.FullName.EndsWith(".npy", StringComparison.Ordinal))
            .Select(e => e.FullName[..^4])
            .ToArray();
    }

    public static NpzArchive Open(string path)
    {
        if (!File.Exists(path)) throw new DatasetFormatException(path, "file not found");
        FileStream stream = new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        try
        {
            return new NpzArchive(path, new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: false), stream);
        }
        catch (Exception e) when (e is InvalidDataException or NotSupportedException or ArgumentException or IOException)
        {
            stream.Dispose();
            throw new DatasetFormatException(path,
                $"not a readable .npz (zip) archive — the file is truncated or of another format ({e.Message}). Download it again.", e);
        }
    }

    /// <summary>Opens an .npz held in a stream (e.g. tests); <paramref name="name"/> is used in messages.</summary>
    public static NpzArchive Open(Stream stream, string name)
    {
        try
        {
            return new NpzArchive(name, new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true), null);
        }
        catch (Exception e) when (e is InvalidDataException or NotSupportedException or ArgumentException or IOException)
        {
            throw new DatasetFormatException(name, $"not a readable .npz (zip) archive — truncated or of another format ({e.Message})", e);
        }
    }

    public bool Contains(string arrayName) => zip.GetEntry(arrayName + ".npy") is not null;

    /// <summary>Reads a whole array.</summary>
    public NpyArray Read(string arrayName)
    {
        using Stream stream = OpenEntry(arrayName, out string source);
        return NpyFile.Read(stream, source);
    }

    /// <summary>Opens an array for streaming: returns its header and leaves <paramref name="data"/> at the first element.</summary>
    public NpyHeader OpenArray(string arrayName, out Stream data, out string source)
    {
        data = OpenEntry(arrayName, out source);
        try
        {
            return NpyHeader.Read(data, source);
        }
        catch
        {
            data.Dispose();
            throw;
        }
    }

    private Stream OpenEntry(string arrayName, out string source)
    {
        source = $"{Path} (array '{arrayName}')";
        ZipArchiveEntry entry = zip.GetEntry(arrayName + ".npy")
            ?? throw new DatasetFormatException(Path, $"has no array '{arrayName}' (arrays present: {(ArrayNames.Count == 0 ? "none" : string.Join(", ", ArrayNames))})");
        try
        {
            return entry.Open();
        }
        catch (Exception e) when (e is InvalidDataException or NotSupportedException or IOException)
        {
            throw new DatasetFormatException(source, $"damaged zip entry: {e.Message}", e);
        }
    }

    public void Dispose()
    {
        zip.Dispose();
        file?.Dispose();
    }
}
