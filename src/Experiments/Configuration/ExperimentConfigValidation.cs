using NativeTrustRegion.Continual.Methods;
using NativeTrustRegion.Continual.Training;
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
        MethodTable.Validate(config.Method);
        ModelPresets.Validate(config.ModelPreset);
        // the device, domain and probe metric are typed: config.json's strings are checked when the file is read
        if (!Enum.IsDefined(config.Domain))
        {
            throw new UsageException($"domain {(int)config.Domain} is not a domain; valid: {string.Join(", ", JsonEnumNames<ExperimentDomain>.All)}");
        }
        if (config.Domain == ExperimentDomain.Image)
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
        if (config.Precision is { } precision && TrainingPrecisions.Unsupported(precision, config.Device) is { } unsupported)
        {
            throw new UsageException($"precision {precision.Name()} on {config.Device}: {unsupported}");
        }
        if (!Enum.IsDefined(config.Evaluation.ProbeMetric))
        {
            throw new UsageException($"probe metric {(int)config.Evaluation.ProbeMetric} is not a probe metric; valid: {string.Join(", ", JsonEnumNames<ProbeMetricKind>.All)}");
        }
        if (!Enum.IsDefined(config.Hyper.MetaGradient))
        {
            throw new UsageException($"meta_gradient {(int)config.Hyper.MetaGradient} is not a meta-gradient order; valid: {string.Join(", ", JsonEnumNames<MetaGradientOrder>.All)}");
        }
        UsageException.RequireAtLeast("--steps-per-task", config.StepsPerTask, 1);
        UsageException.RequireAtLeast("checkpoint_every", config.CheckpointEvery, 1);
        UsageException.RequireAtLeast("batch_size", config.Hyper.BatchSize, 1);
        var h = config.Hyper;
        Positive("learning_rate", h.LearningRate);
        if (!(h.LearningRateDecayFraction is >= 0 and <= 1))
        {
            throw new UsageException($"learning_rate_decay_fraction = {h.LearningRateDecayFraction}: give a fraction of each task's updates from 0 (constant learning rate) to 1 (a linear decay over the whole task)");
        }
        Positive("inner_learning_rate", h.InnerLearningRate);
        NonNegative("ewc_lambda", h.EwcLambda);
        NonNegative("replay_ratio", h.ReplayRatio);
        NonNegative("distillation_weight", h.DistillationWeight);
        NonNegative("gradient_clip", h.GradientClip);
        UsageException.RequireAtLeast("fisher_samples", h.FisherSamples, 1);
        UsageException.RequireAtLeast("replay_pool_per_task", h.ReplayPoolPerTask, 0);
        UsageException.RequireAtLeast("replay_pool_per_class", h.ReplayPoolPerClass, 0);
        UsageException.RequireAtLeast("replay_ddim_steps", h.ReplayDdimSteps, 1);
        UsageException.RequireAtLeast("replay_generation_batch", h.ReplayGenerationBatch, 1);
        var e = config.Evaluation;
        UsageException.RequireAtLeast("evaluation.samples_per_task", e.SamplesPerTask, 2);
        UsageException.RequireAtLeast("evaluation.ddim_steps", e.DdimSteps, 1);
        UsageException.RequireAtLeast("evaluation.probe_samples_per_task", e.ProbeSamplesPerTask, 1);
        UsageException.RequireAtLeast("evaluation.probe_dense_steps", e.ProbeDenseSteps, 0);
        if (!double.IsFinite(e.ProbeGrowth) || e.ProbeGrowth <= 1)
        {
            throw new UsageException($"evaluation.probe_growth must be a number above 1, not {e.ProbeGrowth}");
        }
    }

    private static void Positive(string name, double value)
    {
        if (!double.IsFinite(value) || value <= 0)
        {
            throw new UsageException($"{name} must be a positive number, not {value}");
        }
    }

    private static void NonNegative(string name, double value)
    {
        if (!double.IsFinite(value) || value < 0)
        {
            throw new UsageException($"{name} must be a number ≥ 0, not {value}");
        }
    }
}
