using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace NativeTrustRegion.Control.Demonstrations;

/// <summary>
/// Binary demonstration file, one per task (<c>&lt;task-name&gt;.ntrdemo</c>). All numbers little-endian:
/// <code>
///  magic        8 bytes  "NTRDEMO\0"
///  version      uint32   1
///  obs size     uint32   39
///  action size  uint32   4
///  episodes     uint32   E
///  total steps  uint64   T (sum of episode lengths)
///  name length  uint16   N, then N bytes of UTF-8 task name ("push-wall")
///  episode table E × { seed int32, length int32, success uint8 }
///  observations T × 39 float32 (episodes concatenated, step-major)
///  actions      T × 4 float32
///  checksum     32 bytes SHA-256 of every byte above
/// </code>
/// Files are written to a temporary file in the same folder and renamed into place, so a crash never leaves a
/// half-written file under the final name.
/// </summary>
public static class DemonstrationFile
{
    public const string Extension = ".ntrdemo";
    public const uint FormatVersion = 1;
    private const int ChecksumSize = 32;
    private static ReadOnlySpan<byte> Magic => "NTRDEMO\0"u8;

    /// <summary>File name for a task's demonstrations, e.g. "push-wall.ntrdemo".</summary>
    public static string FileName(ControlTask task) => task.ToName() + Extension;

    /// <summary>Writes <paramref name="set"/> to <paramref name="path"/> atomically (temporary file, then rename).</summary>
    public static void Write(string path, DemonstrationSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        string fullPath = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(fullPath)!;
        Directory.CreateDirectory(directory);
        string temporary = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                WriteTo(stream, set);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Reads and validates a demonstration file.</summary>
    /// <exception cref="CorruptDemonstrationFileException">Bad magic, unsupported version, inconsistent sizes or checksum mismatch.</exception>
    public static DemonstrationSet Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        return Parse(bytes, path);
    }

