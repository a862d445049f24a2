using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace NativeTrustRegion.Data;

/// <summary>
/// A .npy array held in memory: header (type, order, shape) plus the raw little-endian element bytes
/// in file order. Typed accessors convert to the usual .NET arrays.
/// </summary>
public sealed class NpyArray
{
    public NpyHeader Header { get; }
    public byte[] Data { get; }

    public NpyDataType DataType => Header.DataType;
    public IReadOnlyList<long> Shape => Header.Shape;
    public long ElementCount => Header.ElementCount;

    public NpyArray(NpyHeader header, byte[] data)
    {
        if (data.LongLength != header.DataLength)
            throw new ArgumentException($"{data.LongLength} data bytes for shape {header.ShapeText} of {NpyDataTypes.ToDescr(header.DataType)} (expected {header.DataLength})");
        Header = header;
        Data = data;
    }

    public static NpyArray FromBytes(byte[] values, params long[] shape) => new(new NpyHeader(NpyDataType.UInt8, false, CheckShape(shape, values.LongLength)), values);

    public static NpyArray FromInt32(int[] values, params long[] shape) => FromPrimitive(NpyDataType.Int32, values, shape);

    public static NpyArray FromInt64(long[] values, params long[] shape) => FromPrimitive(NpyDataType.Int64, values, shape);

    public static NpyArray FromFloat32(float[] values, params long[] shape) => FromPrimitive(NpyDataType.Float32, values, shape);

    public static NpyArray FromFloat64(double[] values, params long[] shape) => FromPrimitive(NpyDataType.Float64, values, shape);

    private static NpyArray FromPrimitive<T>(NpyDataType type, T[] values, long[] shape) where T : unmanaged
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("npy writing assumes a little-endian machine");
        return new NpyArray(new NpyHeader(type, false, CheckShape(shape, values.LongLength)), MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
    }

    private static long[] CheckShape(long[] shape, long count)
    {
        long[] actual = shape.Length == 0 ? [count] : shape;
        long product = actual.Aggregate(1L, (a, b) => a * b);
        if (product != count) throw new ArgumentException($"shape ({string.Join(", ", actual)}) holds {product} elements, got {count}");
        return actual;
    }

    /// <summary>Every element converted to Int64 (integer and bool types; floats must hold whole numbers).</summary>
    public long[] ToInt64() => ConvertElements(e => DataType switch
    {
        NpyDataType.UInt64 => checked((long)BinaryPrimitives.ReadUInt64LittleEndian(e)),
        NpyDataType.Float32 => WholeNumber(BinaryPrimitives.ReadSingleLittleEndian(e)),
        NpyDataType.Float64 => WholeNumber(BinaryPrimitives.ReadDoubleLittleEndian(e)),
        _ => ToInt64Single(e),
    });

    /// <summary>Every element converted to double.</summary>
    public double[] ToFloat64() => ConvertElements(e => DataType switch
    {
        NpyDataType.Float32 => BinaryPrimitives.ReadSingleLittleEndian(e),
        NpyDataType.Float64 => BinaryPrimitives.ReadDoubleLittleEndian(e),
        NpyDataType.UInt64 => BinaryPrimitives.ReadUInt64LittleEndian(e),
        _ => ToInt64Single(e),
    });

    /// <summary>Reads one element from its little-endian bytes.</summary>
    private delegate T ElementReader<out T>(ReadOnlySpan<byte> element);

    private T[] ConvertElements<T>(ElementReader<T> read)
    {
        var result = new T[ElementCount];
        ReadOnlySpan<byte> d = Data;
        int size = NpyDataTypes.SizeOf(DataType);
        for (long i = 0; i < result.LongLength; i++)
        {
            result[i] = read(d.Slice((int)(i * size), size));
        }
        return result;
    }

    private long ToInt64Single(ReadOnlySpan<byte> e) => DataType switch
    {
        NpyDataType.Bool or NpyDataType.UInt8 => e[0],
        NpyDataType.Int8 => (sbyte)e[0],
        NpyDataType.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(e),
        NpyDataType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(e),
        NpyDataType.UInt32 => BinaryPrimitives.ReadUInt32LittleEndian(e),
        NpyDataType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(e),
        NpyDataType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(e),
        _ => throw new InvalidOperationException($"unsupported type {DataType}"),
    };

    private static long WholeNumber(double value)
    {
        if (value != Math.Floor(value) || double.IsInfinity(value))
            throw new InvalidDataException($"value {value} is not a whole number");
        return (long)value;
    }
}
