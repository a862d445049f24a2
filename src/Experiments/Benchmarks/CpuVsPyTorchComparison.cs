using System.Diagnostics;
using NativeTrustRegion.Continual.Methods;
using NativeTrustRegion.Continual.Replay;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Backends.Cpu;

namespace NativeTrustRegion.Experiments.Benchmarks;

/// <summary>One preset at one thread count: every step time of both engines, block by block, and the load around each round.</summary>
public sealed record CpuVsPyTorchPair(
    string Preset,
    int Batch,
    int Threads,
    long Parameters,
    int OurWarmupSteps,
    int TorchWarmupSteps,
    IReadOnlyList<double[]> OurBlocksMs,
    IReadOnlyList<double[]> TorchBlocksMs,
    IReadOnlyList<double[]> OurCpuBlocksMs,
    IReadOnlyList<double[]> TorchCpuBlocksMs,
    IReadOnlyList<string?> LoadAverages,
    IReadOnlyDictionary<string, string> PyTorchSettings)
{
    /// <summary>
    /// The same ratio from process CPU time per step instead of wall time: on one thread it is the work each engine
    /// does, and much less disturbed by other processes on a shared machine than wall time (which waits for the CPU);
    /// on several threads it counts every thread's time (and spinning), so only the wall ratio says who is faster there.
    /// </summary>
    public double CpuTimeRatio => Median(TorchCpuBlocksMs.SelectMany(b => b)) / Median(OurCpuBlocksMs.SelectMany(b => b));

    public double OurMedianMs => Median(OurBlocksMs.SelectMany(b => b));

    public double TorchMedianMs => Median(TorchBlocksMs.SelectMany(b => b));

    /// <summary>Our steps/s over PyTorch's, from the medians of all steps.</summary>
    public double Ratio => TorchMedianMs / OurMedianMs;

    /// <summary>The ratio of each round's block medians (ours against the PyTorch block right after it): their spread shows the noise.</summary>
    public double[] RoundRatios => OurBlocksMs.Zip(TorchBlocksMs, (o, t) => Median(t) / Median(o)).ToArray();

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : 0.5 * (sorted[mid - 1] + sorted[mid]);
    }
}

/// <summary>
/// Our CPU training step against PyTorch's twin (tools/reference/cpu_step_worker.py) in one run: for each preset and
/// thread count, both warmed up, then blocks of steps alternating ours, PyTorch, ours, PyTorch, … so that load from
/// other work on a shared machine falls on both alike. Our step is <c>ntr bench train</c>'s "finetune" step (forward,
/// backward, Adam, inside a tensor scope), timed with a stopwatch.
/// </summary>
public sealed class CpuVsPyTorchComparison(CpuVsPyTorchSettings settings, TextWriter log)
{
    public IReadOnlyList<CpuVsPyTorchPair> Run(Action<IReadOnlyList<CpuVsPyTorchPair>>? progress = null)
    {
        settings.Validate();
        var pairs = new List<CpuVsPyTorchPair>();
        foreach (var (preset, batch) in settings.Models)
        {
            foreach (var threads in settings.Threads)
            {
                CpuVsPyTorchPair pair;
                using (BackendRegistry.CpuBackend.LimitThreads(threads))
                {
                    pair = RunPair(preset, batch, threads);
                }
                pairs.Add(pair);
                log.WriteLine($"{preset,-12} batch {batch,3}  {threads} thread{(threads == 1 ? " " : "s")}  ours {pair.OurMedianMs,8:F1} ms  PyTorch {pair.TorchMedianMs,8:F1} ms" +
                    $"  ratio {pair.Ratio,5:F2}  CPU-time ratio {pair.CpuTimeRatio,5:F2}  (rounds {string.Join(" ", pair.RoundRatios.Select(r => r.ToString("F2")))}; load {pair.LoadAverages[^1]})");
                progress?.Invoke(pairs);
            }
        }
        return pairs;
    }

    private CpuVsPyTorchPair RunPair(string preset, int batch, int threads)
    {
        var benchSettings = new TrainingBenchmarkSettings { Preset = preset, Batch = batch, Workload = PaperWorkload.For(preset), Seed = settings.Seed };
        var ctx = BenchmarkContext.Create(benchSettings, new ConditionalSampleReplay());
        var method = MethodTable.Create("finetune");
        method.BeginTask(ctx, 0);
        var step = 0;
        void OurStep()
        {
            using var scope = TensorScope.Begin();
            method.Step(ctx, 0, ++step);
        }
        var clock = Stopwatch.StartNew();
        while (step < settings.WarmupSteps || clock.Elapsed.TotalSeconds < settings.WarmupSeconds)
        {
            OurStep();
        }
        var ourWarmup = step;
        using var torch = PyTorchStepWorker.Start(settings, preset, batch, threads);
        if (torch.Parameters != ctx.Parameters.Count)
        {
            throw new InvalidOperationException($"{preset}: the PyTorch twin has {torch.Parameters:N0} parameters, ours {ctx.Parameters.Count:N0}; the reference in tools/reference is out of date");
        }
        var ours = new List<double[]>();
        var theirs = new List<double[]>();
        var oursCpu = new List<double[]>();
        var theirsCpu = new List<double[]>();
        using var self = Process.GetCurrentProcess();
        var loads = new List<string?> { BenchmarkMachine.LoadAverageNow() };
        for (var round = 0; round < settings.Rounds; round++)
        {
            var block = new double[settings.StepsPerBlock];
            var cpuBlock = new double[settings.StepsPerBlock];
            Thread.Sleep(settings.SettleMilliseconds);
            for (var i = 0; i < block.Length; i++)
            {
                self.Refresh();
                var cpu0 = self.TotalProcessorTime;
                var t0 = Stopwatch.GetTimestamp();
                OurStep();
                block[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                self.Refresh();
                cpuBlock[i] = (self.TotalProcessorTime - cpu0).TotalMilliseconds;
            }
            ours.Add(block);
            oursCpu.Add(cpuBlock);
            Thread.Sleep(settings.SettleMilliseconds);
            var (wall, cpuTimes) = torch.Time(settings.StepsPerBlock);
            theirs.Add(wall);
            theirsCpu.Add(cpuTimes);
            loads.Add(BenchmarkMachine.LoadAverageNow());
        }
        var result = new CpuVsPyTorchPair(preset, batch, threads, ctx.Parameters.Count, ourWarmup, torch.WarmupSteps, ours, theirs, oursCpu, theirsCpu, loads, torch.Settings);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        ctx.Parameters.Data.Backend.Pool.Trim();
        return result;
    }
}
