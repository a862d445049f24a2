using NativeTrustRegion.Continual.Training;
using NativeTrustRegion.Engine;

namespace NativeTrustRegion.Experiments.Configuration;

/// <summary>The command-line overrides of a preset shared by `ntr run`, `ntr compare` and `ntr demo` (null = the preset's value).</summary>
public static class ConfigOverrides
{
    /// <param name="settings">`--set KEY=VALUE` assignments (<see cref="ConfigAssignments"/>), applied after the options</param>
    public static ExperimentConfig Apply(ExperimentConfig config, int? stepsPerTask, string? device, int? tasks, int? evaluationSamples, string? metaGradient = null, string? precision = null, IReadOnlyList<string>? settings = null)
    {
        if (metaGradient is { } order)
        {
            config = config with { Hyper = config.Hyper with { MetaGradient = ParseMetaGradient(order) } };
        }
        if (precision is { } p)
        {
            try
            {
                config = config with { Precision = TrainingPrecisions.Parse(p) };
            }
            catch (ArgumentException e)
            {
                throw new UsageException($"--precision: {e.Message}");
            }
        }
        if (stepsPerTask is { } steps)
        {
            if (steps < 1)
            {
                throw new UsageException($"--steps-per-task must be at least 1 (got {steps})");
            }
            config = config with { StepsPerTask = steps };
        }
        if (device is { } d)
        {
            config = config with { Device = Device.Parse(d) };
        }
        if (tasks is { } n)
        {
            if (n < 1 || n > config.TaskCount)
            {
                throw new UsageException($"--tasks {n}: preset '{config.Preset}' has {config.TaskCount} tasks; give a number from 1 to {config.TaskCount}");
            }
            config = config.Domain == ExperimentDomain.Control
                ? config with { ControlTasks = config.ControlTasks[..n] }
                : config with { TaskClasses = config.TaskClasses[..n] };
        }
        if (evaluationSamples is { } samples)
        {
            if (samples < 2)
            {
                throw new UsageException($"--eval-samples {samples}: give at least 2 samples per task (FID needs a covariance)");
            }
            config = config with { Evaluation = config.Evaluation with { SamplesPerTask = samples } };
        }
        return settings is { Count: > 0 } ? ConfigAssignments.Apply(config, settings) : config;
    }

    /// <summary>"first-order" or "second-order" (--meta-gradient).</summary>
    public static MetaGradientOrder ParseMetaGradient(string value) =>
        JsonEnumNames<MetaGradientOrder>.All.Contains(value)
            ? Enum.GetValues<MetaGradientOrder>().Single(o => JsonEnumNames<MetaGradientOrder>.Of(o) == value)
            : throw new UsageException($"--meta-gradient '{value}' is not a meta-gradient order; valid: {string.Join(", ", JsonEnumNames<MetaGradientOrder>.All)}");

    /// <summary>`ntr bench train --meta-gradient`: "both" (first- then second-order) or one order.</summary>
    public static IReadOnlyList<MetaGradientOrder> ParseMetaGradients(string value) =>
        value == "both" ? [MetaGradientOrder.FirstOrder, MetaGradientOrder.SecondOrder] : [ParseMetaGradient(value)];
}
