namespace NativeTrustRegion.Data;

/// <summary>Element types of .npy arrays that this project reads and writes (little-endian only).</summary>
public enum NpyDataType
{
    Bool,
    UInt8,
    Int8,
    UInt16,
    Int16,
    UInt32,
    Int32,
    UInt64,
    Int64,
    Float32,
    Float64,
}

/// <summary>Conversions between <see cref="NpyDataType"/> and numpy's <c>descr</c> strings.</summary>
public static class NpyDataTypes
{
    public static int SizeOf(NpyDataType type) => type switch
    {
        NpyDataType.Bool or NpyDataType.UInt8 or NpyDataType.Int8 => 1,
        NpyDataType.UInt16 or NpyDataType.Int16 => 2,
        NpyDataType.UInt32 or NpyDataType.Int32 or NpyDataType.Float32 => 4,
        NpyDataType.UInt64 or NpyDataType.Int64 or NpyDataType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>The canonical descr numpy writes for the type ('|u1', '&lt;i8', '&lt;f4', …).</summary>
    public static string ToDescr(NpyDataType type) => type switch
    {
        NpyDataType.Bool => "|b1",
        NpyDataType.UInt8 => "|u1",
        NpyDataType.Int8 => "|i1",
        NpyDataType.UInt16 => "<u2",
        NpyDataType.Int16 => "<i2",
        NpyDataType.UInt32 => "<u4",
        NpyDataType.Int32 => "<i4",
        NpyDataType.UInt64 => "<u8",
        NpyDataType.Int64 => "<i8",
        NpyDataType.Float32 => "<f4",
        NpyDataType.Float64 => "<f8",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>Parses a descr string; null when the type is not supported (big-endian, strings, objects, …).</summary>
    public static NpyDataType? TryParse(string descr)
    {
        if (descr.Length < 3) return null;
        char order = descr[0];
        string code = descr[1..];
        bool singleByte = code is "u1" or "i1" or "b1";
        if (order == '>' && !singleByte) return null; // big-endian multi-byte data is not supported
        if (order is not ('<' or '|' or '=' or '>')) return null;
        return code switch
        {
            "b1" => NpyDataType.Bool,
            "u1" => NpyDataType.UInt8,
            "i1" => NpyDataType.Int8,
            "u2" => NpyDataType.UInt16,
            "i2" => NpyDataType.Int16,
            "u4" => NpyDataType.UInt32,
            "i4" => NpyDataType.Int32,
            "u8" => NpyDataType.UInt64,
            "i8" => NpyDataType.Int64,
            "f4" => NpyDataType.Float32,
            "f8" => NpyDataType.Float64,
            _ => null,
        };
    }
}
