using System.Diagnostics;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Distributed;

namespace NativeTrustRegion.Experiments.Cluster;

/// <summary>One process `ntr run --gpus N` starts: its rank, its command line and the variables added to its environment.</summary>
public sealed record RankProcess(int Rank, IReadOnlyList<string> CommandLine, IReadOnlyDictionary<string, string> Environment)
{
    /// <summary>The process as a shell line: VAR=value … program arguments.</summary>
    public override string ToString() =>
        string.Join(' ', Environment.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}={ShellWords.Quote(v.Value)}")) + " " + ShellWords.Join(CommandLine);
}

/// <summary>
/// `ntr run --gpus N` on one node: N processes of the same `ntr run`, rank r on GPU r (`--device cuda:r`), told their
/// rank, the number of ranks and the NCCL communicator id (made once, here) through <see cref="LaunchedRank"/>'s
/// variables; the launcher waits for all of them and stops the others when one fails (they would wait forever in NCCL).
/// </summary>
public static class MultiGpuLaunch
{
    /// <summary>What the dry run prints in place of the id (ncclGetUniqueId needs libnccl.so.2).</summary>
    public const string IdPlaceholder = "<128-byte id from ncclGetUniqueId, made at launch>";

    /// <summary>
    /// The processes to start: <paramref name="runArguments"/> are `ntr run`'s arguments without `--gpus` and
    /// `--device` (each rank gets its own `--device cuda:r`) and must name the run folder with `--out`.
    /// </summary>
    public static IReadOnlyList<RankProcess> Plan(NtrCommandLine ntr, IReadOnlyList<string> runArguments, int gpus, string? ncclIdHex)
    {
        CheckCount(gpus);
        if (runArguments.Contains("--device") || runArguments.Contains("--gpus"))
        {
            throw new ArgumentException("the ranks' arguments must not carry --device or --gpus: the launcher gives rank r --device cuda:r", nameof(runArguments));
        }
        if (!runArguments.Contains("--out"))
        {
            throw new ArgumentException("the ranks' arguments must name the run folder (--out) so that every rank trains the same run", nameof(runArguments));
        }
        if (gpus > 1 && ncclIdHex is null)
        {
            throw new ArgumentNullException(nameof(ncclIdHex), "several ranks need the NCCL id");
        }
        return Enumerable.Range(0, gpus).Select(rank => new RankProcess(
            rank,
            [.. ntr.Command, "run", .. runArguments, "--device", $"cuda:{rank}"],
            gpus == 1 ? new Dictionary<string, string>() : new LaunchedRank(rank, gpus, ncclIdHex).Environment())).ToList();
    }

    /// <summary>A usable N: at least 1.</summary>
    public static void CheckCount(int gpus)
    {
        if (gpus < 1)
        {
            throw new UsageException($"--gpus {gpus} is not a number of GPUs. Fix: give --gpus 1 or more (one process per GPU).");
        }
    }

    /// <summary>
    /// The refusal when this machine has fewer than <paramref name="gpus"/> GPUs (<paramref name="available"/> from the
    /// CUDA driver, or null with <paramref name="why"/> when there is no driver), or null when there are enough.
    /// </summary>
    public static string? Refusal(int gpus, int? available, string? why)
    {
        if (available is { } n && n >= gpus)
        {
            return null;
        }
        var seen = available is { } count ? $"the CUDA driver sees {count} GPU(s)" : $"no CUDA driver was found ({why?.TrimEnd('.')})";
        var fewer = available is >= 1 ? $", use --gpus {available}" : "";
        return $"--gpus {gpus} needs {gpus} GPUs on this machine, but {seen}. Fix: run on a node with {gpus} GPUs{fewer}, " +
               "or train on CPU ranks with `mpirun -np N ntr run ...`.";
    }

    /// <summary>Starts every rank with this process's console, waits for all, and returns the first failing exit code (0 when all succeed).</summary>
    public static int Start(IReadOnlyList<RankProcess> ranks, TextWriter log)
    {
        var processes = new List<Process>();
        try
        {
            foreach (var rank in ranks)
            {
                var info = new ProcessStartInfo(rank.CommandLine[0]) { UseShellExecute = false };
                foreach (var argument in rank.CommandLine.Skip(1))
                {
                    info.ArgumentList.Add(argument);
                }
                foreach (var (name, value) in rank.Environment)
                {
                    info.Environment[name] = value;
                }
                log.WriteLine($"ntr: starting rank {rank.Rank}/{ranks.Count} on GPU {rank.Rank}");
                processes.Add(Process.Start(info) ?? throw new InvalidOperationException($"rank {rank.Rank} did not start: {rank}"));
            }
            var failure = 0;
            while (processes.Any(p => !p.HasExited))
            {
                foreach (var process in processes.Where(p => p.HasExited && p.ExitCode != 0))
                {
                    failure = failure == 0 ? process.ExitCode : failure;
                }
                if (failure != 0)
                {
                    // the others would wait for the failed rank in their next collective operation forever
                    foreach (var process in processes.Where(p => !p.HasExited))
                    {
                        log.WriteLine($"ntr: a rank failed with exit code {failure}; stopping process {process.Id}");
                        process.Kill(entireProcessTree: true);
                    }
                }
                processes.FirstOrDefault(p => !p.HasExited)?.WaitForExit(500);
            }
            return failure != 0 ? failure : processes.Select(p => p.ExitCode).FirstOrDefault(c => c != 0);
        }
        finally
        {
            processes.ForEach(p => p.Dispose());
        }
    }
}
