using System.Buffers.Binary;
using System.IO.Compression;

namespace NativeTrustRegion.Data;

/// <summary>
/// Minimal PNG writer: 8-bit grayscale (colour type 0) or RGB (colour type 2), no interlacing,
/// filter type 0 on every row, one IDAT chunk compressed with zlib.
/// </summary>
public static class PngEncoder
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <param name="pixels">height·width·channels bytes, interleaved per pixel (gray, or R,G,B), rows top to bottom.</param>
    /// <param name="channels">1 (gray) or 3 (RGB).</param>
    public static void Encode(Stream output, ReadOnlySpan<byte> pixels, int width, int height, int channels)
    {
        if (channels != 1 && channels != 3) throw new ArgumentOutOfRangeException(nameof(channels), channels, "PNG writer supports 1 (gray) or 3 (RGB) channels");
        if (width <= 0 || height <= 0) throw new ArgumentException($"image size {width}×{height} must be positive");
        int rowBytes = width * channels;
        if (pixels.Length != (long)rowBytes * height) throw new ArgumentException($"{pixels.Length} bytes do not hold a {width}×{height}×{channels} image");

        output.Write(Signature);

        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        header[8] = 8; // bit depth
        header[9] = channels == 1 ? (byte)0 : (byte)2;
        header[10] = 0; // deflate
        header[11] = 0; // adaptive filtering with filter type per row
        header[12] = 0; // no interlace
        WriteChunk(output, "IHDR", header);

        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            var row = new byte[rowBytes + 1];
            for (int y = 0; y < height; y++)
            {
                row[0] = 0; // filter: none
                pixels.Slice(y * rowBytes, rowBytes).CopyTo(row.AsSpan(1));
                zlib.Write(row);
            }
        }
        WriteChunk(output, "IDAT", compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
        WriteChunk(output, "IEND", ReadOnlySpan<byte>.Empty);
    }

    private static void WriteChunk(Stream output, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        output.Write(word);
        Span<byte> typeBytes = stackalloc byte[4];
        for (int i = 0; i < 4; i++) typeBytes[i] = (byte)type[i];
        output.Write(typeBytes);
        output.Write(data);
        uint crc = Crc32.Append(Crc32.Compute(typeBytes), data);
        BinaryPrimitives.WriteUInt32BigEndian(word, crc);
        output.Write(word);
    }
}
