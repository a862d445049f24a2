using System.CommandLine;
using NativeTrustRegion.Cli.Commands.Bench;

namespace NativeTrustRegion.Cli.Commands;

/// <summary>
/// `ntr bench kernels`: the op-case table's benchmark cases timed on one device (the engine's KernelBenchmarkSuite); `ntr bench train`: full
/// training steps per continual method; `ntr bench export-batches` / `loss-track`: the loss-tracking comparison with
/// the PyTorch reference (tools/reference). JSON to benchmarks/results.
/// </summary>
public static class BenchCommand
{
    public static Command Build()
    {
        var command = new Command("bench", "benchmarks");
        command.Add(KernelBenchmarkCommand.Build());
        command.Add(TrainBenchmarkCommand.Build());
        command.Add(CpuVsPyTorchCommand.Build());
        command.Add(ExportBatchesCommand.Build());
        command.Add(LossTrackCommand.Build());
        return command;
    }
}
