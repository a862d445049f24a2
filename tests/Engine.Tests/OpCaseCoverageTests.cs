using NativeTrustRegion.Engine;

namespace NativeTrustRegion.Engine.Tests;

/// <summary>
/// The op-case table covers every op: each folder under src/Engine/Ops has cases, each kernel (<c>X.Cpu.cs</c>) has a
/// case naming it, each case names an op or kernel file that exists, every differentiable op is gradient-checked and
/// every kernel has a case the kernel benchmark times.
/// </summary>
public class OpCaseCoverageTests
{
    private static readonly string OpsDirectory = Path.Combine(CheckpointTests.RepositoryRoot(), "src", "Engine", "Ops");

    private static IEnumerable<string> Folders() => Directory.GetDirectories(OpsDirectory).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal);

    [Fact]
    public void EveryOpFolderAndKernelHasACase()
    {
        var kernels = OpCaseTable.All.Select(c => c.Kernel).ToHashSet(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var folder in Folders())
        {
            if (!OpCaseTable.All.Any(c => c.Op == folder))
            {
                missing.Add($"op folder src/Engine/Ops/{folder} has no case: add src/Engine/Ops/{folder}/{folder}.Cases.cs (an IOpCaseSource)");
            }
            foreach (var cpu in Directory.GetFiles(Path.Combine(OpsDirectory, folder), "*.Cpu.cs"))
            {
                var kernel = $"{folder}/{Path.GetFileName(cpu)[..^".Cpu.cs".Length]}";
                if (!kernels.Contains(kernel))
                {
                    missing.Add($"kernel {kernel} ({Path.GetFileName(cpu)}) has no case with Kernel = \"{kernel}\" in {folder}/{folder}.Cases.cs");
                }
            }
        }
        Assert.True(missing.Count == 0, string.Join("\n", missing));
    }

    [Fact]
    public void EveryCaseNamesAKernelThatExists()
    {
        var unknown = OpCaseTable.All
            .Where(c => !new[] { ".cs", ".Cpu.cs" }.Any(ext => File.Exists(Path.Combine(OpsDirectory, c.Op, c.Kernel.Split('/')[1] + ext))))
            .Select(c => $"case '{c.Name}': Kernel \"{c.Kernel}\" is neither src/Engine/Ops/{c.Kernel}.cs nor {c.Kernel}.Cpu.cs")
            .ToArray();
        Assert.True(unknown.Length == 0, string.Join("\n", unknown));
    }

    /// <summary>
    /// Ops computed by a Compute (optimizer, Fisher and fill kernels with no gradient) and rounding casts (straight-through
    /// gradient, checked exactly in BFloat16Tests) are the only ones without a gradient check.
    /// </summary>
    [Fact]
    public void EveryDifferentiableKernelIsGradientChecked()
    {
        var unchecked_ = OpCaseTable.All.Where(c => c.Function is not null && !c.StraightThroughGradient).GroupBy(c => c.Kernel)
            .Where(g => !g.Any(c => c.Checks.HasFlag(OpChecks.Gradient)))
            .Select(g => $"{g.Key}: no case with OpChecks.Gradient (add one at small shapes)")
            .ToArray();
        Assert.True(unchecked_.Length == 0, string.Join("\n", unchecked_));
    }

    /// <summary>The gradient check evaluates the op twice per input element: keep those cases small so the suite stays fast.</summary>
    [Fact]
    public void GradientCheckedCasesAreSmall()
    {
        const int limit = 1500;
        var large = OpCaseTable.All.Where(c => c.Checks.HasFlag(OpChecks.Gradient))
            .Select(c => (c.Name, Elements: c.Inputs.Sum(i => i.Shape.Aggregate(1, (a, b) => a * b))))
            .Where(c => c.Elements > limit)
            .Select(c => $"'{c.Name}' has {c.Elements} input elements (> {limit}): give it Checks = OpChecks.Parity and add a small case")
            .ToArray();
        Assert.True(large.Length == 0, string.Join("\n", large));
    }

    /// <summary>
    /// The kernel benchmark (<c>ntr bench kernels</c>) is driven by the table: every kernel that has a case (and so, by
    /// <see cref="EveryOpFolderAndKernelHasACase"/>, every op folder and every <c>X.Cpu.cs</c>) has one it times.
    /// </summary>
    [Fact]
    public void EveryKernelHasABenchmarkCase()
    {
        var benchmarked = OpCaseTable.All.Where(c => c.Checks.HasFlag(OpChecks.Benchmark)).Select(c => c.Kernel).ToHashSet(StringComparer.Ordinal);
        var missing = OpCaseTable.All.Select(c => c.Kernel).Distinct().Order(StringComparer.Ordinal)
            .Where(k => !benchmarked.Contains(k))
            .Select(k => $"{k}: no case with OpChecks.Benchmark in src/Engine/Ops/{k.Split('/')[0]}/{k.Split('/')[0]}.Cases.cs (add one at a model's real layer shape)")
            .ToArray();
        Assert.True(missing.Length == 0, string.Join("\n", missing));
        Assert.All(OpCaseTable.All.Where(c => c.Checks.HasFlag(OpChecks.Benchmark)), c => Assert.True(c.Function is not null || c.Prepare is not null, c.Name));
    }

    [Fact]
    public void ABenchmarkCaseMustBeTimeableApartFromItsSetUp()
    {
        var computeOnly = OpCase.Comparison("Vector/VectorOps", "compute only", 0, _ => [[0.0]]) with { Checks = OpChecks.Parity | OpChecks.Benchmark };
        Assert.Contains("needs a Function or a Prepare", OpCaseTable.Problem(computeOnly));
        Assert.Null(OpCaseTable.Problem(computeOnly with { Checks = OpChecks.Parity }));
        var prepared = OpCase.Prepared("Vector/VectorOps", "prepared", 0, _ => new(() => { }, () => [], 0)) with { Checks = OpChecks.Parity | OpChecks.Benchmark };
        Assert.Null(OpCaseTable.Problem(prepared));
    }

    /// <summary>A prepared case's parity Compute prepares once, runs the call once, then reads what it left.</summary>
    [Fact]
    public void APreparedCaseComputesByRunningItsCallOnce()
    {
        int prepares = 0, runs = 0;
        var c = OpCase.Prepared("Vector/VectorOps", "counting", 0, _ =>
        {
            prepares++;
            return new(() => runs++, () => [[prepares, runs]], 0);
        });
        Assert.Equal([[1.0, 1.0]], c.Compute!(Device.Cpu));
        Assert.Equal([[2.0, 2.0]], c.Compute!(Device.Cpu));
    }

    [Fact]
    public void EveryCaseIsCheckedSomewhereAndNamesAreUnique()
    {
        Assert.True(OpCaseTable.All.Count >= 100, $"only {OpCaseTable.All.Count} op cases");
        Assert.Equal(OpCaseTable.All.Count, OpCaseTable.All.Select(c => c.Name).Distinct().Count());
        Assert.All(OpCaseTable.All, c => Assert.NotEqual(OpChecks.None, c.Checks));
    }
}
