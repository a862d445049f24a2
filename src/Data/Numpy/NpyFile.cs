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
        var data = new byte[length];
        NpyHeader.ReadExactly(stream, data, source, $"the data of shape {header.ShapeText} ({length} bytes)");
        return new NpyArray(header, data);
    }

    public static void Write(Stream stream, NpyArray array)
    {
        array.Header.Write(stream);
        stream.Write(array.Data);
    }
}
