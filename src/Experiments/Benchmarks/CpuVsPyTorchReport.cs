using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace NativeTrustRegion.Experiments.Benchmarks;

/// <summary>Writes a <see cref="CpuVsPyTorchComparison"/> as benchmarks/results/cpu-vs-pytorch-&lt;host&gt;-&lt;date&gt;.json.</summary>
public static class CpuVsPyTorchReport
{
    public static string Write(CpuVsPyTorchSettings s, IReadOnlyList<CpuVsPyTorchPair> pairs, string torchVersion, DateTime started, string folder, bool complete)
    {
        Directory.CreateDirectory(folder);
        var host = new string(Environment.MachineName.ToLowerInvariant().Select(c => char.IsLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');
        var path = Path.Combine(folder, $"cpu-vs-pytorch-{host}-{started:yyyyMMdd-HHmmss}.json");
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteString("device", BenchmarkMachine.CpuModel());
        json.WriteNumber("cores", Environment.ProcessorCount);
        json.WriteString("host", Environment.MachineName);
        json.WriteString("date", started.ToString("O", CultureInfo.InvariantCulture));
        json.WriteString("command", s.Command);
        json.WriteString("operatingSystem", RuntimeInformation.OSDescription);
        json.WriteString("runtime", RuntimeInformation.FrameworkDescription);
        json.WriteString("gemm", Engine.Backends.Cpu.Gemm.Description);
        json.WriteString("torch", torchVersion);
        json.WriteString("loadAverageAtEnd", BenchmarkMachine.LoadAverageNow());
        json.WriteBoolean("complete", complete);
        json.WriteString("ratio", "our steps/s over PyTorch's = PyTorch's median wall ms/step over ours (> 1: ours is faster)");
        json.WriteString("cpuTimeRatio", "the same from each process's CPU time per step: the work done, robust to other load on one thread; counts every thread's time (and spinning) on several");
        json.WriteString("step", "forward, backward, Adam (lr 2e-4) of the ε-prediction loss on fixed random data; ours is `ntr bench train`'s finetune step, PyTorch's is tools/reference/cpu_step_worker.py");
        json.WriteNumber("rounds", s.Rounds);
        json.WriteNumber("stepsPerBlock", s.StepsPerBlock);
        json.WriteStartArray("results");
        foreach (var p in pairs)
        {
            json.WriteStartObject();
            json.WriteString("preset", p.Preset);
            json.WriteNumber("batch", p.Batch);
            json.WriteNumber("threads", p.Threads);
            json.WriteNumber("parameters", p.Parameters);
            json.WriteNumber("ratio", Math.Round(p.Ratio, 4));
            json.WriteNumber("cpuTimeRatio", Math.Round(p.CpuTimeRatio, 4));
            json.WriteNumber("oursMedianMs", Math.Round(p.OurMedianMs, 3));
            json.WriteNumber("pytorchMedianMs", Math.Round(p.TorchMedianMs, 3));
            json.WriteNumber("oursStepsPerSecond", Math.Round(1000 / p.OurMedianMs, 3));
            json.WriteNumber("pytorchStepsPerSecond", Math.Round(1000 / p.TorchMedianMs, 3));
            WriteNumbers(json, "roundRatios", p.RoundRatios);
            json.WriteNumber("oursWarmupSteps", p.OurWarmupSteps);
            json.WriteNumber("pytorchWarmupSteps", p.TorchWarmupSteps);
            json.WriteStartObject("pytorchEnvironment");
            foreach (var (key, value) in p.PyTorchSettings)
            {
                json.WriteString(key, value);
            }
            json.WriteEndObject();
            json.WriteStartArray("loadAverages");
            foreach (var l in p.LoadAverages)
            {
                json.WriteStringValue(l);
            }
            json.WriteEndArray();
            json.WriteStartArray("oursBlocksMs");
            foreach (var b in p.OurBlocksMs)
            {
                WriteNumbers(json, null, b);
            }
            json.WriteEndArray();
            json.WriteStartArray("pytorchBlocksMs");
            foreach (var b in p.TorchBlocksMs)
            {
                WriteNumbers(json, null, b);
            }
            json.WriteEndArray();
            json.WriteStartArray("oursCpuBlocksMs");
            foreach (var b in p.OurCpuBlocksMs)
            {
                WriteNumbers(json, null, b);
            }
            json.WriteEndArray();
            json.WriteStartArray("pytorchCpuBlocksMs");
            foreach (var b in p.TorchCpuBlocksMs)
            {
                WriteNumbers(json, null, b);
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
        return path;
    }

    private static void WriteNumbers(Utf8JsonWriter json, string? name, IEnumerable<double> values)
    {
        if (name is null)
        {
            json.WriteStartArray();
        }
        else
        {
            json.WriteStartArray(name);
        }
        foreach (var v in values)
        {
            json.WriteNumberValue(Math.Round(v, 3));
        }
        json.WriteEndArray();
    }
}
