namespace NativeTrustRegion.Data.Tests;

public class ImageCacheFileTests
{
    private static ImageDataset Sample()
    {
        var pixels = Enumerable.Range(0, 5 * 2 * 3 * 4).Select(i => (byte)(i * 7)).ToArray();
        return ImageDataset.FromBytes("sample", pixels, [0, 2, 1, 2, 0], 2, 3, 4, 3, ["a", "b", "c"]);
    }

    [Fact]
    public void RoundTripKeepsEverything()
    {
        using var dir = new TemporaryDirectory();
        string path = dir.Combine("x.ntrimg");
        ImageDataset original = Sample();
        ImageCacheFile.Write(path, original, "source-1");
        Assert.True(ImageCacheFile.TryRead(path, "source-1", out ImageDataset? read, out string problem), problem);
        Assert.Equal(("sample", 2, 3, 4, 3), (read!.Name, read.Channels, read.Height, read.Width, read.ClassCount));
        Assert.Equal(original.Labels.ToArray(), read.Labels.ToArray());
        Assert.Equal(["a", "b", "c"], read.ClassNames);
        for (int i = 0; i < 5; i++) Assert.Equal(original.ImageBytes(i).ToArray(), read.ImageBytes(i).ToArray());
        Assert.Single(Directory.GetFiles(dir.Path)); // no temporary file left behind
    }

    [Fact]
    public void AnotherSourceDamageAndTruncationAreRefused()
    {
        using var dir = new TemporaryDirectory();
        string path = dir.Combine("x.ntrimg");
        ImageCacheFile.Write(path, Sample(), "source-1");
        Assert.False(ImageCacheFile.TryRead(path, "source-2", out _, out string other));
        Assert.Contains("another source", other);

        byte[] bytes = File.ReadAllBytes(path);
        byte[] damaged = (byte[])bytes.Clone();
        damaged[^40] ^= 1; // inside the labels
        File.WriteAllBytes(path, damaged);
        Assert.False(ImageCacheFile.TryRead(path, "source-1", out _, out string checksum));
        Assert.Contains("checksum", checksum);

        File.WriteAllBytes(path, bytes[..^1]);
        Assert.False(ImageCacheFile.TryRead(path, "source-1", out _, out string truncated));
        Assert.Contains("truncated", truncated);

        Assert.False(ImageCacheFile.TryRead(dir.Combine("absent.ntrimg"), "source-1", out _, out string absent));
        Assert.Contains("no cache file", absent);
    }
}
