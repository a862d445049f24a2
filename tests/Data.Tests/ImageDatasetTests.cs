namespace NativeTrustRegion.Data.Tests;

public class ImageDatasetTests
{
    /// <summary>6 images of 1×2×3; image i has pixel values 10·i + p; labels 0,1,2,0,1,2.</summary>
    private static ImageDataset Six() =>
        ImageDataset.FromBytes("six", Enumerable.Range(0, 36).Select(k => (byte)(10 * (k / 6) + k % 6)).ToArray(), [0, 1, 2, 0, 1, 2], 1, 2, 3, 3);

    [Fact]
    public void BytesAreScaledToMinusOneOne()
    {
        var d = ImageDataset.FromBytes("edge", [0, 255, 128, 64], [0], 1, 2, 2, 1);
        var x = new float[4];
        d.CopyImage(0, x);
        Assert.Equal([-1f, 1f, 128 / 127.5f - 1f, 64 / 127.5f - 1f], x);
    }

    [Fact]
    public void HorizontalFlipMirrorsEveryRow()
    {
        var x = new float[6];
        Six().CopyImage(1, x, flipHorizontal: true);
        float S(int v) => v / 127.5f - 1f;
        Assert.Equal([S(12), S(11), S(10), S(15), S(14), S(13)], x);

        var floats = ImageDataset.FromFloats("f", [0.1f, 0.2f, 0.3f, 0.4f], [0], 1, 1, 4, 1);
        var y = new float[4];
        floats.CopyImage(0, y, flipHorizontal: true);
        Assert.Equal([0.4f, 0.3f, 0.2f, 0.1f], y);
    }

    [Fact]
    public void ClassFilterSubsetAndSplitAreViewsInDataSetOrder()
    {
        ImageDataset six = Six();
        ImageDataset odd = six.WithClasses([2, 0]);
        Assert.Equal([0, 2, 0, 2], odd.Labels.ToArray());
        Assert.Equal(30, odd.ImageBytes(2)[0]); // image 3 of the original
        Assert.Equal(3, odd.ClassCount); // label space kept

        ImageDataset picked = odd.Subset([3, 0]);
        Assert.Equal([50, 0], new[] { picked.ImageBytes(0)[0], picked.ImageBytes(1)[0] });

        DatasetSplits splits = six.SplitLastPerClass(1);
        Assert.Equal([0, 1, 2], splits.Train.Labels.ToArray());
        Assert.Equal([0, 1, 2], splits.HeldOut.Labels.ToArray());
        Assert.Equal(30, splits.HeldOut.ImageBytes(0)[0]);
        Assert.Equal("six", splits.Name);
    }

    [Fact]
    public void PaddingCentresTheImageOnBlack()
    {
        ImageDataset padded = Six().Pad(1);
        Assert.Equal((4, 5), (padded.Height, padded.Width));
        byte[] image = padded.ImageBytes(2).ToArray();
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0, 20, 21, 22, 0, 0, 23, 24, 25, 0, 0, 0, 0, 0, 0 }, image);
    }

    [Fact]
    public void BuilderAndFactoriesValidateLabelsAndSizes()
    {
        Assert.Throws<ArgumentException>(() => ImageDataset.FromBytes("bad", new byte[4], [3], 1, 2, 2, 3));
        Assert.Throws<ArgumentException>(() => ImageDataset.FromBytes("bad", new byte[5], [0], 1, 2, 2, 3));
        var builder = new ImageDatasetBuilder("b", PixelFormat.Float, 1, 1, 2, 2);
        builder.Append([0.5f, -0.5f], 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => builder.Append([0f, 0f], 2));
        Assert.Throws<InvalidOperationException>(() => builder.AppendByteSlot(0));
        ImageDataset built = builder.Build();
        Assert.Equal(PixelFormat.Float, built.Format);
        Assert.Equal([0.5f, -0.5f], built.ImageFloats(0).ToArray());
    }

    [Fact]
    public void LargeStoresSpanSeveralChunks()
    {
        // 3072-byte images: a chunk holds 2^26 / 3072 = 21845 images; 21850 images need two chunks.
        var builder = new ImageDatasetBuilder("big", PixelFormat.Byte, 3, 32, 32, 1);
        for (int i = 0; i < 21850; i++) builder.AppendByteSlot(0)[0] = (byte)(i % 251);
        ImageDataset big = builder.Build();
        Assert.Equal(21850, big.Count);
        Assert.Equal((byte)(21845 % 251), big.ImageBytes(21845)[0]);
        Assert.Equal((byte)(21849 % 251), big.ImageBytes(21849)[0]);
        Assert.Equal((byte)(21844 % 251), big.ImageBytes(21844)[0]);
    }

    [Fact]
    public void TaskStreamsAreDisjointConsecutiveGroups()
    {
        ClassSplitStream split = ClassSplitStream.SplitMnist();
        Assert.Equal(5, split.Tasks.Count);
        Assert.Equal([[0, 1], [2, 3], [4, 5], [6, 7], [8, 9]], split.Tasks.Select(t => t.ClassIds.ToArray()).ToArray());
        Assert.Equal([0, 1, 2, 3, 4, 5], split.ClassesUpTo(2));
        Assert.Throws<ArgumentException>(() => new ClassSplitStream("overlap", [new ContinualTask(0, [0, 1]), new ContinualTask(1, [1, 2])]));
        Assert.Throws<ArgumentException>(() => ClassSplitStream.Consecutive("uneven", 10, 3));

        DatasetSplits glyphs = EmbeddedGlyphDataset.Generate(new EmbeddedGlyphOptions { TrainPerClass = 4, HeldOutPerClass = 2 });
        DatasetSplits task3 = glyphs.ForTask(ClassSplitStream.SplitEmbedded().Tasks[3]);
        Assert.Equal([6, 7], task3.Train.Labels.ToArray().Distinct().Order());
        Assert.Equal((8, 4), (task3.Train.Count, task3.HeldOut.Count));
    }

    [Fact]
    public void CatalogKnowsTheDataSetsAndTheirStreams()
    {
        Assert.Equal(["embedded", "mnist", "fashion-mnist", "imagenet32"], DatasetCatalog.Names);
        Assert.Equal(10, DatasetCatalog.DefaultTaskStream("imagenet").Tasks.Count);
        Assert.Equal(5, DatasetCatalog.DefaultTaskStream("fmnist").Tasks.Count);
        DatasetSplits embedded = DatasetCatalog.Load("embedded", new DatasetLoadOptions { Embedded = new EmbeddedGlyphOptions { TrainPerClass = 3, HeldOutPerClass = 1 } });
        Assert.Equal(30, embedded.Train.Count);
        var e = Assert.Throws<NativeTrustRegion.Engine.UsageException>(() => DatasetCatalog.Load("cifar"));
        Assert.Contains("embedded, mnist, fashion-mnist, imagenet32", e.Message);
    }
}
