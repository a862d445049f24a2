using System.Diagnostics;
using System.Text.Json;

namespace NativeTrustRegion.Experiments.Benchmarks;

/// <summary>
/// A running tools/reference/cpu_step_worker.py: PyTorch's twin of a preset's training step on the CPU, warmed up,
/// timing blocks of steps on request ("time N" on its stdin, one JSON line back).
/// </summary>
public sealed class PyTorchStepWorker : IDisposable
{
    /// <summary>How to get PyTorch where it is missing.</summary>
    public const string InstallHint = "install PyTorch for that interpreter (Debian: apt-get install python3-torch; elsewhere: pip install torch), or name one that has it with --python";

    private readonly Process _process;

    public string TorchVersion { get; }

    public long Parameters { get; }

    public int WarmupSteps { get; }

    /// <summary>The environment settings the worker ran with that affect its speed (threads, OpenMP, OpenBLAS kernels).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; private init; } = new Dictionary<string, string>();

    private PyTorchStepWorker(Process process, JsonElement ready)
    {
        _process = process;
        TorchVersion = ready.GetProperty("torch").GetString() ?? "?";
        Parameters = ready.GetProperty("parameters").GetInt64();
        WarmupSteps = ready.GetProperty("warmupSteps").GetInt32();
    }

    /// <summary>Starts the worker and waits until it has warmed up; throws <see cref="InvalidOperationException"/> saying why it could not start.</summary>
    public static PyTorchStepWorker Start(CpuVsPyTorchSettings s, string preset, int batch, int threads)
    {
        var info = new ProcessStartInfo(s.Python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { s.WorkerScript, "--preset", preset, "--batch", batch.ToString(), "--threads", threads.ToString(),
                     "--warmup", s.WarmupSteps.ToString(), "--warmup-seconds", s.WarmupSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--seed", s.Seed.ToString() })
        {
            info.ArgumentList.Add(a);
        }
        // PyTorch's own thread pools follow set_num_threads; these keep OpenMP/MKL from starting more
        info.Environment["OMP_NUM_THREADS"] = threads.ToString();
        info.Environment["MKL_NUM_THREADS"] = threads.ToString();
        // OpenMP threads that spin while they wait (GOMP's default) stall for whole scheduler slices when other work
        // shares the cores: a loaded 2-core machine made PyTorch's 2-thread step 20-60x slower than its 1-thread step.
        // Passive waiting is the setting PyTorch is best at there; an OMP_WAIT_POLICY set by the caller wins.
        if (Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is null)
        {
            info.Environment["OMP_WAIT_POLICY"] = "PASSIVE";
        }
        // PyTorch's matrix products go through the same OpenBLAS: give it the kernels our engine uses
        if (Engine.Backends.Cpu.Gemm.OpenBlasCore is { } core)
        {
            info.Environment["OPENBLAS_CORETYPE"] = core;
        }
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {s.Python}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"could not start the Python interpreter '{s.Python}' ({e.Message}): {InstallHint}");
        }
        var stderr = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (stderr)
                {
                    stderr.AppendLine(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();
        var line = process.StandardOutput.ReadLine();
        JsonElement ready = default;
        var ok = line is not null && TryParse(line, out ready) && ready.TryGetProperty("ready", out _);
        if (!ok)
        {
            process.WaitForExit(5000);
            string err;
            lock (stderr)
            {
                err = stderr.ToString();
            }
            // the worker's own error line, else the last line it wrote to stderr (a Python error's message is its last line)
            var lastErr = err.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
            var why = line is not null && TryParse(line, out var e) && e.TryGetProperty("error", out var m) ? m.GetString() : (line ?? lastErr);
            if (!process.HasExited)
            {
                process.Kill();
            }
            var missing = err.Contains("No module named 'torch'", StringComparison.Ordinal) || (why?.Contains("PyTorch is not installed", StringComparison.Ordinal) ?? false);
            throw new InvalidOperationException(missing
                ? $"PyTorch is not installed for {s.Python}: {InstallHint}"
                : $"the PyTorch worker ({s.Python} {s.WorkerScript}) did not start: {Last(why ?? "", 800)}");
        }
        var settings = new Dictionary<string, string>();
        foreach (var key in new[] { "OMP_NUM_THREADS", "OMP_WAIT_POLICY", "OPENBLAS_CORETYPE" })
        {
            if (info.Environment.TryGetValue(key, out var value) && value is not null)
            {
                settings[key] = value;
            }
        }
        return new PyTorchStepWorker(process, ready) { Settings = settings };
    }

    /// <summary>Times <paramref name="steps"/> steps: each one's wall time and the worker process's CPU time, in milliseconds.</summary>
    public (double[] Wall, double[] Cpu) Time(int steps)
    {
        _process.StandardInput.WriteLine($"time {steps}");
        _process.StandardInput.Flush();
        var line = _process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("the PyTorch worker exited while timing");
        if (!TryParse(line, out var reply) || !reply.TryGetProperty("stepMs", out var ms) || !reply.TryGetProperty("cpuMs", out var cpu))
        {
            throw new InvalidOperationException($"unexpected reply from the PyTorch worker: {Last(line, 400)}");
        }
        return (ms.EnumerateArray().Select(e => e.GetDouble()).ToArray(), cpu.EnumerateArray().Select(e => e.GetDouble()).ToArray());
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.WriteLine("quit");
                _process.StandardInput.Flush();
                if (!_process.WaitForExit(10_000))
                {
                    _process.Kill();
                }
            }
        }
        catch (IOException)
        {
        }
        _process.Dispose();
    }

    private static bool TryParse(string line, out JsonElement element)
    {
        try
        {
            element = JsonDocument.Parse(line).RootElement;
            return element.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            element = default;
            return false;
        }
    }

    private static string Last(string text, int chars) => text.Length <= chars ? text : "…" + text[^chars..];
}
