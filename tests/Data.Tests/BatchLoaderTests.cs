namespace NativeTrustRegion.Data.Tests;

public class BatchLoaderTests
{
    /// <summary>50 images of 1×2×2; image i has all four pixels = i (bytes), label i % 5.</summary>
    private static ImageDataset Fifty() =>
        ImageDataset.FromBytes("fifty", Enumerable.Range(0, 200).Select(k => (byte)(k / 4)).ToArray(), Enumerable.Range(0, 50).Select(i => i % 5).ToArray(), 1, 2, 2, 5);

    private static List<(int[] Indices, float[] Images, int[] Labels, int Epoch)> Take(ImageDataset d, BatchLoaderOptions options, int batches)
    {
        using var loader = new BatchLoader(d, options);
        var result = new List<(int[], float[], int[], int)>();
        for (int i = 0; i < batches; i++)
        {
            LoadedBatch b = loader.Next();
            result.Add((b.Indices.ToArray(), b.Images.ToArray(), b.Labels.ToArray(), b.Epoch));
        }
        return result;
    }

    [Fact]
    public void OutputIsIdenticalForAnyPrefetchDepth()
    {
        var options = new BatchLoaderOptions { BatchSize = 8, Seed = 5, HorizontalFlip = true };
        var reference = Take(Fifty(), options with { PrefetchBatches = 0 }, 20);
        foreach (int depth in new[] { 1, 2, 4 })
        {
            var other = Take(Fifty(), options with { PrefetchBatches = depth }, 20);
            for (int i = 0; i < 20; i++)
            {
                Assert.Equal(reference[i].Indices, other[i].Indices);
                Assert.Equal(reference[i].Images, other[i].Images);
                Assert.Equal(reference[i].Labels, other[i].Labels);
            }
        }
    }

    [Fact]
    public void EachEpochIsAReshuffledPermutation()
    {
        var batches = Take(Fifty(), new BatchLoaderOptions { BatchSize = 8, Seed = 1 }, 21); // 7 batches per epoch (last has 2)
        Assert.Equal([8, 8, 8, 8, 8, 8, 2], batches.Take(7).Select(b => b.Indices.Length));
        int[][] epochs = Enumerable.Range(0, 3).Select(e => batches.Skip(7 * e).Take(7).SelectMany(b => b.Indices).ToArray()).ToArray();
        foreach (int[] epoch in epochs) Assert.Equal(Enumerable.Range(0, 50), epoch.Order());
        Assert.NotEqual(epochs[0], epochs[1]);
        Assert.NotEqual(epochs[1], epochs[2]);
        Assert.NotEqual(Enumerable.Range(0, 50), epochs[0]);
        Assert.Equal([0, 0, 0, 0, 0, 0, 0, 1], batches.Take(8).Select(b => b.Epoch));

        var otherSeed = Take(Fifty(), new BatchLoaderOptions { BatchSize = 8, Seed = 2 }, 7).SelectMany(b => b.Indices).ToArray();
        Assert.NotEqual(epochs[0], otherSeed);
    }

    [Fact]
    public void ImagesAndLabelsMatchTheItemsAndFlipsAreMirrors()
    {
        var glyphs = EmbeddedGlyphDataset.Generate(new EmbeddedGlyphOptions { TrainPerClass = 10, HeldOutPerClass = 0 }).Train;
        using var loader = new BatchLoader(glyphs, new BatchLoaderOptions { BatchSize = 25, Seed = 3, HorizontalFlip = true });
        int flipped = 0, total = 0;
        var plain = new float[256];
        var mirror = new float[256];
        for (int step = 0; step < 8; step++)
        {
            LoadedBatch batch = loader.Next();
            for (int i = 0; i < batch.Count; i++)
            {
                int item = batch.Indices[i];
                Assert.Equal(glyphs.Label(item), batch.Labels[i]);
                glyphs.CopyImage(item, plain);
                glyphs.CopyImage(item, mirror, flipHorizontal: true);
                float[] got = batch.Images.Slice(i * 256, 256).ToArray();
                bool isPlain = got.AsSpan().SequenceEqual(plain), isMirror = got.AsSpan().SequenceEqual(mirror);
                Assert.True(isPlain || isMirror);
                if (isMirror && !isPlain) flipped++;
                total++;
            }
        }
        Assert.Equal(200, total);
        Assert.InRange(flipped, 70, 130); // ~½ flipped (binomial sd ≈ 7)
    }

    [Fact]
    public void DropLastGivesOnlyFullBatchesAndNoShuffleKeepsOrder()
    {
        var batches = Take(Fifty(), new BatchLoaderOptions { BatchSize = 16, Shuffle = false, DropLast = true, PrefetchBatches = 1 }, 4);
        Assert.All(batches, b => Assert.Equal(16, b.Indices.Length));
        Assert.Equal(Enumerable.Range(0, 16), batches[0].Indices);
        Assert.Equal(Enumerable.Range(32, 16), batches[2].Indices);
        Assert.Equal(Enumerable.Range(0, 16), batches[3].Indices); // next epoch
        Assert.Equal(16 / 127.5f - 1f, batches[1].Images[0]);
    }

    private sealed class CountingAllocator : IStagingAllocator
    {
        public int Allocated;

        public IStagingBuffer Allocate(int imageValues, int labelCount)
        {
            Interlocked.Increment(ref Allocated);
            return new ManagedStagingBuffer(imageValues, labelCount);
        }
    }

    [Fact]
    public void StagingBuffersComeFromTheAllocatorAndAreReused()
    {
        var allocator = new CountingAllocator();
        using (var loader = new BatchLoader(Fifty(), new BatchLoaderOptions { BatchSize = 10, PrefetchBatches = 2, Allocator = allocator }))
        {
            var buffers = new HashSet<IStagingBuffer>();
            for (int i = 0; i < 30; i++) buffers.Add(loader.Next().Buffer);
            Assert.Equal(3, allocator.Allocated);
            Assert.True(buffers.Count <= 3);
            Assert.Equal(5, loader.BatchesPerEpoch);
            Assert.Equal(5, loader.NextEpoch().Count());
        }
        Assert.Throws<ArgumentException>(() => new BatchLoader(Fifty(), new BatchLoaderOptions { BatchSize = 64, DropLast = true }));
    }
}
