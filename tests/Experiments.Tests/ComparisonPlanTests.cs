using NativeTrustRegion.Engine;
using NativeTrustRegion.Experiments.Running;

namespace NativeTrustRegion.Experiments.Tests;

public sealed class ComparisonPlanTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ntr-plan-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private ComparisonPlan Plan(string name, int workers) => new()
    {
        Preset = "demo",
        Methods = ["finetune", "trust-region"],
        Seeds = [7],
        Directory = Path.Combine(_dir, name),
        Workers = workers,
        Adjust = c => RunnerTests.Tiny(c.Method) with { Seed = c.Seed },
    };

    [Fact]
    public void RunsTrainedSideBySideOnOneCoreEachGiveTheSameResultsAsOneAfterTheOther()
    {
        var sequential = Plan("sequential", 1);
        Assert.Equal(1, sequential.WorkersFor(2));
        var parallel = Plan("parallel", 2);
        Assert.Equal(2, parallel.WorkersFor(2));
        Assert.Equal(1, parallel.WorkersFor(1));

        var labels = new System.Collections.Concurrent.ConcurrentBag<(string Label, int Thread)>();
        IRunProgress Progress(string label)
        {
            labels.Add((label, Environment.CurrentManagedThreadId));
            return SilentProgress.Instance;
        }
        var a = sequential.Execute(Progress).Runs;
        var seenSequential = labels.Select(l => l.Thread).Distinct().Count();
        labels.Clear();
        var b = parallel.Execute(Progress).Runs;

        Assert.Equal(1, seenSequential);
        Assert.Equal(2, labels.Select(l => l.Thread).Distinct().Count());
        Assert.Equal(["finetune", "trust-region"], b.Select(r => r.Method));
        for (var r = 0; r < a.Count; r++)
        {
            Assert.Equal(a[r].Method, b[r].Method);
            for (var i = 0; i < a[r].Matrix.Length; i++)
            {
                for (var j = 0; j < a[r].Matrix[i].Length; j++)
                {
                    // bit-identical: each output of a CPU kernel is computed whole by one block in a fixed order
                    Assert.Equal(a[r].Matrix[i][j], b[r].Matrix[i][j]);
                }
            }
            Assert.Equal(a[r].Probes.Select(p => p.Value), b[r].Probes.Select(p => p.Value));
        }
        Assert.True(File.Exists(Path.Combine(_dir, "parallel", "report.md")));
    }

    [Fact]
    public void ThreadLimitAppliesToTheCallingThreadOnly()
    {
        IBackend host = BackendRegistry.CpuBackend;
        var budget = host.ThreadBudget;
        using (host.LimitThreads(1))
        {
            Assert.Equal(1, host.ThreadBudget);
            var other = 0;
            var t = new Thread(() => other = host.ThreadBudget);
            t.Start();
            t.Join();
            Assert.Equal(budget, other);
        }
        Assert.Equal(budget, host.ThreadBudget);
    }
}
