namespace NativeTrustRegion.Data;

/// <summary>
/// The embedded default data set: ten glyph classes (<see cref="GlyphShape"/>) rendered from a seed
/// with within-class variation of position, size, rotation, stroke width, brightness and mild noise.
/// Grayscale, 16×16 by default, stored as bytes (read as [-1, 1] floats). Bit-identical for the same
/// options; every image has its own random stream (seed, class, index), so the images of the training
/// split do not change when the held-out count changes, and generation order/threading does not matter.
/// </summary>
public static class EmbeddedGlyphDataset
{
    public const string DatasetName = "embedded";

    public static IReadOnlyList<string> ClassNames { get; } =
        ["disc", "ring", "square", "triangle", "plus", "x-cross", "h-bars", "v-bars", "diagonal", "dots"];

    public static int ClassCount => ClassNames.Count;

    public static DatasetSplits Generate(EmbeddedGlyphOptions? options = null)
    {
        options ??= new EmbeddedGlyphOptions();
        if (options.TrainPerClass < 0 || options.HeldOutPerClass < 0)
            throw new ArgumentException("image counts per class must be ≥ 0");
        if (options.Size < 8) throw new ArgumentOutOfRangeException(nameof(options), options.Size, "image size must be ≥ 8 pixels");
        ImageDataset train = Render(options, firstIndex: 0, perClass: options.TrainPerClass, $"{DatasetName}/train");
        ImageDataset heldOut = Render(options, firstIndex: options.TrainPerClass, perClass: options.HeldOutPerClass, $"{DatasetName}/held-out");
        return new DatasetSplits(train, heldOut);
    }

    /// <summary>Draws the random pose/style of one image (same ranges for every class).</summary>
    public static GlyphParameters SampleParameters(EmbeddedGlyphOptions options, ref DeterministicRandom random)
    {
        double scale = options.Size / 16.0;
        double radius = random.NextDouble(4.2, 6.0) * scale;
        double maxShift = 1.5 * scale;
        double centre = options.Size / 2.0;
        double rotation = random.NextDouble(-1, 1) * options.MaxRotationDegrees * Math.PI / 180.0;
        double stroke = random.NextDouble(1.3, 2.2) * scale;
        double intensity = random.NextDouble(0.7, 1.0);
        return new GlyphParameters(
            centre + random.NextDouble(-maxShift, maxShift),
            centre + random.NextDouble(-maxShift, maxShift),
            radius, rotation, stroke, intensity);
    }

    private static ImageDataset Render(EmbeddedGlyphOptions options, int firstIndex, int perClass, string name)
    {
        int size = options.Size;
        int imageSize = size * size;
        int classes = ClassCount;
        int total = classes * perClass;
        var pixels = new byte[(long)total * imageSize];
        var labels = new int[total];
        Parallel.For(0, total, () => new float[imageSize], (n, _, buffer) =>
        {
            int classId = n / perClass;
            int index = firstIndex + n % perClass;
            var shape = (GlyphShape)classId;
            var random = DeterministicRandom.ForStream(options.Seed, (ulong)classId, (ulong)index);
            GlyphParameters parameters = SampleParameters(options, ref random);
            GlyphRasterizer.Render(shape, parameters, size, size, options.Supersample, buffer);
            Span<byte> target = pixels.AsSpan(n * imageSize, imageSize);
            for (int i = 0; i < imageSize; i++)
            {
                double value = buffer[i] + options.NoiseStd * random.NextGaussian();
                target[i] = (byte)Math.Clamp((int)Math.Round(value * 255.0, MidpointRounding.AwayFromZero), 0, 255);
            }
            labels[n] = classId;
            return buffer;
        }, _ => { });
        return ImageDataset.FromBytes(name, pixels, labels, 1, size, size, classes, ClassNames);
    }
}
