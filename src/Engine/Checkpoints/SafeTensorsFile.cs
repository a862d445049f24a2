using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace NativeTrustRegion.Engine.Checkpoints;

/// <summary>A safetensors file that is corrupt or does not match what the caller expects.</summary>
public sealed class SafeTensorsException(string path, string problem, string fix)
    : IOException($"{path}: {problem}. Fix: {fix}");

/// <summary>
/// The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header mapping each tensor
/// name to {dtype, shape, data_offsets} plus an optional "__metadata__" string map, then the raw little-endian
/// bytes, packed without gaps. Files written here load in the Python safetensors library and back.
/// Writes are atomic (<see cref="AtomicFile"/>). Tensors of dtypes this engine does not store (e.g. PyTorch's I64
/// BatchNorm counters num_batches_tracked) are listed, and only reading one of them fails.
/// </summary>
public sealed class SafeTensorsFile
{
    private readonly byte[] _bytes;
    private readonly long _dataStart;
    private readonly Dictionary<string, Entry> _entries;
    private readonly Dictionary<string, (string DType, int[] Shape)> _unsupported;

    private SafeTensorsFile(string path, byte[] bytes, long dataStart, Dictionary<string, Entry> entries,
        Dictionary<string, (string, int[])> unsupported, Dictionary<string, string> metadata)
    {
        Path = path;
        _bytes = bytes;
        _dataStart = dataStart;
        _entries = entries;
        _unsupported = unsupported;
        Metadata = metadata;
    }

    public string Path { get; }

    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensors this engine can read (F32, F64).</summary>
    public IReadOnlyCollection<string> Names => _entries.Keys;

    /// <summary>Every tensor in the file, readable or not, in name order.</summary>
    public IReadOnlyList<string> AllNames => _entries.Keys.Concat(_unsupported.Keys).Order(StringComparer.Ordinal).ToArray();

    /// <summary>Whether the file has a readable (F32 or F64) tensor of this name.</summary>
    public bool Contains(string name) => _entries.ContainsKey(name);

    public (DType DType, int[] Shape) Info(string name)
    {
        var e = Get(name);
        return (e.DType, e.Shape);
    }

    /// <summary>The dtype as the file names it ("F32", "I64", …) and the shape, for any tensor, stored dtype or not.</summary>
    public (string DType, int[] Shape) Describe(string name) =>
        _entries.TryGetValue(name, out var e) ? (e.DType.SafetensorsName(), e.Shape)
        : _unsupported.TryGetValue(name, out var u) ? u
        : throw new SafeTensorsException(Path, $"no tensor named '{name}'", $"the file holds {_entries.Count + _unsupported.Count} tensors; check that it was written by the same model/config");

    private readonly record struct Entry(DType DType, int[] Shape, long Begin, long End);

    /// <summary>Bytes per element of the safetensors dtypes (for checking the offsets of tensors this engine does not store).</summary>
    private static readonly Dictionary<string, int> ElementBytes = new(StringComparer.Ordinal)
    {
        ["BOOL"] = 1, ["U8"] = 1, ["I8"] = 1, ["F8_E4M3"] = 1, ["F8_E5M2"] = 1,
        ["F16"] = 2, ["BF16"] = 2, ["I16"] = 2, ["U16"] = 2,
        ["F32"] = 4, ["I32"] = 4, ["U32"] = 4,
        ["F64"] = 8, ["I64"] = 8, ["U64"] = 8,
    };

    /// <summary>A named tensor to write (any layout, any device; copied to the host as needed).</summary>
    public readonly record struct Item(string Name, Tensor Tensor);

