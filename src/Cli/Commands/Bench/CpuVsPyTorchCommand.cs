using System.CommandLine;
using NativeTrustRegion.Experiments.Benchmarks;
using NativeTrustRegion.Experiments.Configuration;

namespace NativeTrustRegion.Cli.Commands.Bench;

/// <summary>
/// <c>ntr bench cpu-vs-pytorch</c>: our CPU training step and PyTorch's twin timed in interleaved blocks in one run,
/// per preset and thread count; the ratios and every raw time to benchmarks/results/cpu-vs-pytorch-&lt;host&gt;-&lt;date&gt;.json
/// (see <see cref="CpuVsPyTorchComparison"/>).
/// </summary>
internal static class CpuVsPyTorchCommand
{
    public static Command Build()
    {
        var command = new Command("cpu-vs-pytorch", "time our CPU training step against PyTorch's twin (tools/reference) in interleaved blocks; ratios to benchmarks/results");
        var models = new Option<string>("--models")
        {
            Description = "comma-separated preset:batch list",
            DefaultValueFactory = _ => "image-micro:24,image-tiny:32,policy-tiny:32",
        };
        var threads = new Option<string>("--threads") { Description = "comma-separated thread counts (ours and PyTorch's alike)", DefaultValueFactory = _ => "1,2" };
        var rounds = new Option<int>("--rounds") { Description = "blocks per engine, alternating ours and PyTorch's", DefaultValueFactory = _ => 4 };
        var steps = new Option<int>("--steps") { Description = "steps per block", DefaultValueFactory = _ => 5 };
        var warmup = new Option<int>("--warmup") { Description = "untimed steps per engine first (at least)", DefaultValueFactory = _ => 5 };
        var warmupSeconds = new Option<double>("--warmup-seconds") { Description = "untimed seconds per engine first (at least)", DefaultValueFactory = _ => 3 };
        var settle = new Option<int>("--settle-ms") { Description = "pause before each timed block, so the other engine's idle threads (PyTorch's OpenBLAS pool spins ~0.1 s) stop competing", DefaultValueFactory = _ => 300 };
        var python = new Option<string?>("--python") { Description = "Python interpreter with PyTorch (default: python3, else /usr/bin/python3, where Debian's python3-torch installs)" };
        var worker = new Option<string>("--worker")
        {
            Description = "PyTorch's side (default: tools/reference/cpu_step_worker.py of the repository the command runs in)",
            DefaultValueFactory = _ => Path.Combine("tools", "reference", "cpu_step_worker.py"),
        };
        var output = new Option<string>("--out") { Description = "folder for the JSON result", DefaultValueFactory = _ => Path.Combine("benchmarks", "results") };
        var seed = new Option<ulong>("--seed") { Description = "seed of the weights and the data", DefaultValueFactory = _ => 1 };
        foreach (var option in new Option[] { models, threads, rounds, steps, warmup, warmupSeconds, settle, python, worker, output, seed })
        {
            command.Add(option);
        }
        command.SetAction(parse =>
        {
            CpuVsPyTorchSettings settings;
            try
            {
                settings = new CpuVsPyTorchSettings
                {
                    Models = ParseModels(parse.GetValue(models)!),
                    Threads = parse.GetValue(threads)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                        .Select(t => int.TryParse(t, out var n) ? n : throw new ArgumentException($"--threads: '{t}' is not a whole number")).ToArray(),
                    Rounds = parse.GetValue(rounds),
                    StepsPerBlock = parse.GetValue(steps),
                    WarmupSteps = parse.GetValue(warmup),
                    WarmupSeconds = parse.GetValue(warmupSeconds),
                    SettleMilliseconds = parse.GetValue(settle),
                    Python = parse.GetValue(python) ?? DefaultPython(),
                    WorkerScript = parse.GetValue(worker)!,
                    Seed = parse.GetValue(seed),
                    Command = CommandLineText.Of(parse),
                };
                settings.Validate();
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }
            return Run(settings, parse.GetValue(output)!);
        });
        return command;
    }

    private static (string, int)[] ParseModels(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(item =>
        {
            var parts = item.Split(':');
            if (parts.Length != 2 || !int.TryParse(parts[1], out var batch))
            {
                throw new ArgumentException($"--models: '{item}' is not preset:batch (e.g. image-tiny:32)");
            }
            if (!ModelPresetNames.All.Contains(parts[0]))
            {
                throw new ArgumentException($"--models: unknown preset '{parts[0]}'; known presets: {string.Join(", ", ModelPresetNames.All)}");
            }
            return (parts[0], batch);
        }).ToArray();

    private static int Run(CpuVsPyTorchSettings s, string outputDir)
    {
        var started = DateTime.UtcNow;
        Console.WriteLine($"{BenchmarkMachine.CpuModel()}, {Environment.ProcessorCount} cores, load {BenchmarkMachine.LoadAverageNow()}; {s.Rounds} rounds of {s.StepsPerBlock} steps per engine, interleaved");
        var torchVersion = TorchVersion(s.Python);
        if (torchVersion is null)
        {
            Console.Error.WriteLine($"bench cpu-vs-pytorch: '{s.Python}' cannot import torch: {PyTorchStepWorker.InstallHint}");
            return 2;
        }
        Console.WriteLine($"PyTorch {torchVersion} ({s.Python}), {Engine.Backends.Cpu.Gemm.Description} GEMM here");
        string? path = null;
        try
        {
            var pairs = new CpuVsPyTorchComparison(s, Console.Out).Run(partial => path = CpuVsPyTorchReport.Write(s, partial, torchVersion, started, outputDir, false));
            path = CpuVsPyTorchReport.Write(s, pairs, torchVersion, started, outputDir, true);
        }
        catch (InvalidOperationException e)
        {
            Console.Error.WriteLine($"bench cpu-vs-pytorch: {e.Message}");
            return path is null ? 2 : 1;
        }
        Console.WriteLine($"wrote {path}");
        return 0;
    }

    /// <summary>python3 when it has PyTorch, else Debian's /usr/bin/python3 when that one has it (a pyenv or venv python3 may shadow it), else python3.</summary>
    private static string DefaultPython()
    {
        foreach (var candidate in new[] { "python3", "/usr/bin/python3" })
        {
            if (TorchVersion(candidate) is not null)
            {
                return candidate;
            }
        }
        return "python3";
    }

    /// <summary>PyTorch's version for the interpreter, or null when it cannot import torch (or does not run).</summary>
    private static string? TorchVersion(string python)
    {
        try
        {
            var info = new System.Diagnostics.ProcessStartInfo(python, ["-c", "import torch; print(torch.__version__)"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var p = System.Diagnostics.Process.Start(info)!;
            var v = p.StandardOutput.ReadToEnd().Trim();
            p.StandardError.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode == 0 && v.Length > 0 ? v : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
