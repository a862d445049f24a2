using System.Security.Cryptography;
using System.Text.Json;

namespace NativeTrustRegion.Evaluation.Tests;

/// <summary>
/// Our Inception-v3 pool3 features against pytorch-fid's for a fixed 2×3×32×32 input
/// (<c>tools/reference/inception-golden.json</c>, written by <c>tools/reference/inception_golden.py</c> with PyTorch and
/// pytorch-fid). Runs only when <c>NTR_INCEPTION_WEIGHTS</c> names the weights file the golden values were made from
/// (checked by SHA-256); skipped otherwise, because the weights cannot be downloaded here.
/// </summary>
public sealed class InceptionGoldenTests
{
    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NativeTrustRegion.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("the repository root (NativeTrustRegion.sln) is not above the test binaries");
    }

    /// <summary>The input the golden script documents: 0.9·sin(0.37·h·(c+1) + 0.23·w + 1.1·n) in float64, rounded to float32.</summary>
    internal static float[] FixedInput(int n, int c, int h, int w)
    {
        var x = new float[n * c * h * w];
        var i = 0;
        for (var a = 0; a < n; a++)
        {
            for (var b = 0; b < c; b++)
            {
                for (var y = 0; y < h; y++)
                {
                    for (var z = 0; z < w; z++)
                    {
                        x[i++] = (float)(0.9 * Math.Sin(0.37 * y * (b + 1) + 0.23 * z + 1.1 * a));
                    }
                }
            }
        }
        return x;
    }

    [SkippableFact]
    public void Pool3FeaturesMatchPytorchFid()
    {
        var weights = InceptionWeightsLocation.FromEnvironment();
        Skip.If(weights is null, "NTR_INCEPTION_WEIGHTS is not set: pytorch-fid's Inception weights are needed (see README, 'Inception-v3 golden test')");
        var goldenPath = Path.Combine(RepositoryRoot(), "tools", "reference", "inception-golden.json");
        Assert.True(File.Exists(goldenPath),
            $"{goldenPath} does not exist yet: the golden values have not been produced. Make them on a machine with PyTorch and pytorch-fid: " +
            "python3 tools/reference/inception_golden.py --weights $NTR_INCEPTION_WEIGHTS, and commit the file");
        using var golden = JsonDocument.Parse(File.ReadAllText(goldenPath));
        var root = golden.RootElement;

        string actualHash;
        using (var stream = File.OpenRead(weights!))
        {
            actualHash = Convert.ToHexStringLower(SHA256.HashData(stream));
        }
        var expectedHash = root.GetProperty("weights_sha256").GetString();
        Assert.True(expectedHash == actualHash,
            $"the golden features were computed from weights with SHA-256 {expectedHash}, but {weights} has {actualHash}. " +
            "Point NTR_INCEPTION_WEIGHTS at that file, or regenerate the golden file from yours with tools/reference/inception_golden.py");

        var shape = root.GetProperty("input_shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var input = root.GetProperty("input").EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();
        // the file's input is the documented formula (so the two sides saw the same images)
        Assert.Equal(FixedInput(shape[0], shape[1], shape[2], shape[3]), input);

        var extractor = InceptionV3FeatureExtractor.Load(weights!, shape[1], shape[2], shape[3]);
        var features = new float[shape[0] * extractor.FeatureDimension];
        extractor.Extract(input, shape[0], features, new float[shape[0] * Math.Max(1, extractor.ClassCount)]);
        var expected = root.GetProperty("features").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(expected.Length, features.Length);
        // float32 through 94 convolutions, with BatchNorm folded into the convs here and not in PyTorch, and another
        // summation order: agreement to 1e-4 absolute + 1e-3 relative. A wrong layer gives errors of the features' size.
        for (var i = 0; i < expected.Length; i++)
        {
            var excess = Math.Abs(features[i] - expected[i]) - (1e-4 + 1e-3 * Math.Abs(expected[i]));
            Assert.True(excess <= 0, $"feature {i}: ours {features[i]:R}, pytorch-fid {expected[i]:R}");
        }
        Assert.True(expected.Max(Math.Abs) > 0.01, "the golden features are all near zero: the golden file is not a real network's output");
    }

    [Fact]
    public void TheFixedInputIsTheDocumentedFormulaInRange()
    {
        var x = FixedInput(2, 3, 32, 32);
        Assert.Equal(6144, x.Length);
        Assert.Equal((float)(0.9 * Math.Sin(0.37 * 5 * 2 + 0.23 * 7 + 1.1)), x[((1 * 3 + 1) * 32 + 5) * 32 + 7]);
        Assert.All(x, v => Assert.InRange(v, -0.9f, 0.9f));
    }
}