    private static void WriteTo(Stream stream, DemonstrationSet set)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] name = Encoding.UTF8.GetBytes(set.Task.ToName());
        var header = new List<byte>();
        header.AddRange(Magic.ToArray());
        AppendUInt32(header, FormatVersion);
        AppendUInt32(header, ObservationLayout.Size);
        AppendUInt32(header, ObservationLayout.ActionSize);
        AppendUInt32(header, (uint)set.Episodes.Count);
        AppendUInt64(header, (ulong)set.TotalSteps);
        AppendUInt16(header, checked((ushort)name.Length));
        header.AddRange(name);
        foreach (DemonstrationEpisode episode in set.Episodes)
        {
            AppendUInt32(header, (uint)episode.Seed);
            AppendUInt32(header, (uint)episode.Length);
            header.Add(episode.Success ? (byte)1 : (byte)0);
        }
        byte[] headerBytes = header.ToArray();
        Emit(stream, hash, headerBytes);
        foreach (DemonstrationEpisode episode in set.Episodes)
        {
            EmitFloats(stream, hash, episode.Observations);
        }
        foreach (DemonstrationEpisode episode in set.Episodes)
        {
            EmitFloats(stream, hash, episode.Actions);
        }
        stream.Write(hash.GetHashAndReset());
    }

    private static DemonstrationSet Parse(byte[] bytes, string path)
    {
        const int fixedHeader = 8 + 4 * 4 + 8 + 2;
        if (bytes.Length < fixedHeader + ChecksumSize)
        {
            throw new CorruptDemonstrationFileException(path, $"it has {bytes.Length} bytes, fewer than a header and checksum");
        }
        ReadOnlySpan<byte> data = bytes.AsSpan(0, bytes.Length - ChecksumSize);
        if (!data[..8].SequenceEqual(Magic))
        {
            throw new CorruptDemonstrationFileException(path, "it does not start with the NTRDEMO magic (not a demonstration file)");
        }
        byte[] expected = SHA256.HashData(data);
        if (!expected.AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - ChecksumSize)))
        {
            throw new CorruptDemonstrationFileException(path, "its SHA-256 checksum does not match its contents (truncated or modified)");
        }

        int offset = 8;
        uint version = ReadUInt32(data, ref offset);
        if (version != FormatVersion)
        {
            throw new CorruptDemonstrationFileException(path, $"it has format version {version}; this build reads version {FormatVersion}");
        }
        uint observationSize = ReadUInt32(data, ref offset);
        uint actionSize = ReadUInt32(data, ref offset);
        if (observationSize != ObservationLayout.Size || actionSize != ObservationLayout.ActionSize)
        {
            throw new CorruptDemonstrationFileException(path,
                $"it stores {observationSize}-number observations and {actionSize}-number actions; expected {ObservationLayout.Size} and {ObservationLayout.ActionSize}");
        }
        uint episodeCount = ReadUInt32(data, ref offset);
        ulong totalSteps = ReadUInt64(data, ref offset);
        int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(data[offset..]);
        offset += 2;
        if (totalSteps > (ulong)data.Length || episodeCount > (uint)data.Length)
        {
            throw new CorruptDemonstrationFileException(path, $"its header claims {episodeCount} episodes of {totalSteps} steps in all, more than its {data.Length} bytes can hold");
        }
        long tableEnd = (long)offset + nameLength + 9L * episodeCount;
        long expectedLength = tableEnd + 4L * (long)totalSteps * (observationSize + actionSize);
        if (expectedLength != data.Length)
        {
            throw new CorruptDemonstrationFileException(path, $"its header describes {expectedLength} bytes of content but it holds {data.Length}");
        }
        string name = Encoding.UTF8.GetString(data.Slice(offset, nameLength));
        offset += nameLength;
        if (!ControlTaskNames.TryParse(name, out ControlTask task))
        {
            throw new CorruptDemonstrationFileException(path, $"it names an unknown task '{name}'");
        }

        var seeds = new int[episodeCount];
        var lengths = new int[episodeCount];
        var successes = new bool[episodeCount];
        long steps = 0;
        for (int i = 0; i < episodeCount; i++)
        {
            seeds[i] = (int)ReadUInt32(data, ref offset);
            lengths[i] = (int)ReadUInt32(data, ref offset);
            successes[i] = data[offset++] != 0;
            if (lengths[i] < 0)
            {
                throw new CorruptDemonstrationFileException(path, $"episode {i} has a negative length");
            }
            steps += lengths[i];
        }
        if ((ulong)steps != totalSteps)
        {
            throw new CorruptDemonstrationFileException(path, $"its episode lengths add up to {steps} steps, not the {totalSteps} in the header");
        }

        var observations = new float[episodeCount][];
        for (int i = 0; i < episodeCount; i++)
        {
            observations[i] = ReadFloats(data, ref offset, lengths[i] * ObservationLayout.Size);
        }
        var episodes = new DemonstrationEpisode[episodeCount];
        for (int i = 0; i < episodeCount; i++)
        {
            float[] actions = ReadFloats(data, ref offset, lengths[i] * ObservationLayout.ActionSize);
            episodes[i] = new DemonstrationEpisode(seeds[i], successes[i], observations[i], actions);
        }
        return new DemonstrationSet(task, episodes);
    }

    private static void Emit(Stream stream, IncrementalHash hash, ReadOnlySpan<byte> bytes)
    {
        hash.AppendData(bytes);
        stream.Write(bytes);
    }

    private static void EmitFloats(Stream stream, IncrementalHash hash, float[] values)
    {
        const int chunk = 4096;
        Span<byte> buffer = stackalloc byte[chunk * 4];
        for (int start = 0; start < values.Length; start += chunk)
        {
            int count = Math.Min(chunk, values.Length - start);
            for (int i = 0; i < count; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(buffer[(4 * i)..], values[start + i]);
            }
            Emit(stream, hash, buffer[..(4 * count)]);
        }
    }

    private static float[] ReadFloats(ReadOnlySpan<byte> data, ref int offset, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(data[(offset + 4 * i)..]);
        }
        offset += 4 * count;
        return values;
    }

    private static uint ReadUInt32(ReadOnlySpan<byte> data, ref int offset)
    {
        uint value = BinaryPrimitives.ReadUInt32LittleEndian(data[offset..]);
        offset += 4;
        return value;
    }

    private static ulong ReadUInt64(ReadOnlySpan<byte> data, ref int offset)
    {
        ulong value = BinaryPrimitives.ReadUInt64LittleEndian(data[offset..]);
        offset += 8;
        return value;
    }

    private static void AppendUInt16(List<byte> bytes, ushort value)
    {
        Span<byte> buffer = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(buffer, value);
        bytes.AddRange(buffer.ToArray());
    }

    private static void AppendUInt32(List<byte> bytes, uint value)
    {
        Span<byte> buffer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, value);
        bytes.AddRange(buffer.ToArray());
    }

    private static void AppendUInt64(List<byte> bytes, ulong value)
    {
        Span<byte> buffer = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(buffer, value);
        bytes.AddRange(buffer.ToArray());
    }
}
