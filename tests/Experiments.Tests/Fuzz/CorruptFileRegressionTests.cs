using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using NativeTrustRegion.Control.Demonstrations;
using NativeTrustRegion.Data;
using NativeTrustRegion.Engine.Checkpoints;

namespace NativeTrustRegion.Experiments.Tests.Fuzz;

/// <summary>
/// Hand-made corrupt files (and the crashes the mutation fuzzing found): each is rejected with the file and the
/// reason, never read past its end, and never makes the reader allocate what a header merely claims.
/// </summary>
public sealed class CorruptFileRegressionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ntr-corrupt-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static T ThrowsWithin<T>(long maxBytes, Action read)
        where T : Exception
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<T>(read);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < maxBytes, $"allocated {GC.GetAllocatedBytesForCurrentThread() - before} bytes");
        return e;
    }

    private static byte[] SafeTensors(string header, int dataBytes, ulong? claimedHeaderLength = null)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, claimedHeaderLength ?? (ulong)json.Length);
        json.CopyTo(bytes, 8);
        return bytes;
    }

    [Theory]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 8, 1UL << 60, "header length 1152921504606846976 exceeds")]
    [InlineData("""{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", 8, null, "invalid offsets")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12, null, "overlap")]
    [InlineData("""{"a":{"dtype":"Q7","shape":[2],"data_offsets":[0,8]}}""", 8, null, "unknown dtype 'Q7'")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]""", 8, null, "JSON header cannot be read")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2147483647,2147483647,2147483647],"data_offsets":[0,8]}}""", 8, null, "needs more than 2^63")]
    [InlineData("""{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}""", 8, null, "invalid offsets or shape")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}""", 8, null, "invalid offsets")]
    [InlineData("""[1,2,3]""", 0, null, "not an object")]
    [InlineData("""{"a":{"dtype":7,"shape":[2],"data_offsets":[0,8]}}""", 8, null, "JSON header cannot be read")]
    public void CorruptSafeTensorsAreRejectedWithTheReason(string header, int dataBytes, ulong? claimed, string reason)
    {
        string path = Path.Combine(_dir, "bad.safetensors");
        File.WriteAllBytes(path, SafeTensors(header, dataBytes, claimed));
        var full = ThrowsWithin<SafeTensorsException>(1 << 20, () => SafeTensorsFile.Read(path));
        var head = ThrowsWithin<SafeTensorsException>(1 << 20, () => SafeTensorsFile.ReadHeader(path));
        foreach (var e in new[] { full, head })
        {
            Assert.Contains(path, e.Message);
            Assert.Contains(reason, e.Message);
            Assert.Contains("Fix:", e.Message);
        }
    }

    [Fact]
    public void TruncatedSafeTensorsNameTheMissingBytes()
    {
        string path = Path.Combine(_dir, "cut.safetensors");
        byte[] valid = ParserMutationTests.ValidSafeTensors(path);
        File.WriteAllBytes(path, valid[..^5]);
        var e = Assert.Throws<SafeTensorsException>(() => SafeTensorsFile.Read(path));
        Assert.Contains("invalid offsets", e.Message);
        File.WriteAllBytes(path, valid[..7]);
        Assert.Contains("only 7 bytes", Assert.Throws<SafeTensorsException>(() => SafeTensorsFile.ReadHeader(path)).Message);
    }

    private static byte[] NpyWithHeader(string dict, int dataBytes)
    {
        var stream = new MemoryStream();
        stream.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        var text = Encoding.Latin1.GetBytes(dict + "\n");
        stream.Write([(byte)(text.Length & 0xFF), (byte)(text.Length >> 8)]);
        stream.Write(text);
        stream.Write(new byte[dataBytes]);
        return stream.ToArray();
    }

    [Theory]
    [InlineData("{'descr': '|u1', 'fortran_order': False, 'shape': (1073741824,), }", "file ends early")]
    [InlineData("{'descr': '|u1', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296), }", "more than 2^63 bytes")]
    [InlineData("{'descr': '|u1', 'fortran_order': False, 'shape': (99999999999999999999,), }", "too large")]
    [InlineData("{'descr': '<c16', 'fortran_order': False, 'shape': (2,), }", "not supported")]
    [InlineData("{'descr': '|u1', 'fortran_order': False, 'shape': (2,", "not a valid dict literal")]
    public void CorruptNpyHeadersAreRejectedWithoutBelievingTheShape(string dict, string reason)
    {
        byte[] bytes = NpyWithHeader(dict, 10);
        foreach (Func<Stream> open in new Func<Stream>[] { () => new MemoryStream(bytes), () => new NonSeekableStream(bytes) })
        {
            var e = ThrowsWithin<DatasetFormatException>(4 << 20, () => NpyFile.Read(open(), "huge.npy"));
            Assert.Contains("huge.npy", e.Message);
            Assert.Contains(reason, e.Message);
        }
    }

    [Fact]
    public void NpzEntryClaimingAGigabyteIsRejectedWithoutAllocatingIt()
    {
        var stream = new MemoryStream();
        using (var zip = new System.IO.Compression.ZipArchive(stream, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        {
            using var entry = zip.CreateEntry("data.npy").Open();
            entry.Write(NpyWithHeader("{'descr': '|u1', 'fortran_order': False, 'shape': (1073741824,), }", 100));
        }
        using var archive = NpzArchive.Open(new MemoryStream(stream.ToArray()), "claims.npz");
        var e = ThrowsWithin<DatasetFormatException>(8 << 20, () => archive.Read("data"));
        Assert.Contains("claims.npz (array 'data')", e.Message);
        Assert.Contains("file ends early", e.Message);
    }

    [Fact]
    public void ImageCacheWithADamagedStringLengthIsAProblemNotACrash()
    {
        // found by the mutation fuzzing: BinaryReader.ReadString threw FormatException on a damaged 7-bit length
        string path = Path.Combine(_dir, "cache.bin");
        var dataset = ImageDataset.FromBytes("x", new byte[8], [0, 1], 1, 2, 2, 2);
        ImageCacheFile.Write(path, dataset, "fp");
        byte[] bytes = File.ReadAllBytes(path);
        bytes.AsSpan(16, 5).Fill(0xFF); // the name's length prefix: five continuation bytes
        File.WriteAllBytes(path, bytes);
        Assert.False(ImageCacheFile.TryRead(path, "fp", out _, out string problem));
        Assert.Contains("header is damaged", problem);
    }

    [Fact]
    public void DemonstrationFileClaimingHugeStepCountsIsRejected()
    {
        string path = Path.Combine(_dir, "push.ntrdemo");
        DemonstrationFile.Write(path, new DemonstrationSet(NativeTrustRegion.Control.ControlTask.Push,
            [new DemonstrationEpisode(1, true, new float[NativeTrustRegion.Control.ObservationLayout.Size], new float[NativeTrustRegion.Control.ObservationLayout.ActionSize])]));
        byte[] bytes = File.ReadAllBytes(path);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8 + 16), 1UL << 62); // total steps
        SHA256.HashData(bytes.AsSpan(0, bytes.Length - 32)).CopyTo(bytes.AsSpan(bytes.Length - 32));
        File.WriteAllBytes(path, bytes);
        var e = ThrowsWithin<CorruptDemonstrationFileException>(1 << 20, () => DemonstrationFile.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("more than its", e.Message);
    }
}
