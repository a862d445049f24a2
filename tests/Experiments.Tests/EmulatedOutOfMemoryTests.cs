using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace NativeTrustRegion.Experiments.Tests;

/// <summary>
/// Issue 14's GPU out of memory, end to end on the emulated CUDA device: a real `ntr run --device cuda-emulated` whose
/// device memory is limited (NTR_EMULATED_MEMORY_BYTES, the emulator answers CUDA_ERROR_OUT_OF_MEMORY past it) to less
/// than a training step of the demo preset needs. The user sees one message naming the preset, model, batch, device and
/// the memory asked for and free, exit code 1, no stack trace, and the run folder holds no checkpoint and no
/// half-written file. `ntr` runs in a child process: the emulator choice is fixed per process.
/// </summary>
public sealed class EmulatedOutOfMemoryTests : IDisposable
{
    // enough for the demo model's weights (under 1 MiB) but not for a batch-24 training step (tens of MiB)
    private const long MemoryLimit = 8_000_000;

    private readonly string _dir = Directory.CreateTempSubdirectory("ntr-emulated-oom-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task ARunThatDoesNotFitStopsWithTheDocumentedMessageAndLeavesNoPartialCheckpoint()
    {
        var folder = Path.Combine(_dir, "run");
        var (exitCode, stdout, stderr) = await Ntr(
            "run", "--method", "finetune", "--preset", "demo", "--device", "cuda-emulated",
            "--steps-per-task", "2", "--tasks", "1", "--eval-samples", "2", "--out", folder);
        var output = $"exit code {exitCode}\nstdout:\n{stdout}\nstderr:\n{stderr}";

        Assert.True(exitCode == 1, output);
        // the batch and model in the message are the run's own (config.json, written before any work on the device)
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "config.json")));
        var model = config.RootElement.GetProperty("model_preset").GetString();
        var batch = config.RootElement.GetProperty("hyper").GetProperty("batch_size").GetInt32();
        Assert.Equal("cuda-emulated", config.RootElement.GetProperty("device").GetString());
        Assert.Contains($"error: out of GPU memory while training step 1 of task 1 (preset demo, model {model}, batch {batch}, device cuda-emulated): ", stderr);

        // the memory asked for and free, in MiB: more was asked than was free, and the device's total is the limit
        var numbers = Regex.Match(stderr, @"could not allocate ([0-9.]+) MiB \(live tensors [0-9.]+ MiB, device free ([0-9.]+) MiB of ([0-9.]+) MiB");
        Assert.True(numbers.Success, output);
        double Mib(int group) => double.Parse(numbers.Groups[group].Value, CultureInfo.InvariantCulture);
        Assert.True(Mib(1) > Mib(2), $"asked for {Mib(1)} MiB with {Mib(2)} MiB free: {output}");
        Assert.Equal(MemoryLimit / 1048576.0, Mib(3), 0.05);
        Assert.Contains("No checkpoint was written yet; lower batch_size", stderr);

        // one message, no stack trace, no crash report
        Assert.DoesNotMatch(new Regex(@"^\s+at \S", RegexOptions.Multiline), stderr + stdout);
        Assert.DoesNotContain("Exception", stderr + stdout);
        Assert.DoesNotContain("unexpected", stderr);

        // nothing half-written: no checkpoint, no temporary file, no results; the logs hold whole lines only
        var files = Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(folder, f)).ToArray();
        Assert.DoesNotContain(files, f => f.EndsWith(".safetensors", StringComparison.Ordinal) || f.EndsWith(".tmp", StringComparison.Ordinal));
        Assert.DoesNotContain("results.json", files);
        foreach (var log in new[] { "metrics.jsonl", "evaluations.jsonl" }.Select(name => Path.Combine(folder, name)).Where(File.Exists))
        {
            var text = File.ReadAllText(log);
            Assert.True(text.Length == 0 || text.EndsWith('\n'), $"{log} ends in a partial line");
            foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                using var _ = JsonDocument.Parse(line);
            }
        }
        // the reason is kept in the folder for `ntr status`
        Assert.Contains("out of GPU memory", File.ReadAllText(Path.Combine(folder, "failure.txt")));
    }

    private static Task<(int ExitCode, string Stdout, string Stderr)> Ntr(params string[] args) =>
        NtrChildProcess.Run(new Dictionary<string, string> { ["NTR_EMULATED_MEMORY_BYTES"] = MemoryLimit.ToString(CultureInfo.InvariantCulture) }, args);
}