    public static void Write(string path, IEnumerable<Item> items, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = items.ToList();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in list)
        {
            if (!names.Add(item.Name) || item.Name == "__metadata__")
            {
                throw new ArgumentException($"tensor name '{item.Name}' is duplicated or reserved in checkpoint {path}");
            }
        }
        var header = new MemoryStream();
        long offset = 0;
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    json.WriteString(k, v);
                }
                json.WriteEndObject();
            }
            foreach (var item in list)
            {
                var t = item.Tensor;
                var bytes = t.Numel * t.DType.SizeOf();
                json.WriteStartObject(item.Name);
                json.WriteString("dtype", t.DType.SafetensorsName());
                json.WriteStartArray("shape");
                foreach (var d in t.Shape)
                {
                    json.WriteNumberValue(d);
                }
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + bytes);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += bytes;
            }
            json.WriteEndObject();
        }
        // pad the header with spaces to a multiple of 8 bytes (as the reference implementation does)
        while (header.Length % 8 != 0)
        {
            header.WriteByte((byte)' ');
        }
        var headerBytes = header.ToArray();
        AtomicFile.Write(path, stream =>
        {
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)headerBytes.Length);
            stream.Write(len);
            stream.Write(headerBytes);
            foreach (var item in list)
            {
                var t = item.Tensor;
                if (t.DType == DType.F32)
                {
                    var host = t.ToFloatArray();
                    stream.Write(MemoryMarshal.AsBytes(host.AsSpan()));
                }
                else
                {
                    var host = t.ToDoubleArray();
                    stream.Write(MemoryMarshal.AsBytes(host.AsSpan()));
                }
            }
        });
    }

    /// <summary>Largest header accepted (the reference implementation's limit is 100 MB).</summary>
    private const long MaxHeaderBytes = 100_000_000;

    public static SafeTensorsFile Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new SafeTensorsException(path, "file not found", "check the path (a run folder keeps its checkpoints under checkpoints/)");
        }
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (IOException e) when (e is not FileNotFoundException)
        {
            throw new SafeTensorsException(path, $"cannot be read ({e.Message})", "check the file and its permissions");
        }
        var header = ParseHeader(path, bytes, bytes.LongLength);
        return new SafeTensorsFile(path, bytes, header.DataStart, header.Entries, header.Unsupported, header.Metadata);
    }

    /// <summary>
    /// Reads and checks only the header (length, JSON, dtypes, shapes, offsets within the file and not overlapping)
    /// without reading any tensor data: for validating a checkpoint before any work starts.
    /// </summary>
    public static SafeTensorsHeader ReadHeader(string path)
    {
        if (!File.Exists(path))
        {
            throw new SafeTensorsException(path, "file not found", "check the path (a run folder keeps its checkpoints under checkpoints/)");
        }
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var length = stream.Length;
        Span<byte> prefix = stackalloc byte[8];
        var got = stream.ReadAtLeast(prefix, 8, throwOnEndOfStream: false);
        var headerLength = got < 8 ? 0 : BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        CheckHeaderLength(path, length, headerLength);
        var head = new byte[8 + (int)headerLength];
        prefix.CopyTo(head);
        stream.ReadExactly(head, 8, (int)headerLength);
        var parsed = ParseHeader(path, head, length);
        var tensors = parsed.Entries.ToDictionary(kv => kv.Key, kv => (kv.Value.DType.SafetensorsName(), kv.Value.Shape), StringComparer.Ordinal);
        foreach (var (name, u) in parsed.Unsupported)
        {
            tensors[name] = u;
        }
        return new SafeTensorsHeader(path, tensors, parsed.Metadata);
    }

    private static void CheckHeaderLength(string path, long fileLength, ulong headerLength)
    {
        if (fileLength < 8)
        {
            throw new SafeTensorsException(path, $"only {fileLength} bytes, too short for a safetensors header", "the file is truncated; use an earlier checkpoint");
        }
        if (headerLength > (ulong)(fileLength - 8) || headerLength > MaxHeaderBytes)
        {
            throw new SafeTensorsException(path, $"header length {headerLength} exceeds the file size {fileLength}" + (headerLength > MaxHeaderBytes ? $" or the {MaxHeaderBytes}-byte limit" : ""),
                "the file is truncated or not a safetensors file");
        }
    }

    private sealed record ParsedHeader(long DataStart, Dictionary<string, Entry> Entries, Dictionary<string, (string, int[])> Unsupported, Dictionary<string, string> Metadata);

    /// <summary>Parses the header in <paramref name="bytes"/> (the file's first bytes) of a file of <paramref name="fileLength"/> bytes.</summary>
    private static ParsedHeader ParseHeader(string path, byte[] bytes, long fileLength)
    {
        var headerLength = fileLength < 8 ? 0 : BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        CheckHeaderLength(path, fileLength, headerLength);
        var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        var unsupported = new Dictionary<string, (string, int[])>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var dataStart = 8 + (long)headerLength;
        var dataLength = fileLength - dataStart;
        var ranges = new List<(long Begin, long End, string Name)>();
        try
        {
            using var doc = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength));
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new SafeTensorsException(path, "the JSON header is not an object", "the file is corrupt or not a safetensors file");
            }
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (prop.Name == "__metadata__")
                {
                    foreach (var m in prop.Value.EnumerateObject())
                    {
                        metadata[m.Name] = m.Value.GetString() ?? "";
                    }
                    continue;
                }
                var dtypeName = prop.Value.GetProperty("dtype").GetString() ?? "";
                DType? dtype = dtypeName switch
                {
                    "F32" => DType.F32,
                    "F64" => DType.F64,
                    _ => null,
                };
                if (!ElementBytes.TryGetValue(dtypeName, out var elementBytes))
                {
                    throw new SafeTensorsException(path, $"tensor '{prop.Name}' has unknown dtype '{dtypeName}'", "the file is corrupt or uses a dtype newer than this reader knows");
                }
                var shape = prop.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
                var offsets = prop.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0] || offsets[1] > dataLength || shape.Any(d => d < 0))
                {
                    throw new SafeTensorsException(path, $"tensor '{prop.Name}' has invalid offsets or shape (data section: {dataLength} bytes)", "the file is corrupt or truncated");
                }
                var bytesNeeded = ByteCount(shape, elementBytes);
                if (bytesNeeded != offsets[1] - offsets[0])
                {
                    throw new SafeTensorsException(path, $"tensor '{prop.Name}' holds {offsets[1] - offsets[0]} bytes but {dtypeName} shape {TensorOpException.Format(shape)} needs {(bytesNeeded < 0 ? "more than 2^63" : bytesNeeded.ToString(System.Globalization.CultureInfo.InvariantCulture))}", "the file is corrupt");
                }
                if (entries.ContainsKey(prop.Name) || unsupported.ContainsKey(prop.Name))
                {
                    throw new SafeTensorsException(path, $"tensor '{prop.Name}' is listed twice", "the file is corrupt");
                }
                ranges.Add((offsets[0], offsets[1], prop.Name));
                if (dtype is null)
                {
                    unsupported[prop.Name] = (dtypeName, shape);
                    continue;
                }
                entries[prop.Name] = new Entry(dtype.Value, shape, offsets[0], offsets[1]);
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException or ArgumentException)
        {
            throw new SafeTensorsException(path, $"the JSON header cannot be read ({e.Message})", "the file is corrupt or not a safetensors file");
        }
        ranges.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        for (var i = 1; i < ranges.Count; i++)
        {
            if (ranges[i].Begin < ranges[i - 1].End)
            {
                throw new SafeTensorsException(path, $"tensors '{ranges[i - 1].Name}' and '{ranges[i].Name}' overlap (bytes {ranges[i].Begin} < {ranges[i - 1].End})", "the file is corrupt");
            }
        }
        return new ParsedHeader(dataStart, entries, unsupported, metadata);
    }

    /// <summary>Bytes of a tensor of this shape, or -1 when the count overflows a long.</summary>
    private static long ByteCount(int[] shape, int elementBytes)
    {
        long n = elementBytes;
        foreach (var d in shape)
        {
            if (d != 0 && n > long.MaxValue / d)
            {
                return -1;
            }
            n *= d;
        }
        return n;
    }

    private Entry Get(string name) => _entries.TryGetValue(name, out var e)
        ? e
        : _unsupported.TryGetValue(name, out var u)
            ? throw new SafeTensorsException(Path, $"tensor '{name}' has dtype {u.DType}, which this engine does not store", "convert the tensor to F32 or F64")
            : throw new SafeTensorsException(Path, $"no tensor named '{name}'", $"the file holds {_entries.Count + _unsupported.Count} tensors; check that it was written by the same model/config");

    public double[] ReadDoubles(string name) => Read<double>(name);

    public float[] ReadFloats(string name) => Read<float>(name);

    /// <summary>Tensor <paramref name="name"/>'s elements (F32 or F64 in the file) as <typeparamref name="T"/>, converted as a cast does.</summary>
    private T[] Read<T>(string name) where T : unmanaged, INumberBase<T>
    {
        var e = Get(name);
        var raw = _bytes.AsSpan((int)(_dataStart + e.Begin), (int)(e.End - e.Begin));
        return e.DType == DType.F64 ? ConvertElements<double, T>(raw) : ConvertElements<float, T>(raw);
    }

    private static TTarget[] ConvertElements<TSource, TTarget>(ReadOnlySpan<byte> raw)
        where TSource : unmanaged, INumberBase<TSource>
        where TTarget : unmanaged, INumberBase<TTarget>
    {
        var source = MemoryMarshal.Cast<byte, TSource>(raw);
        if (typeof(TSource) == typeof(TTarget))
        {
            return MemoryMarshal.Cast<TSource, TTarget>(source).ToArray();
        }
        var result = new TTarget[source.Length];
        for (var i = 0; i < source.Length; i++)
        {
            result[i] = TTarget.CreateTruncating(source[i]);
        }
        return result;
    }

    /// <summary>Copies tensor <paramref name="name"/> into <paramref name="destination"/> (same element count and shape).</summary>
    public void CopyTo(string name, Tensor destination)
    {
        var e = Get(name);
        if (Shape.Numel(e.Shape) != destination.Numel || (!Shape.Equal(e.Shape, destination.Shape) && destination.Rank != 1))
        {
            throw new SafeTensorsException(Path, $"tensor '{name}' has shape {TensorOpException.Format(e.Shape)} but the destination is {TensorOpException.Format(destination.Shape)}",
                "load a checkpoint written by a model of the same architecture and configuration");
        }
        if (e.DType == DType.F32)
        {
            destination.Backend.CopyFromHost<float>(ReadFloats(name), destination);
        }
        else
        {
            destination.Backend.CopyFromHost<double>(ReadDoubles(name), destination);
        }
    }

    /// <summary>A new CPU tensor with the stored values.</summary>
    public Tensor ReadTensor(string name)
    {
        var e = Get(name);
        return e.DType == DType.F32 ? Tensor.FromArray(ReadFloats(name), e.Shape) : Tensor.FromArray(ReadDoubles(name), e.Shape);
    }

    /// <summary>The raw header JSON (for diagnostics).</summary>
    public string HeaderJson() => Encoding.UTF8.GetString(_bytes, 8, (int)(_dataStart - 8)).TrimEnd();
}
