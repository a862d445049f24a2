using System.Text;

namespace NativeTrustRegion.Data.Tests;

public class NumpyTests
{
    private static byte[] Preamble(int major, string dict)
    {
        var bytes = new List<byte> { 0x93 };
        bytes.AddRange("NUMPY"u8.ToArray());
        bytes.Add((byte)major);
        bytes.Add(0);
        byte[] text = Encoding.UTF8.GetBytes(dict + "\n");
        if (major == 1) { bytes.Add((byte)text.Length); bytes.Add((byte)(text.Length >> 8)); }
        else bytes.AddRange(BitConverter.GetBytes(text.Length));
        bytes.AddRange(text);
        return bytes.ToArray();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void ReadsHeadersOfEveryFormatVersion(int major)
    {
        byte[] file = [.. Preamble(major, "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2), }"), .. BitConverter.GetBytes(1), .. BitConverter.GetBytes(-2),
            .. BitConverter.GetBytes(3), .. BitConverter.GetBytes(40)];
        NpyArray array = NpyFile.Read(new MemoryStream(file), "test.npy");
        Assert.Equal(NpyDataType.Int32, array.DataType);
        Assert.Equal([2L, 2L], array.Shape);
        Assert.Equal([1L, -2, 3, 40], array.ToInt64());
    }

    [Fact]
    public void AcceptsPython2LongSuffixesAndDoubleQuotes()
    {
        NpyHeader header = NpyHeader.Parse("{\"descr\": \"|u1\", \"fortran_order\": False, \"shape\": (128116L, 3072L)}", "x");
        Assert.Equal([128116L, 3072L], header.Shape);
        Assert.Equal(NpyDataType.UInt8, header.DataType);
        Assert.Equal([7L], NpyHeader.Parse("{'descr': '<f8', 'fortran_order': True, 'shape': (7,), }", "x").Shape);
        Assert.Empty(NpyHeader.Parse("{'descr': '<f8', 'fortran_order': False, 'shape': (), }", "x").Shape);
    }

    [Fact]
    public void RoundTripsEverySupportedWriterType()
    {
        var arrays = new[]
        {
            NpyArray.FromBytes([1, 2, 255, 0, 7, 9], 2, 3),
            NpyArray.FromInt32([-5, 6, int.MaxValue], 3),
            NpyArray.FromInt64([long.MinValue, 0, 12], 3, 1),
            NpyArray.FromFloat32([1.5f, -0.25f], 2),
            NpyArray.FromFloat64([Math.PI, -1e300], 1, 2),
        };
        foreach (NpyArray original in arrays)
        {
            var stream = new MemoryStream();
            NpyFile.Write(stream, original);
            Assert.Equal(0, (stream.Length - original.Data.Length) % 64); // header padded to 64 bytes, like numpy
            stream.Position = 0;
            NpyArray read = NpyFile.Read(stream, "roundtrip.npy");
            Assert.Equal(original.DataType, read.DataType);
            Assert.Equal(original.Shape, read.Shape);
            Assert.Equal(original.Data, read.Data);
        }
        Assert.Equal([Math.PI, -1e300], arrays[4].ToFloat64());
        Assert.Equal([1.5, -0.25], arrays[3].ToFloat64());
    }

    [Theory]
    [InlineData("{'descr': '>f8', 'fortran_order': False, 'shape': (1,), }", "not supported")]
    [InlineData("{'descr': '<U10', 'fortran_order': False, 'shape': (1,), }", "not supported")]
    [InlineData("{'descr': '<f8', 'shape': (1,), }", "fortran_order")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (1, x), }", "not a valid dict literal")]
    public void RejectsBadHeadersWithAClearMessage(string dict, string expected)
    {
        var e = Assert.Throws<DatasetFormatException>(() => NpyFile.Read(new MemoryStream(Preamble(1, dict)), "bad.npy"));
        Assert.Contains("bad.npy", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void TruncatedDataAndMissingMagicAreReported()
    {
        byte[] file = [.. Preamble(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }"), 0, 0, 0, 0, 0, 0];
        var truncated = Assert.Throws<DatasetFormatException>(() => NpyFile.Read(new MemoryStream(file), "cut.npy"));
        Assert.Contains("cut.npy", truncated.Message);
        Assert.Contains("ends early", truncated.Message);
        var notNpy = Assert.Throws<DatasetFormatException>(() => NpyFile.Read(new MemoryStream("hello world, not numpy"u8.ToArray()), "text.npy"));
        Assert.Contains("magic", notNpy.Message);
    }

    [Fact]
    public void NpzRoundTripListsArraysAndNamesMissingOnes()
    {
        using var dir = new TemporaryDirectory();
        string path = dir.Combine("pair.npz");
        NpzWriter.Write(path, new Dictionary<string, NpyArray>
        {
            ["data"] = NpyArray.FromBytes([1, 2, 3, 4], 2, 2),
            ["labels"] = NpyArray.FromInt64([5, 6], 2),
        });
        using NpzArchive npz = NpzArchive.Open(path);
        Assert.Equal(["data", "labels"], npz.ArrayNames.OrderBy(n => n));
        Assert.Equal([5L, 6], npz.Read("labels").ToInt64());
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, npz.Read("data").Data);
        var missing = Assert.Throws<DatasetFormatException>(() => npz.Read("mean"));
        Assert.Contains("pair.npz", missing.Message);
        Assert.Contains("no array 'mean'", missing.Message);
        Assert.Contains("data, labels", missing.Message);
    }

    [Fact]
    public void CompressedNpzIsReadToo()
    {
        var stream = new MemoryStream();
        NpzWriter.Write(stream, new Dictionary<string, NpyArray> { ["x"] = NpyArray.FromFloat32(new float[1000], 10, 100) }, compress: true);
        Assert.True(stream.Length < 1000); // zeros deflate well
        stream.Position = 0;
        using NpzArchive npz = NpzArchive.Open(stream, "mem.npz");
        Assert.Equal([10L, 100L], npz.Read("x").Shape);
    }

    [Fact]
    public void NonZipFileIsRejectedNamingTheFile()
    {
        using var dir = new TemporaryDirectory();
        string path = dir.Combine("notes.npz");
        File.WriteAllText(path, "this is a text file, not an archive");
        var e = Assert.Throws<DatasetFormatException>(() => NpzArchive.Open(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("not a readable .npz", e.Message);
    }
}
