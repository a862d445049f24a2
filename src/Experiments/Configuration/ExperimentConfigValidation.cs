using NativeTrustRegion.Continual.Methods;
using NativeTrustRegion.Control;
using NativeTrustRegion.Data;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Models;

namespace NativeTrustRegion.Experiments.Configuration;

/// <summary>
/// Checks a whole <see cref="ExperimentConfig"/> before anything is built, loaded or written: every name (method,
/// model preset, data set, control task, device, probe metric) against its registry and every count against its
/// range. Throws a <see cref="UsageException"/> naming the bad field and the valid choices.
/// </summary>
public static class ExperimentConfigValidation
{
    public static readonly string[] Domains = ["image", "control"];

    public static readonly string[] ProbeMetrics = ["denoising-loss", "task-metric"];

    /// <summary>Throws on the first invalid field; <paramref name="source"/> (e.g. a config.json path) prefixes the message.</summary>
    public static ExperimentConfig Validate(this ExperimentConfig config, string? source = null)
    {
        try
        {
            Check(config);
        }
        catch (UsageException e) when (source is not null)
        {
            throw new UsageException($"{source}: {e.Message}");
        }
        return config;
    }

    private static void Check(ExperimentConfig config)
    {
        MethodRegistry.Validate(config.Method);
        ModelPresets.Validate(config.ModelPreset);
        _ = Device.Parse(config.Device);
        if (!Domains.Contains(config.Domain))
        {
            throw UsageException.Unknown("domain", config.Domain, Domains);
        }
        if (config.Domain == "image")
        {
            DatasetCatalog.Validate(config.Dataset);
            if (config.TaskClasses.Length == 0 || config.TaskClasses.Any(t => t is null || t.Length == 0 || t.Any(c => c < 0)))
            {
                throw new UsageException("task_classes must list at least one task, each with at least one class id ≥ 0");
            }
        }
        else
        {
            if (config.ControlTasks.Length == 0)
            {
                throw new UsageException($"control_tasks must name at least one task; valid: {string.Join(", ", ControlTaskNames.Names)}");
            }
            foreach (var task in config.ControlTasks)
            {
                _ = ControlTaskNames.Parse(task);
            }
        }
        if (!ProbeMetrics.Contains(config.Evaluation.ProbeMetric))
        {
            throw UsageException.Unknown("probe metric", config.Evaluation.ProbeMetric, ProbeMetrics);
        }
        UsageException.RequireAtLeast("--steps-per-task", config.StepsPerTask, 1);
        UsageException.RequireAtLeast("checkpoint_every", config.CheckpointEvery, 1);
        UsageException.RequireAtLeast("batch_size", config.Hyper.BatchSize, 1);
        if (!double.IsFinite(config.Hyper.LearningRate) || config.Hyper.LearningRate <= 0)
        {
            throw new UsageException($"learning_rate must be a positive number, not {config.Hyper.LearningRate}");
        }
    }
}
