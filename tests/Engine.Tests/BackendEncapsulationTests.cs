namespace NativeTrustRegion.Engine.Tests;

/// <summary>
/// Code above the engine talks to a back end only through <see cref="IBackend"/> (its description, memory, timer,
/// precision and thread budget): no test for the concrete CUDA type, no CPU thread pool, no TF32 switch outside src/Engine.
/// </summary>
public sealed class BackendEncapsulationTests
{
    private static readonly string[] Forbidden = ["is CudaBackend", "is not CudaBackend", "CpuParallel", "UseTf32"];

    [Fact]
    public void NoBackEndInternalsOutsideTheEngine()
    {
        var src = Path.Combine(CheckpointTests.RepositoryRoot(), "src");
        var engine = Path.Combine(src, "Engine") + Path.DirectorySeparatorChar;
        var files = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.StartsWith(engine, StringComparison.Ordinal))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();
        Assert.True(files.Count > 50, $"only {files.Count} source files found under {src}: is the repository layout different?");
        var uses = new List<string>();
        foreach (var file in files)
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                foreach (var word in Forbidden.Where(w => lines[i].Contains(w, StringComparison.Ordinal)))
                {
                    uses.Add($"{Path.GetRelativePath(src, file)}:{i + 1}: {word}");
                }
            }
        }
        Assert.True(uses.Count == 0,
            "back-end internals used outside src/Engine (use IBackend's Description, Memory(), CreateStepTimer(), Precision, ThreadBudget and LimitThreads instead):\n"
            + string.Join('\n', uses));
    }

    /// <summary>
    /// Cli parses and presents: it never launches a kernel itself (the kernel benchmark and the parity suite are the
    /// engine's entry points). Kernels are the <see cref="IBackend"/> methods the op folders add (every method not
    /// declared in src/Engine/Backends/IBackend*.cs); no Cli source calls one.
    /// </summary>
    [Fact]
    public void CliCallsNoKernel()
    {
        var root = CheckpointTests.RepositoryRoot();
        var core = string.Concat(Directory.GetFiles(Path.Combine(root, "src", "Engine", "Backends"), "IBackend*.cs").Select(File.ReadAllText));
        var kernels = typeof(IBackend).GetMethods().Where(m => !m.IsSpecialName).Select(m => m.Name).Distinct()
            .Where(name => !System.Text.RegularExpressions.Regex.IsMatch(core, $@"\b{name}\s*[<(]"))
            .ToArray();
        Assert.Contains("Gemm", kernels);
        Assert.Contains("GroupNormForward", kernels);
        Assert.DoesNotContain("Synchronize", kernels);
        Assert.Matches(KernelCall("Gemm"), "gpu.Gemm(false, false");
        Assert.DoesNotMatch(KernelCall("Clamp"), "Math.Clamp(x, 1, 2)");
        var calls = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(root, "src", "Cli"), "*.cs", SearchOption.AllDirectories)
                     .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                         && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                calls.AddRange(kernels.Where(k => System.Text.RegularExpressions.Regex.IsMatch(lines[i], KernelCall(k)))
                    .Select(k => $"{Path.GetRelativePath(root, file)}:{i + 1}: {k}"));
            }
        }
        Assert.True(calls.Count == 0, "Cli calls back-end kernels (put the work behind an engine or Experiments entry point):\n" + string.Join('\n', calls));
    }

    /// <summary>A call of <paramref name="kernel"/> on any receiver but the BCL's math classes (Math.Clamp and Vector.Dot are not kernels).</summary>
    private static string KernelCall(string kernel) => $@"(?<!\b(?:Math|MathF|Vector\d*|TensorPrimitives))\.\s*{kernel}\s*\(";
}

/// <summary>What the CPU back end says about itself through <see cref="IBackend"/>.</summary>
public sealed class CpuBackendDescriptionTests
{
    [Fact]
    public void TheCpuRefusesTf32NamingTheFix()
    {
        IBackend cpu = BackendRegistry.CpuBackend;
        cpu.Precision = MatmulPrecision.Fp32;
        var e = Assert.Throws<ArgumentException>(() => cpu.Precision = MatmulPrecision.Tf32);
        Assert.Contains("Fix: use Fp32", e.Message, StringComparison.Ordinal);
        Assert.Equal(MatmulPrecision.Fp32, cpu.Precision);
    }

    [Fact]
    public void TheCpuHasNoDeviceMemoryAndTimesWithAStopwatch()
    {
        IBackend cpu = BackendRegistry.CpuBackend;
        Assert.Null(cpu.Memory());
        Assert.Null(cpu.Description.TotalMemoryBytes);
        Assert.Equal(Environment.ProcessorCount, cpu.Description.Processors);
        Assert.False(string.IsNullOrWhiteSpace(cpu.Description.Name));
        using var timer = cpu.CreateStepTimer();
        Assert.Equal("synchronize+stopwatch", timer.Method);
        var ran = false;
        Assert.True(timer.Milliseconds(() => ran = true) >= 0);
        Assert.True(ran);
    }
}
