namespace NativeTrustRegion.Data.Tests;

public class ImageNet32Tests
{
    /// <summary>Pixel value that encodes (label, row, channel, position) so layout mistakes show up.</summary>
    private static byte Value(int label, int row, int channel, int position) => (byte)((label * 31 + row * 7 + channel * 50 + position) % 251);

    /// <summary>Writes one batch in the official layout: data N×3072 uint8 (R plane, G plane, B plane), labels int64 1-based, mean float64.</summary>
    private static void WriteBatch(string path, int[] labels, long? dataColumns = null, int? labelCount = null)
    {
        int columns = (int)(dataColumns ?? 3072);
        var data = new byte[labels.Length * columns];
        for (int r = 0; r < labels.Length; r++)
            for (int p = 0; p < columns; p++)
                data[r * columns + p] = Value(labels[r], r, p / 1024, p % 1024);
        long[] labelValues = labels.Select(l => (long)l).Take(labelCount ?? labels.Length).ToArray();
        NpzWriter.Write(path, new Dictionary<string, NpyArray>
        {
            ["data"] = NpyArray.FromBytes(data, labels.Length, columns),
            ["labels"] = NpyArray.FromInt64(labelValues, labelValues.Length),
            ["mean"] = NpyArray.FromFloat64(new double[3072], 3072),
        });
    }

    private static ImageNet32Options Options(TemporaryDirectory dir, int classLimit = 3) => new()
    {
        DataRoot = dir.Path,
        ClassLimit = classLimit,
    };

    private static void WriteOfficialSet(TemporaryDirectory dir)
    {
        string source = dir.Combine("imagenet32");
        Directory.CreateDirectory(source);
        for (int b = 1; b <= 10; b++)
            WriteBatch(Path.Combine(source, ImageNet32Dataset.TrainFileName(b)), [1, 4, 2, b % 3 + 1, 5, 3]);
        WriteBatch(Path.Combine(source, ImageNet32Dataset.ValidationFileName), [3, 2, 1, 1000]);
    }

    [Fact]
    public void LoadsTheFirstClassesRemapsLabelsAndKeepsChannelPlanes()
    {
        using var dir = new TemporaryDirectory();
        WriteOfficialSet(dir);
        DatasetSplits splits = ImageNet32Dataset.Load(Options(dir));

        // Per batch rows with label ≤ 3: rows 0, 2, 3, 5 → 4 per batch.
        Assert.Equal(40, splits.Train.Count);
        Assert.Equal(3, splits.Train.ClassCount);
        Assert.Equal((3, 32, 32), (splits.Train.Channels, splits.Train.Height, splits.Train.Width));
        Assert.Equal([0, 1, 1, 2], splits.Train.Labels[..4].ToArray()); // batch 1 keeps labels 1, 2, 2, 3 → 0, 1, 1, 2
        Assert.Equal(3, splits.HeldOut.Count);
        Assert.Equal([2, 1, 0], splits.HeldOut.Labels.ToArray());

        // Image 1 of the training set is batch 1, row 2 (label 2): G plane at pixel (y=3, x=4).
        ReadOnlySpan<byte> image = splits.Train.ImageBytes(1);
        Assert.Equal(Value(2, 2, 1, 3 * 32 + 4), image[1024 + 3 * 32 + 4]);
        var floats = new float[3072];
        splits.Train.CopyImage(1, floats);
        Assert.Equal(Value(2, 2, 2, 0) / 127.5f - 1f, floats[2048]);

        // The converted split was cached, and a second load gives the same data from the cache.
        Assert.True(File.Exists(dir.Combine("cache", "imagenet32-first3-train.ntrimg")));
        DatasetSplits again = ImageNet32Dataset.Load(Options(dir));
        Assert.Equal(splits.Train.Labels.ToArray(), again.Train.Labels.ToArray());
        Assert.Equal(splits.Train.ImageBytes(39).ToArray(), again.Train.ImageBytes(39).ToArray());
    }

    [Fact]
    public void ImageNet500StreamHasTenTasksOfFiftyClasses()
    {
        ClassSplitStream stream = ClassSplitStream.ImageNet500();
        Assert.Equal(10, stream.Tasks.Count);
        Assert.All(stream.Tasks, t => Assert.Equal(50, t.ClassIds.Count));
        Assert.Equal(Enumerable.Range(450, 50), stream.Tasks[9].ClassIds);
        Assert.Equal(500, stream.ClassCount);
    }

