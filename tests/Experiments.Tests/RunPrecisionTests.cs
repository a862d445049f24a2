using System.Text.Json;
using NativeTrustRegion.Cli;
using NativeTrustRegion.Experiments.Configuration;
using Spectre.Console;

namespace NativeTrustRegion.Experiments.Tests;

/// <summary>
/// `ntr run --precision`: the precision is written to config.json (so `ntr resume` keeps it) and the runner trains in
/// it — a bf16 run's losses differ from the fp32 run's of the same seed by about bf16's rounding (checked: within
/// 2e-2 relative, not equal); a precision the device cannot run, or an unknown one, is refused before anything is
/// written. Two 2-step demo runs, about 15 s.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class RunPrecisionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ntr-run-precision-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Exit, string Output, string Error) Ntr(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        lock (Program.ConsoleLock) // no concurrent Program.Run may write into these writers
        {
            var (previousOut, previousError, previousConsole) = (Console.Out, Console.Error, AnsiConsole.Console);
            Console.SetOut(output);
            Console.SetError(error);
            AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No, Out = new AnsiConsoleOutput(output) });
            try
            {
                return (Program.Main(args), output.ToString(), error.ToString());
            }
            finally
            {
                Console.SetOut(previousOut);
                Console.SetError(previousError);
                AnsiConsole.Console = previousConsole;
            }
        }
    }

    private string[] Run(string precision, string folder) =>
        ["run", "--method", "finetune", "--preset", "demo", "--steps-per-task", "2", "--tasks", "1", "--eval-samples", "2", "--precision", precision, "--out", Path.Combine(_dir, folder)];

    private double[] Losses(string folder) =>
        File.ReadLines(Path.Combine(_dir, folder, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("loss").GetDouble()).ToArray();

    [Fact]
    public void Bf16RunWritesItsPrecisionAndTrainsInBf16()
    {
        var bf16 = Ntr(Run("bf16", "bf16"));
        Assert.True(bf16.Exit == 0, bf16.Error);
        var fp32 = Ntr(Run("fp32", "fp32"));
        Assert.True(fp32.Exit == 0, fp32.Error);
        var config = ExperimentConfig.FromJson(File.ReadAllText(Path.Combine(_dir, "bf16", "config.json")), "config.json");
        Assert.Equal(TrainingPrecision.Bf16, config.Precision);
        Assert.Contains("\"precision\": \"bf16\"", File.ReadAllText(Path.Combine(_dir, "bf16", "config.json")));
        Assert.Equal(TrainingPrecision.Fp32, ExperimentConfig.FromJson(File.ReadAllText(Path.Combine(_dir, "fp32", "config.json")), "config.json").Precision);
        var a = Losses("bf16");
        var b = Losses("fp32");
        Assert.Equal(2, a.Length);
        Assert.Equal(2, b.Length);
        for (var i = 0; i < 2; i++)
        {
            var relative = Math.Abs(a[i] - b[i]) / b[i];
            Assert.True(relative <= 2e-2, $"step {i + 1}: bf16 loss {a[i]:R} vs fp32 {b[i]:R} ({relative:E2} relative)");
        }
        Assert.NotEqual(b[0], a[0]);
    }

    [Theory]
    [InlineData("tf32", "GPU tensor-core mode")]
    [InlineData("fp16", "unknown precision 'fp16'; use fp32, tf32 or bf16")]
    public void PrecisionsTheDeviceCannotRunAreRefusedBeforeAnythingIsWritten(string precision, string reason)
    {
        var (exit, _, error) = Ntr(Run(precision, "refused"));
        Assert.Equal(2, exit);
        Assert.Contains(reason, error);
        Assert.False(Directory.Exists(Path.Combine(_dir, "refused")));
    }

    [Fact]
    public void PrecisionRoundTripsThroughConfigJsonAndIsAbsentWhenUnset()
    {
        var preset = ExperimentPresets.Create("demo", "finetune", 123);
        Assert.Null(preset.Precision);
        Assert.DoesNotContain("precision", preset.ToJson());
        var bf16 = preset with { Precision = TrainingPrecision.Bf16 };
        Assert.Equal(TrainingPrecision.Bf16, ExperimentConfig.FromJson(bf16.ToJson(), "config.json").Precision);
        var bad = bf16.ToJson().Replace("\"precision\": \"bf16\"", "\"precision\": \"fp8\"", StringComparison.Ordinal);
        var e = Assert.Throws<InvalidDataException>(() => ExperimentConfig.FromJson(bad, "config.json"));
        Assert.Contains("precision is fp32, tf32 or bf16", e.Message);
    }
}
