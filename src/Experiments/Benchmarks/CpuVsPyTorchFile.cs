using System.Globalization;
using System.Runtime.InteropServices;

namespace NativeTrustRegion.Experiments.Benchmarks;

/// <summary>
/// The JSON layout of a <c>cpu-vs-pytorch-*.json</c> report (camelCase through <see cref="BenchmarkJsonContext"/>): the
/// machine and command, what the ratios mean, and one entry per (preset, batch, threads) pair with the raw block times.
/// Times are rounded to 3 decimals, ratios to 4.
/// </summary>
public sealed record CpuVsPyTorchFile(
    string Device,
    int Cores,
    string Host,
    string Date,
    string Command,
    string OperatingSystem,
    string Runtime,
    string Gemm,
    string Torch,
    string? LoadAverageAtEnd,
    bool Complete,
    string Ratio,
    string CpuTimeRatio,
    string Step,
    int Rounds,
    int StepsPerBlock,
    int SettleMs,
    IReadOnlyList<CpuVsPyTorchFile.PairEntry> Results)
{
    public const string RatioMeaning = "our steps/s over PyTorch's = PyTorch's median wall ms/step over ours (> 1: ours is faster)";

    public const string CpuTimeRatioMeaning = "the same from each process's CPU time per step: the work done, robust to other load on one thread; counts every thread's time (and spinning) on several";

    public const string StepMeaning = "forward, backward, Adam (lr 2e-4) of the ε-prediction loss on fixed random data; ours is `ntr bench train`'s finetune step, PyTorch's is tools/reference/cpu_step_worker.py";

    public sealed record PairEntry(
        string Preset,
        int Batch,
        int Threads,
        long Parameters,
        double Ratio,
        double CpuTimeRatio,
        double OursMedianMs,
        double PytorchMedianMs,
        double OursStepsPerSecond,
        double PytorchStepsPerSecond,
        IReadOnlyList<double> RoundRatios,
        int OursWarmupSteps,
        int PytorchWarmupSteps,
        IReadOnlyDictionary<string, string> PytorchEnvironment,
        IReadOnlyList<string?> LoadAverages,
        IReadOnlyList<IReadOnlyList<double>> OursBlocksMs,
        IReadOnlyList<IReadOnlyList<double>> PytorchBlocksMs,
        IReadOnlyList<IReadOnlyList<double>> OursCpuBlocksMs,
        IReadOnlyList<IReadOnlyList<double>> PytorchCpuBlocksMs);

    public static CpuVsPyTorchFile From(CpuVsPyTorchSettings s, IReadOnlyList<CpuVsPyTorchPair> pairs, string torchVersion, DateTime started, bool complete) =>
        new(BenchmarkMachine.CpuModel(), Environment.ProcessorCount, Environment.MachineName,
            started.ToString("O", CultureInfo.InvariantCulture), s.Command, RuntimeInformation.OSDescription,
            RuntimeInformation.FrameworkDescription, Engine.Backends.Cpu.Gemm.Description, torchVersion,
            BenchmarkMachine.LoadAverageNow(), complete, RatioMeaning, CpuTimeRatioMeaning, StepMeaning, s.Rounds, s.StepsPerBlock, s.SettleMilliseconds,
            pairs.Select(p => new PairEntry(
                p.Preset, p.Batch, p.Threads, p.Parameters, Math.Round(p.Ratio, 4), Math.Round(p.CpuTimeRatio, 4),
                Math.Round(p.OurMedianMs, 3), Math.Round(p.TorchMedianMs, 3), Math.Round(1000 / p.OurMedianMs, 3),
                Math.Round(1000 / p.TorchMedianMs, 3), Rounded(p.RoundRatios), p.OurWarmupSteps, p.TorchWarmupSteps,
                p.PyTorchSettings, p.LoadAverages, p.OurBlocksMs.Select(Rounded).ToArray(), p.TorchBlocksMs.Select(Rounded).ToArray(),
                p.OurCpuBlocksMs.Select(Rounded).ToArray(), p.TorchCpuBlocksMs.Select(Rounded).ToArray())).ToArray());

    private static IReadOnlyList<double> Rounded(IEnumerable<double> values) => values.Select(v => Math.Round(v, 3)).ToArray();
}
