using System.Buffers.Binary;
using System.IO.Compression;

namespace NativeTrustRegion.Data.Tests;

public class PngTests
{
    [Fact]
    public void Crc32MatchesTheStandardCheckValue()
    {
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
        Assert.Equal(Crc32.Compute("123456789"u8), Crc32.Append(Crc32.Compute("1234"u8), "56789"u8));
    }

    /// <summary>Parses our PNG: checks signature and every chunk CRC, returns IHDR fields and the inflated IDAT rows.</summary>
    private static (int Width, int Height, int ColorType, byte[] Raw) Decode(byte[] png)
    {
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        int position = 8, width = 0, height = 0, colorType = -1;
        var idat = new MemoryStream();
        var types = new List<string>();
        while (position < png.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(position));
            string type = System.Text.Encoding.ASCII.GetString(png, position + 4, 4);
            ReadOnlySpan<byte> typeAndData = png.AsSpan(position + 4, 4 + length);
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(position + 8 + length));
            Assert.Equal(Crc32.Compute(typeAndData), crc);
            ReadOnlySpan<byte> data = typeAndData[4..];
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                Assert.Equal(8, data[8]);
                colorType = data[9];
            }
            if (type == "IDAT") idat.Write(data);
            types.Add(type);
            position += 12 + length;
        }
        Assert.Equal(["IHDR", "IDAT", "IEND"], types);
        idat.Position = 0;
        using var zlib = new ZLibStream(idat, CompressionMode.Decompress);
        var raw = new MemoryStream();
        zlib.CopyTo(raw);
        return (width, height, colorType, raw.ToArray());
    }

    [Fact]
    public void GrayGridHasPaddingLayoutAndClampedValues()
    {
        // Three 2×3 gray images in [-1, 1], two columns, padding 1 → grid 1 + 2·(3+1) = 9 wide, 1 + 2·(2+1) = 7 high.
        float[] images =
        [
            -1, 0, 1, 1, 0, -1,        // image 0
            2, -2, 0.5f, -0.5f, 0, 0,  // image 1 (out-of-range values clamp)
            1, 1, 1, 1, 1, 1,          // image 2
        ];
        byte[] png = PngGrid.Encode(images, 3, 1, 2, 3, columns: 2, PixelValueRange.MinusOneToOne, padding: 1, out int w, out int h);
        Assert.Equal((9, 7), (w, h));
        var (width, height, colorType, raw) = Decode(png);
        Assert.Equal((9, 7, 0), (width, height, colorType));
        Assert.Equal(7 * (9 + 1), raw.Length);
        byte Pixel(int x, int y)
        {
            Assert.Equal(0, raw[y * 10]); // filter byte "none"
            return raw[y * 10 + 1 + x];
        }
        Assert.Equal(0, Pixel(0, 0)); // padding
        Assert.Equal(new byte[] { 0, 128, 255 }, new[] { Pixel(1, 1), Pixel(2, 1), Pixel(3, 1) });
        Assert.Equal(new byte[] { 255, 128, 0 }, new[] { Pixel(1, 2), Pixel(2, 2), Pixel(3, 2) });
        Assert.Equal(0, Pixel(4, 1)); // padding between columns
        Assert.Equal(new byte[] { 255, 0, 191 }, new[] { Pixel(5, 1), Pixel(6, 1), Pixel(7, 1) });
        Assert.Equal(new byte[] { 64, 128, 128 }, new[] { Pixel(5, 2), Pixel(6, 2), Pixel(7, 2) });
        Assert.Equal(255, Pixel(1, 4)); // image 2 starts at row 1 + (2 + 1) = 4
        Assert.Equal(0, Pixel(5, 4)); // empty grid cell stays black
    }

    [Fact]
    public void RgbImagesAreInterleavedFromChannelPlanes()
    {
        // One 1×2 RGB image, values in [0, 1]: pixel 0 = (1, 0, 0.2), pixel 1 = (0, 1, 0.6).
        float[] image = [1, 0, 0, 1, 0.2f, 0.6f];
        byte[] png = PngGrid.Encode(image, 1, 3, 1, 2, columns: 1, PixelValueRange.ZeroToOne, padding: 0, out _, out _);
        var (width, height, colorType, raw) = Decode(png);
        Assert.Equal((2, 1, 2), (width, height, colorType));
        Assert.Equal(new byte[] { 0, 255, 0, 51, 0, 255, 153 }, raw);
    }

    [Fact]
    public void WriteCreatesTheFileAtomically()
    {
        using var dir = new TemporaryDirectory();
        string path = dir.Combine("sub", "grid.png");
        DatasetSplits glyphs = EmbeddedGlyphDataset.Generate(new EmbeddedGlyphOptions { TrainPerClass = 2, HeldOutPerClass = 0 });
        PngGrid.Write(path, glyphs.Train, columns: 5);
        var (width, height, _, _) = Decode(File.ReadAllBytes(path));
        Assert.Equal((1 + 5 * 17, 1 + 4 * 17), (width, height));
        Assert.Single(Directory.GetFiles(dir.Combine("sub")));
    }
}