    private static DatasetFormatException LoadExpectingFailure(TemporaryDirectory dir)
    {
        var e = Assert.Throws<DatasetFormatException>(() => ImageNet32Dataset.Load(Options(dir)));
        Assert.False(Directory.Exists(dir.Combine("cache")) && Directory.EnumerateFiles(dir.Combine("cache")).Any(),
            "a failed conversion must not leave anything in the cache");
        return e;
    }

    [Fact]
    public void TruncatedBatchIsReportedByName()
    {
        using var dir = new TemporaryDirectory();
        WriteOfficialSet(dir);
        string victim = dir.Combine("imagenet32", "train_data_batch_7.npz");
        byte[] bytes = File.ReadAllBytes(victim);
        File.WriteAllBytes(victim, bytes[..(bytes.Length / 2)]);
        DatasetFormatException e = LoadExpectingFailure(dir);
        Assert.Contains("train_data_batch_7.npz", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void WrongDataShapeIsReported()
    {
        using var dir = new TemporaryDirectory();
        WriteOfficialSet(dir);
        WriteBatch(dir.Combine("imagenet32", "train_data_batch_2.npz"), [1, 2], dataColumns: 3071);
        DatasetFormatException e = LoadExpectingFailure(dir);
        Assert.Contains("train_data_batch_2.npz", e.Message);
        Assert.Contains("(2, 3071)", e.Message);
        Assert.Contains("expected (N, 3072)", e.Message);
    }

    [Fact]
    public void LabelCountMismatchIsReported()
    {
        using var dir = new TemporaryDirectory();
        WriteOfficialSet(dir);
        WriteBatch(dir.Combine("imagenet32", "val_data.npz"), [1, 2, 3], labelCount: 2);
        DatasetFormatException e = LoadExpectingFailure(dir);
        Assert.Contains("val_data.npz", e.Message);
        Assert.Contains("'labels' has 2 entries but 'data' has 3 rows", e.Message);
    }

    [Fact]
    public void ZeroBasedLabelsAreRejected()
    {
        using var dir = new TemporaryDirectory();
        WriteOfficialSet(dir);
        WriteBatch(dir.Combine("imagenet32", "train_data_batch_1.npz"), [0, 1]);
        DatasetFormatException e = LoadExpectingFailure(dir);
        Assert.Contains("train_data_batch_1.npz", e.Message);
        Assert.Contains("1-based", e.Message);
    }

    [Fact]
    public void NonNpzFileIsReported()
    {
        using var dir = new TemporaryDirectory();
        WriteOfficialSet(dir);
        File.WriteAllText(dir.Combine("imagenet32", "train_data_batch_10.npz"), "<html>not found</html>");
        DatasetFormatException e = LoadExpectingFailure(dir);
        Assert.Contains("train_data_batch_10.npz", e.Message);
        Assert.Contains("not a readable .npz", e.Message);
    }

    [Fact]
    public void NpzWithoutTheOfficialArraysIsReported()
    {
        using var dir = new TemporaryDirectory();
        WriteOfficialSet(dir);
        NpzWriter.Write(dir.Combine("imagenet32", "train_data_batch_3.npz"),
            new Dictionary<string, NpyArray> { ["x"] = NpyArray.FromBytes(new byte[3072], 1, 3072) });
        DatasetFormatException e = LoadExpectingFailure(dir);
        Assert.Contains("train_data_batch_3.npz", e.Message);
        Assert.Contains("needs arrays 'data' and 'labels', found x", e.Message);
    }

    [Fact]
    public void MissingBatchesAreListedUnlessPartialDataIsAllowed()
    {
        using var dir = new TemporaryDirectory();
        WriteOfficialSet(dir);
        File.Delete(dir.Combine("imagenet32", "train_data_batch_4.npz"));
        File.Delete(dir.Combine("imagenet32", "train_data_batch_9.npz"));
        DatasetFormatException e = LoadExpectingFailure(dir);
        Assert.Contains("train_data_batch_4.npz, train_data_batch_9.npz", e.Message);

        var messages = new List<string>();
        DatasetSplits partial = ImageNet32Dataset.Load(Options(dir) with { RequireAllTrainBatches = false, Log = messages.Add });
        Assert.Equal(32, partial.Train.Count);
        Assert.Contains(messages, m => m.Contains("8 of 10"));
    }
}
