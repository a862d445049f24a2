using NativeTrustRegion.Engine.Checkpoints;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace NativeTrustRegion.Data;

/// <summary>
/// Compact binary cache of a byte-pixel <see cref="ImageDataset"/>, written once after converting a
/// source (npm JSON, ImageNet npz) so later runs load in seconds.
/// Layout (little-endian): magic "NTRIMGC1" · int32 header length · header (version, name, source
/// fingerprint, C, H, W, class count, image count, class names) · uint8 pixels (N·C·H·W) ·
/// int32 labels (N) · SHA-256 (32 bytes) over every preceding byte.
/// Written atomically (temporary file + rename), so a cache file is either complete or absent;
/// a damaged one is detected by its length or checksum.
/// </summary>
public static class ImageCacheFile
{
    private const int FormatVersion = 1;
    private static readonly byte[] Magic = "NTRIMGC1"u8.ToArray();

    public static void Write(string path, ImageDataset dataset, string sourceFingerprint)
    {
        if (dataset.Format != PixelFormat.Byte) throw new ArgumentException("only byte-pixel data sets are cached", nameof(dataset));
        AtomicFile.Write(path, stream =>
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            void Put(ReadOnlySpan<byte> bytes)
            {
                stream.Write(bytes);
                hash.AppendData(bytes);
            }

            byte[] header = EncodeHeader(dataset, sourceFingerprint);
            Put(Magic);
            Span<byte> word = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(word, header.Length);
            Put(word);
            Put(header);
            for (int i = 0; i < dataset.Count; i++) Put(dataset.ImageBytes(i));
            var labelBytes = new byte[4 * Math.Min(dataset.Count, 1 << 16)];
            for (int start = 0; start < dataset.Count; start += 1 << 16)
            {
                int n = Math.Min(1 << 16, dataset.Count - start);
                for (int i = 0; i < n; i++) BinaryPrimitives.WriteInt32LittleEndian(labelBytes.AsSpan(4 * i), dataset.Label(start + i));
                Put(labelBytes.AsSpan(0, 4 * n));
            }
            stream.Write(hash.GetHashAndReset());
        });
    }

    /// <summary>
    /// Loads a cache file. Returns false (with the reason) when it is missing, damaged, of another
    /// format version, or was built from a different source (fingerprint mismatch) — the caller then rebuilds it.
    /// </summary>
    public static bool TryRead(string path, string expectedFingerprint, out ImageDataset? dataset, out string problem)
    {
        dataset = null;
        if (!File.Exists(path))
        {
            problem = "no cache file yet";
            return false;
        }
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long fileLength = stream.Length;

            Span<byte> prefix = stackalloc byte[12];
            if (!ReadAll(stream, prefix)) { problem = "file is shorter than its header (damaged)"; return false; }
            if (!prefix[..8].SequenceEqual(Magic)) { problem = "not an ntr image cache file (wrong magic bytes)"; return false; }
            hash.AppendData(prefix);
            int headerLength = BinaryPrimitives.ReadInt32LittleEndian(prefix[8..]);
            if (headerLength <= 0 || headerLength > 1 << 24 || 12 + headerLength > fileLength) { problem = "header length is damaged"; return false; }
            var header = new byte[headerLength];
            if (!ReadAll(stream, header)) { problem = "file ends inside the header"; return false; }
            hash.AppendData(header);
            CacheHeader h;
            try { h = DecodeHeader(header); }
            catch (Exception e) when (e is EndOfStreamException or ArgumentException or DecoderFallbackException or FormatException or OverflowException)
            {
                problem = $"header is damaged ({e.Message})";
                return false;
            }
            if (h.Version != FormatVersion) { problem = $"cache format version {h.Version}, this build writes {FormatVersion}"; return false; }
            if (h.Fingerprint != expectedFingerprint) { problem = $"built from another source ({h.Fingerprint}); expected {expectedFingerprint}"; return false; }
            int imageSize = h.Channels * h.Height * h.Width;
            long expectedLength = 12L + headerLength + (long)h.Count * imageSize + 4L * h.Count + 32;
            if (imageSize <= 0 || h.Count < 0 || expectedLength != fileLength)
            {
                problem = $"file has {fileLength} bytes, its header promises {expectedLength} (truncated or damaged)";
                return false;
            }

            var pixels = new PixelStoreBuilder<byte>(imageSize, h.Count);
            for (int i = 0; i < h.Count; i++)
            {
                Span<byte> slot = pixels.AppendSlot();
                if (!ReadAll(stream, slot)) { problem = "file ends inside the pixels"; return false; }
                hash.AppendData(slot);
            }
            var labelBytes = new byte[4L * h.Count];
            if (!ReadAll(stream, labelBytes)) { problem = "file ends inside the labels"; return false; }
            hash.AppendData(labelBytes);
            var labels = new int[h.Count];
            for (int i = 0; i < h.Count; i++) labels[i] = BinaryPrimitives.ReadInt32LittleEndian(labelBytes.AsSpan(4 * i));
            var stored = new byte[32];
            if (!ReadAll(stream, stored)) { problem = "file ends inside the checksum"; return false; }
            if (!hash.GetHashAndReset().AsSpan().SequenceEqual(stored)) { problem = "SHA-256 checksum does not match the content (damaged)"; return false; }
            if (labels.Any(l => (uint)l >= (uint)h.ClassCount)) { problem = "a label lies outside the class range"; return false; }

            dataset = ImageDataset.FromStore(h.Name, pixels.Build(), null, labels, h.Channels, h.Height, h.Width, h.ClassCount, h.ClassNames);
            problem = "";
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = $"cannot read ({e.Message})";
            return false;
        }
    }

    private sealed record CacheHeader(int Version, string Name, string Fingerprint, int Channels, int Height, int Width, int ClassCount, int Count, string[] ClassNames);

    private static byte[] EncodeHeader(ImageDataset dataset, string fingerprint)
    {
        using var memory = new MemoryStream();
        using (var writer = new BinaryWriter(memory, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(FormatVersion);
            writer.Write(dataset.Name);
            writer.Write(fingerprint);
            writer.Write(dataset.Channels);
            writer.Write(dataset.Height);
            writer.Write(dataset.Width);
            writer.Write(dataset.ClassCount);
            writer.Write(dataset.Count);
            foreach (string name in dataset.ClassNames) writer.Write(name);
        }
        return memory.ToArray();
    }

    private static CacheHeader DecodeHeader(byte[] header)
    {
        using var reader = new BinaryReader(new MemoryStream(header), new UTF8Encoding(false, throwOnInvalidBytes: true));
        int version = reader.ReadInt32();
        if (version != FormatVersion) return new CacheHeader(version, "", "", 0, 0, 0, 0, 0, []);
        string name = reader.ReadString();
        string fingerprint = reader.ReadString();
        int channels = reader.ReadInt32(), height = reader.ReadInt32(), width = reader.ReadInt32();
        int classCount = reader.ReadInt32(), count = reader.ReadInt32();
        if (classCount <= 0 || classCount > 1 << 20) throw new ArgumentException($"class count {classCount}");
        if (channels <= 0 || height <= 0 || width <= 0 || (long)channels * height * width > 1 << 24) throw new ArgumentException("image shape");
        var names = new string[classCount];
        for (int c = 0; c < classCount; c++) names[c] = reader.ReadString();
        return new CacheHeader(version, name, fingerprint, channels, height, width, classCount, count, names);
    }

    private static bool ReadAll(Stream stream, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int read = stream.Read(buffer[total..]);
            if (read == 0) return false;
            total += read;
        }
        return true;
    }
}
