using System.Runtime.CompilerServices;
using NativeTrustRegion.Engine.Backends.Cuda;

namespace NativeTrustRegion.Cuda.Tests;

/// <summary>Structs passed to native code have the sizes the C headers give them.</summary>
public class BindingLayoutTests
{
    [Fact]
    public void CudnnConvolutionPerfIs48Bytes() => Assert.Equal(48, Unsafe.SizeOf<Cudnn.ConvolutionPerf>());

    [Fact]
    public void StridedLayoutMatchesCommonCuh() => Assert.Equal(232, Unsafe.SizeOf<StridedLayout>());

    [Fact]
    public void ReduceLayoutMatchesCommonCuh() => Assert.Equal(200, Unsafe.SizeOf<ReduceLayout>());

    [Fact]
    public void StridedLayoutMergesContiguousDimensionsAndDropsOnes()
    {
        var layout = StridedLayout.Create("test", [2, 1, 3, 4], [12, 12, 4, 1], [12, 12, 4, 1]);
        Assert.Equal(1, layout.Rank);
        unsafe
        {
            Assert.Equal(24, layout.Shape[0]);
        }
        var transposed = StridedLayout.Create("test", [3, 4], [1, 3], [4, 1]);
        Assert.Equal(2, transposed.Rank);
    }

    [Fact]
    public void ReduceLayoutSeparatesKeptAndReducedAxes()
    {
        // x [8, 16, 5, 5] summed to [1, 16, 1, 1] (a conv bias gradient)
        var (layout, count, innermostContiguous) = ReduceLayout.Create([8, 16, 5, 5], [400, 25, 5, 1], [1, 16, 1, 1]);
        Assert.Equal(1, layout.KeptRank);
        Assert.Equal(2, layout.ReducedRank);  // n, and (h, w) merged
        Assert.Equal(200, count);
        Assert.False(innermostContiguous);
        var (_, rows, columns) = ReduceLayout.Create([100, 7], [7, 1], [1, 7]);
        Assert.Equal(100, rows);
        Assert.True(columns);
    }
}

/// <summary>The embedded kernel sources are the repository's files, and their content hash is what tools/kernel-hash.cmake writes.</summary>
public class KernelSourceHashTests
{
    [Fact]
    public void ContentHashIsSha256OfSourceThenHeadersInNameOrder()
    {
        var root = KernelCompilationTests.RepositoryRoot();
        var headers = Directory.GetFiles(Path.Combine(root, "kernels"), "*.cuh").Order(StringComparer.Ordinal).ToArray();
        foreach (var source in KernelSources.Modules)
        {
            var file = Path.Combine(root, "kernels", source.FileName);
            Assert.Equal(File.ReadAllBytes(file), source.Text);
            var bytes = File.ReadAllBytes(file).Concat(headers.SelectMany(File.ReadAllBytes)).ToArray();
            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), source.ContentHash());
        }
    }
}
