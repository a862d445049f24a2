using NativeTrustRegion.Engine.Backends.Cuda;

namespace NativeTrustRegion.Cuda.Tests;

/// <summary>
/// Every kernel source compiles through NVRTC for compute_90 (PTX) without a GPU. CI installs Debian's
/// libnvrtc11.2 (CUDA 11.8 NVRTC); a missing NVRTC fails these tests with the package to install.
/// </summary>
public class KernelCompilationTests
{
    private static readonly string Cache = Path.Combine(Path.GetTempPath(), $"ntr-kernel-cache-{Environment.ProcessId}");

    public static TheoryData<string> Modules()
    {
        var data = new TheoryData<string>();
        foreach (var m in KernelSources.Modules)
        {
            data.Add(m.Name);
        }
        return data;
    }

    internal static KernelCompiler OpenCompiler()
    {
        try
        {
            return KernelCompiler.Open(Cache);
        }
        catch (CudaLibraryNotFoundException e)
        {
            Assert.Fail("NVRTC is required to check the CUDA kernels. Install Debian's non-free package libnvrtc11.2 " +
                        $"(apt-get install libnvrtc11.2, with non-free enabled) or set NTR_CUDA_LIB_PATH. {e.Message}");
            throw;
        }
    }

    [Fact]
    public void EveryKernelFileIsEmbedded()
    {
        var names = KernelSources.Modules.Select(m => m.Name).ToArray();
        foreach (var expected in new[] { "attention", "bilinear", "copy", "dropout", "elementwise", "embedding", "film", "fisher", "groupnorm", "layernorm", "loss", "pool", "random", "reduce", "resample", "softmax", "vector" })
        {
            Assert.Contains(expected, names);
        }
        Assert.Contains(KernelSources.Headers, h => h.FileName == "common.cuh");
        Assert.Contains(KernelSources.Headers, h => h.FileName == "philox.cuh");
    }

    [Theory]
    [MemberData(nameof(Modules))]
    public void CompilesToPtxForCompute90(string module)
    {
        var compiler = OpenCompiler();
        var result = compiler.Compile(KernelSources.Module(module), "compute_90", useCache: false);
        Assert.True(result.Succeeded, $"kernels/{module}.cu failed to compile with NVRTC {compiler.Version}:\n{result.Log}");
        var ptx = System.Text.Encoding.ASCII.GetString(result.Image);
        Assert.Contains(".target sm_90", ptx);
        Assert.Equal(0, result.Image[^1]);
        KernelSharedMemoryTests.AssertTableMatchesPtx(module, ptx.TrimEnd('\0'));
    }

    [Fact]
    public void SecondCompileComesFromTheDiskCache()
    {
        var compiler = OpenCompiler();
        var source = KernelSources.Module("copy");
        var first = compiler.Compile(source, "compute_90");
        var second = compiler.Compile(source, "compute_90");
        Assert.True(first.Succeeded && second.Succeeded);
        Assert.True(second.FromCache);
        Assert.Equal(first.Image, second.Image);
    }

    [Fact]
    public void Sm90CubinHasNoRegisterSpills()
    {
        var compiler = OpenCompiler();
        if (!compiler.SupportedArchitectures.Contains(90))
        {
            return;
        }
        foreach (var source in KernelSources.Modules)
        {
            var result = compiler.Compile(source, "sm_90", ["-Xptxas", "-v"], useCache: false);
            Assert.True(result.Succeeded, result.Log);
            Assert.DoesNotMatch(@"[1-9][0-9]* bytes spill stores", result.Log);
        }
    }

    [Fact]
    public void TargetIsCubinWhenSupportedElsePtxOfNewestOlderArchitecture()
    {
        var compiler = OpenCompiler();
        Assert.Equal("sm_90", compiler.TargetFor(9, 0));
        var newest = compiler.SupportedArchitectures.Max();
        Assert.Equal($"compute_{newest}", compiler.TargetFor(99, 9));
    }

    [Fact]
    public void EveryKernelNameLaunchedFromCSharpExistsInItsModule()
    {
        var compiler = OpenCompiler();
        var entries = KernelSources.Modules.ToDictionary(m => m.Name, m =>
        {
            var ptx = System.Text.Encoding.ASCII.GetString(compiler.Compile(m, "compute_90").Image);
            return System.Text.RegularExpressions.Regex.Matches(ptx, @"\.entry\s+([A-Za-z0-9_]+)").Select(x => x.Groups[1].Value).ToHashSet();
        });
        var root = RepositoryRoot();
        var launches = 0;
        foreach (var file in Directory.EnumerateFiles(Path.Combine(root, "src", "Engine"), "*.Cuda.cs", SearchOption.AllDirectories)
                     .Concat(Directory.EnumerateFiles(Path.Combine(root, "src", "Engine", "Backends", "Cuda"), "*.cs", SearchOption.AllDirectories)))
        {
            var text = File.ReadAllText(file);
            foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(text, "Launch\\(\"([a-z]+)\", (\\$?)\"([A-Za-z0-9_{}\\.\\s\\+\"]+?)\"?, ([A-Za-z0-9_.?]+)"))
            {
                var module = m.Groups[1].Value;
                var name = m.Groups[3].Value;
                var dtype = m.Groups[4].Value;
                Assert.True(entries.ContainsKey(module), $"{Path.GetFileName(file)} launches from unknown module {module}");
                launches++;
                if (m.Groups[2].Value == "$" || name.Contains('"') || name.Contains('+'))
                {
                    var prefix = name.Split('{', '"', ' ')[0];
                    Assert.True(entries[module].Any(e => e.StartsWith(prefix, StringComparison.Ordinal)), $"{Path.GetFileName(file)}: no kernel starting with {prefix} in {module}.cu");
                    continue;
                }
                var expected = dtype == "null" ? new[] { name } : new[] { name + "_f32", name + "_f64" };
                foreach (var e in expected)
                {
                    Assert.True(entries[module].Contains(e), $"{Path.GetFileName(file)} launches {module}.{e}, which kernels/{module}.cu does not define");
                }
            }
        }
        Assert.True(launches > 40, $"only {launches} launches found; the pattern no longer matches the launch calls");
    }

    internal static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NativeTrustRegion.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("repository root (NativeTrustRegion.sln) not found above the test binaries");
    }
}
