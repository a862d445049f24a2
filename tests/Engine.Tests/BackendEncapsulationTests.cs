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
