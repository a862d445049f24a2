using System.Globalization;
using NativeTrustRegion.Continual.Tasks;
using NativeTrustRegion.Control;
using NativeTrustRegion.Control.Demonstrations;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Randomness;
using NativeTrustRegion.Experiments.Configuration;
using NativeTrustRegion.Experiments.Running;
using NativeTrustRegion.Models;
using NativeTrustRegion.Models.Diffusion;

namespace NativeTrustRegion.Experiments.Control;

/// <summary>
/// The continual robot-control experiment (paper Section 4.2): one task per CW10 environment in
/// <c>config.ControlTasks</c>. Each task trains on the training windows of <c>DemonstrationsPerTask</c> expert
/// demonstrations (x₀ = action sequence [S, 4], already in [−1, 1]; condition = the observation history [O, 39]
/// normalised with the fixed <see cref="ObservationNormalizer.MetaWorldBounds"/>), S and O taken from the policy
/// model (the paper's 8 and 6). The re-convergence probe uses windows of further held-out demonstrations, evaluation
/// is <see cref="RolloutSuccessEvaluator"/> and replay is <see cref="TeacherRolloutReplay"/>.
/// </summary>
public sealed class ControlExperimentDomain : IExperimentDomain
{
    public ExperimentSetup Build(ExperimentConfig config, IRunProgress progress)
    {
        if (config.Domain != ExperimentDomain.Control)
        {
            throw new ArgumentException($"configuration '{config.Preset}' is for the '{config.Domain.ToName()}' domain, not 'control'");
        }
        if (config.ControlTasks.Length == 0)
        {
            throw new ArgumentException($"configuration '{config.Preset}' names no control tasks (ControlTasks is empty)");
        }
        var settings = config.Control;
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.DemonstrationsPerTask, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.HeldOutDemonstrationsPerTask, 1);
        var tasks = config.ControlTasks.Select(ControlTaskNames.Parse).ToArray();

        var store = new ParameterStore(DType.F32, config.Device);
        var model = settings.PolicySequenceLength is null && settings.PolicyObservationSteps is null
            ? ModelPresets.Create(config.ModelPreset, store)
            : ModelPresets.CreatePolicy(config.ModelPreset, store, settings.PolicySequenceLength, settings.PolicyObservationSteps);
        store.Allocate(config.Seed);
        var schedule = NoiseSchedule.Linear();
        var policy = new DiffusionPolicy(model, schedule, config.Evaluation.DdimSteps);

        var cache = new DemonstrationCache(settings.DemonstrationDirectory ?? DemonstrationCache.DefaultDirectory);
        progress.Phase($"loading {settings.DemonstrationsPerTask} + {settings.HeldOutDemonstrationsPerTask} demonstrations per task ({cache.Directory})");
        var demonstrations = new DemonstrationSet[tasks.Length];
        Parallel.For(0, tasks.Length, t => demonstrations[t] = cache.Load(tasks[t], settings.DemonstrationsPerTask + settings.HeldOutDemonstrationsPerTask, progress.Message));

        var data = new List<ITaskData>();
        var probes = new List<TrainingBatch>();
        long windows = 0;
        for (var t = 0; t < tasks.Length; t++)
        {
            var episodes = demonstrations[t].Episodes;
            var training = new TrainingWindows(new DemonstrationSet(tasks[t], episodes.Take(settings.DemonstrationsPerTask).ToList()), policy.ObservationSteps, policy.SequenceLength);
            var heldOut = new TrainingWindows(new DemonstrationSet(tasks[t], episodes.Skip(settings.DemonstrationsPerTask).ToList()), policy.ObservationSteps, policy.SequenceLength);
            var taskData = Windows(tasks[t].ToName(), training, Enumerable.Range(0, checked((int)training.Count)).ToArray(), policy, store,
                Generator.Derive(config.Seed, 0xDA7A_0000UL + (ulong)t).Seed);
            data.Add(taskData);
            windows += training.Count;
            var probeCount = Math.Min(config.Evaluation.ProbeSamplesPerTask, checked((int)heldOut.Count));
            var spaced = Enumerable.Range(0, probeCount).Select(i => (int)(i * heldOut.Count / probeCount)).ToArray();
            var probeData = Windows(tasks[t].ToName() + " (held out)", heldOut, spaced, policy, store, 0);
            probes.Add(probeData.Gather(Enumerable.Range(0, probeData.Count).ToArray()));
        }

        var evaluator = new RolloutSuccessEvaluator(tasks, schedule, config.Evaluation.SamplesPerTask, config.Evaluation.DdimSteps, settings.ActionChunk, settings.ParallelEpisodes);
        var replay = new TeacherRolloutReplay(tasks, settings, progress);
        var notes = string.Create(CultureInfo.InvariantCulture,
            $"CW10 control ({string.Join(", ", config.ControlTasks)}): {model.Name}, {settings.DemonstrationsPerTask} demonstrations per task ({windows} training windows in all), " +
            $"observation history {policy.ObservationSteps}×{ObservationLayout.Size} normalised to fixed Meta-World bounds, action sequence {policy.SequenceLength}×{ObservationLayout.ActionSize}, " +
            $"{settings.ActionChunk} actions executed per query from position {policy.ExecutedActionOffset}; replay from {settings.ReplayRolloutsPerTask} teacher rollouts per old task " +
            $"({config.Hyper.ReplayPoolPerTask} windows per task{(settings.ReplaySuccessfulRolloutsOnly ? ", successful rollouts only" : "")}).");
        return new ExperimentSetup(model, schedule, new TaskStream("cw10", data), evaluator, probes, replay, notes);
    }

    /// <summary>The given windows as task data: x₀ = action sequences, conditions = normalised observation histories.</summary>
    private static InMemoryTaskData Windows(string name, TrainingWindows windows, int[] indices, DiffusionPolicy policy, ParameterStore store, ulong seed)
    {
        var x = new float[indices.Length * policy.SequenceSize];
        var c = new float[indices.Length * policy.HistorySize];
        var raw = new float[policy.HistorySize];
        for (var i = 0; i < indices.Length; i++)
        {
            windows.Fill(indices[i], raw, x.AsSpan(i * policy.SequenceSize, policy.SequenceSize));
            ObservationNormalizer.MetaWorldBounds.NormalizeHistory(raw, c.AsSpan(i * policy.HistorySize, policy.HistorySize));
        }
        return new InMemoryTaskData(name, x, [policy.SequenceLength, ObservationLayout.ActionSize], c, [policy.ObservationSteps, ObservationLayout.Size],
            seed, store.DType, store.Device);
    }
}
