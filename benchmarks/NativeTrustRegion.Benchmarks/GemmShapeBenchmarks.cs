using BenchmarkDotNet.Attributes;
using NativeTrustRegion.Engine.Backends.Cpu;

namespace NativeTrustRegion.Benchmarks;

/// <summary>
/// float32 GEMM on the shapes the models hand to it (one thread, one call through Gemm.Single). Program runs it under
/// three jobs that differ only in their environment: the engine's default kernel (the AVX-512 one), OpenBLAS with
/// its AVX2 "Haswell" kernels (what Debian's OpenBLAS 0.3.21 picks on AMD Zen 4/5) and OpenBLAS with its AVX-512
/// "SkylakeX" kernels, so one run compares all three on the same machine.
/// </summary>
public class GemmShapeBenchmarks
{
    /// <summary>The shapes: name → (transpose A, transpose B, m, n, k); the name says where the shape comes from.</summary>
    public static readonly IReadOnlyDictionary<string, (bool Ta, bool Tb, int M, int N, int K)> Shapes =
        new Dictionary<string, (bool, bool, int, int, int)>
        {
            ["im2col-fwd-64x256x576"] = (false, false, 64, 256, 576),
            ["im2col-fwd-32x32x320"] = (false, false, 32, 32, 320),
            ["im2col-dx-576x256x64"] = (true, false, 576, 256, 64),
            ["im2col-dw-64x576x256"] = (false, true, 64, 576, 256),
            ["winograd-64x512x64"] = (false, false, 64, 512, 64),
            ["winograd-32x1024x32"] = (false, false, 32, 1024, 32),
            ["winograd-128x2048x128"] = (false, false, 128, 2048, 128),
            ["winograd-dw-64x64x512"] = (false, true, 64, 64, 512),
            ["linear-2048x64x64"] = (false, true, 2048, 64, 64),
            ["linear-dw-64x64x2048"] = (true, false, 64, 64, 2048),
            ["attention-qk-64x64x8"] = (false, true, 64, 64, 8),
            ["attention-pv-64x8x64"] = (false, false, 64, 8, 64),
            ["square-512"] = (false, false, 512, 512, 512),
        };

    public static IEnumerable<string> ShapeNames => Shapes.Keys;

    [ParamsSource(nameof(ShapeNames))]
    public string Shape { get; set; } = "";

    private float[] _a = [];
    private float[] _b = [];
    private float[] _c = [];

    [GlobalSetup]
    public void Setup()
    {
        var (_, _, m, n, k) = Shapes[Shape];
        var rng = new Random(1);
        _a = Enumerable.Range(0, m * k).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        _b = Enumerable.Range(0, k * n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        _c = new float[m * n];
    }

    [Benchmark]
    public void Sgemm()
    {
        var (ta, tb, m, n, k) = Shapes[Shape];
        Gemm.Single(ta, tb, m, n, k, 1f, _a, ta ? m : k, _b, tb ? k : n, 0f, _c, n);
    }

    public static double Flops(string shape)
    {
        var (_, _, m, n, k) = Shapes[shape];
        return 2.0 * m * n * k;
    }
}
