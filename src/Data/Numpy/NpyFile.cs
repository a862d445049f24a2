namespace NativeTrustRegion.Data;

/// <summary>Reads and writes whole .npy arrays from/to streams.</summary>
public static class NpyFile
{
    /// <summary>Reads one array (header and all data) and checks the data is complete.</summary>
    public static NpyArray Read(Stream stream, string source)
    {
        NpyHeader header = NpyHeader.Read(stream, source);
        long length = header.DataLength;
        if (length > Array.MaxLength)
            throw new DatasetFormatException(source, $"array of {length} bytes is too large to load at once; stream it with NpyHeader.Read instead");
        string what = $"the data of shape {header.ShapeText} ({length} bytes)";
        if (stream.CanSeek && stream.Length - stream.Position < length)
            throw new DatasetFormatException(source, $"file ends early: {what} needs {length} bytes, only {stream.Length - stream.Position} present (truncated download? fetch the file again)");
        return new NpyArray(header, stream.CanSeek ? ReadKnown(stream, length, source, what) : ReadGrowing(stream, length, source, what));
    }

    private static byte[] ReadKnown(Stream stream, long length, string source, string what)
    {
        var data = new byte[length];
        NpyHeader.ReadExactly(stream, data, source, what);
        return data;
    }

    /// <summary>
    /// Reads <paramref name="length"/> bytes from a stream of unknown length (a zip entry) without trusting the header:
    /// the buffer grows with the bytes that actually arrive, so a header claiming gigabytes allocates nothing extra.
    /// </summary>
    private static byte[] ReadGrowing(Stream stream, long length, string source, string what)
    {
        const int firstChunk = 1 << 20;
        var data = new byte[Math.Min(length, firstChunk)];
        long filled = 0;
        while (filled < length)
        {
            if (filled == data.Length)
            {
                Array.Resize(ref data, (int)Math.Min(length, Math.Max(2L * data.Length, firstChunk)));
            }
            int read;
            try { read = stream.Read(data, (int)filled, data.Length - (int)filled); }
            catch (InvalidDataException e) { throw new DatasetFormatException(source, $"damaged data while reading {what}: {e.Message}", e); }
            if (read == 0)
                throw new DatasetFormatException(source, $"file ends early: {what} needs {length} bytes, only {filled} present (truncated download? fetch the file again)");
            filled += read;
        }
        return data;
    }

    public static void Write(Stream stream, NpyArray array)
    {
        array.Header.Write(stream);
        stream.Write(array.Data);
    }
}
