using System.Text.Json;
using System.Text.Json.Serialization;
using NativeTrustRegion.Continual.Training;
using NativeTrustRegion.Engine;

namespace NativeTrustRegion.Experiments.Configuration;

/// <summary>How tasks are evaluated after training and probed during it.</summary>
public sealed record EvaluationSettings
{
    /// <summary>Generated samples per task for FID and sample accuracy (images), or rollouts per task (control).</summary>
    public int SamplesPerTask { get; init; } = 500;

    /// <summary>DDIM steps for evaluation samples (the paper: 50).</summary>
    public int DdimSteps { get; init; } = 50;

    /// <summary>Held-out samples per task in the re-convergence probe.</summary>
    public int ProbeSamplesPerTask { get; init; } = 32;

    public int[] ProbeTimesteps { get; init; } = [50, 200, 400, 600, 800, 950];

    /// <summary>Probe every step for this many steps after a transition, then geometrically sparser.</summary>
    public int ProbeDenseSteps { get; init; } = 10;

    public double ProbeGrowth { get; init; } = 1.25;

    /// <summary>
    /// What the re-convergence probe measures: the held-out denoising loss (cheap) or the task's own metric with
    /// <see cref="ProbeTaskMetricSamples"/> samples.
    /// </summary>
    public ProbeMetricKind ProbeMetric { get; init; } = ProbeMetricKind.DenoisingLoss;

    public int ProbeTaskMetricSamples { get; init; } = 20;
}

/// <summary>Everything that defines a run; written to config.json in the run folder and read back by `ntr resume`.</summary>
public sealed record ExperimentConfig
{
    public required string Preset { get; init; }

    public required string Method { get; init; }

    public ulong Seed { get; init; } = 123;

    public ExperimentDomain Domain { get; init; } = ExperimentDomain.Image;

    /// <summary>embedded, mnist, fashion-mnist, imagenet32 (images) or cw10 (control).</summary>
    public required string Dataset { get; init; }

    /// <summary>Class ids of each task (images).</summary>
    public int[][] TaskClasses { get; init; } = [];

    /// <summary>Task names (control).</summary>
    public string[] ControlTasks { get; init; } = [];

    /// <summary>Demonstrations, executed action chunk and teacher-rollout replay (control).</summary>
    public ControlSettings Control { get; init; } = new();

    /// <summary>Training images per class kept (0 = all).</summary>
    public int TrainPerClass { get; init; }

    /// <summary>Held-out images per class used for FID references and probes (0 = all).</summary>
    public int HeldOutPerClass { get; init; }

    public required string ModelPreset { get; init; }

    public required Hyperparameters Hyper { get; init; }

    public required int StepsPerTask { get; init; }

    /// <summary>Where the run trains: "cpu", "cuda" or "cuda:N" in config.json.</summary>
    [JsonConverter(typeof(DeviceJsonConverter))]
    public Device Device { get; init; } = Device.Cpu;

    /// <summary>
    /// The arithmetic of training ("fp32", "tf32", "bf16" in config.json; <see cref="TrainingPrecision"/>), or absent:
    /// the device's engine default (TF32 on a GPU unless NTR_TF32=0, fp32 on the CPU). Set with `ntr run --precision`.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public TrainingPrecision? Precision { get; init; }

    public EvaluationSettings Evaluation { get; init; } = new();

    /// <summary>Write a resumable checkpoint every this many steps (and at every task end).</summary>
    public int CheckpointEvery { get; init; } = 100;

    public int TaskCount => Domain == ExperimentDomain.Control ? ControlTasks.Length : TaskClasses.Length;

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static ExperimentConfig FromJson(string json, string source)
    {
        try
        {
            return JsonSerializer.Deserialize<ExperimentConfig>(json, Json) ?? throw new InvalidDataException($"{source}: empty configuration");
        }
        catch (JsonException e)
        {
            var known = e.Path switch
            {
                "$.domain" => $" Fix: domain is one of {string.Join(", ", Enum.GetValues<ExperimentDomain>().Select(d => d.ToName()))}.",
                "$.device" => " Fix: device is cpu, cuda or cuda:N.",
                "$.precision" => " Fix: precision is fp32, tf32 or bf16 (or leave it out for the device's default).",
                "$.evaluation.probe_metric" => $" Fix: probe_metric is one of {string.Join(", ", Enum.GetValues<ProbeMetricKind>().Select(k => k.ToName()))}.",
                "$.hyper.meta_gradient" => $" Fix: meta_gradient is one of {string.Join(", ", JsonEnumNames<Continual.Training.MetaGradientOrder>.All)}.",
                _ => "",
            };
            throw new InvalidDataException($"{source}: cannot read the configuration at {e.Path}: {e.Message}{known}", e);
        }
    }
}
