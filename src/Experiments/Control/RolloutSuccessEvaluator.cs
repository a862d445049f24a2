using NativeTrustRegion.Control;
using NativeTrustRegion.Control.Evaluation;
using NativeTrustRegion.Experiments.Evaluation;
using NativeTrustRegion.Experiments.Metrics;
using NativeTrustRegion.Models;
using NativeTrustRegion.Models.Diffusion;

namespace NativeTrustRegion.Experiments.Control;

/// <summary>
/// Success rate of the policy on a task over <c>episodes</c> seeded rollouts (Continual World's metric: an episode
/// succeeds if the success condition holds at some step within 200 steps). The episodes and their DDIM noise are
/// fixed per task and independent of training: environment seeds <see cref="RolloutEvaluator.HeldOutFirstSeed"/> +
/// i (never used for demonstrations) and noise from <see cref="NoiseSeed"/> and the episode seed. Secondary metric:
/// mean steps to success over the successful episodes.
/// </summary>
public sealed class RolloutSuccessEvaluator : ITaskEvaluator
{
    /// <summary>Root of the evaluation noise; the same for every run, method and training seed.</summary>
    public const ulong NoiseSeed = 0xE7A1_5EED_0000_0001UL;

    private readonly IReadOnlyList<ControlTask> _tasks;
    private readonly NoiseSchedule _schedule;
    private readonly int _episodes;
    private readonly int _ddimSteps;
    private readonly int _actionChunk;
    private readonly int _parallel;

    public RolloutSuccessEvaluator(IReadOnlyList<ControlTask> tasks, NoiseSchedule schedule, int episodes, int ddimSteps, int actionChunk, int parallelEpisodes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(episodes, 1);
        _tasks = tasks;
        _schedule = schedule;
        _episodes = episodes;
        _ddimSteps = ddimSteps;
        _actionChunk = actionChunk;
        _parallel = parallelEpisodes;
        Metric = new MetricDefinition("success rate", MetricDirection.HigherIsBetter,
            $"fraction of {episodes} seeded rollouts per task (seeds {RolloutEvaluator.HeldOutFirstSeed}+) reaching the task's success condition within {ManipulationEnv.MaxEpisodeSteps} steps; " +
            $"DDIM {ddimSteps} steps (η = 0), {actionChunk} actions executed per query; reported in percent, forgetting in percentage points")
        {
            Percent = true,
        };
    }

    public MetricDefinition Metric { get; }

    public MetricDefinition? SecondaryMetric { get; } =
        new("steps to success", MetricDirection.LowerIsBetter, "mean episode length of the successful evaluation rollouts");

    /// <summary>The last evaluation's rollouts of each task (for reports and tests).</summary>
    public IReadOnlyDictionary<int, RolloutBatchResult> LastResults => _last;

    private readonly Dictionary<int, RolloutBatchResult> _last = new();

    public TaskEvaluation Evaluate(IDenoiser model, int task)
    {
        var result = Run(model, task);
        _last[task] = result;
        return new TaskEvaluation(result.SuccessRate, result.MeanStepsToSuccess);
    }

    public double Probe(IDenoiser model, int task, int samples) => Run(model, task, samples).SuccessRate;

    /// <summary>The evaluation rollouts of <paramref name="task"/> with the model's current weights.</summary>
    public RolloutBatchResult Run(IDenoiser model, int task, int? episodes = null)
    {
        var policy = new DiffusionPolicy(model, _schedule, _ddimSteps);
        var rollouts = new LockstepRollouts(_tasks[task], policy, _actionChunk, _parallel);
        var seeds = Enumerable.Range(RolloutEvaluator.HeldOutFirstSeed, episodes ?? _episodes).ToArray();
        return rollouts.Run(seeds, NoiseSeed ^ (ulong)_tasks[task], recordWindows: false);
    }

    public void WriteArtifacts(IDenoiser model, int afterTask, string directory)
    {
        if (_last.Count == 0)
        {
            return;
        }
        Directory.CreateDirectory(directory);
        var lines = new List<string> { "task,episode_seed,success,steps" };
        foreach (var (task, result) in _last.OrderBy(kv => kv.Key))
        {
            lines.AddRange(result.Outcomes.Select(o => $"{_tasks[task].ToName()},{o.Seed},{(o.Success ? 1 : 0)},{o.Steps}"));
        }
        File.WriteAllText(Path.Combine(directory, $"rollouts-after-task-{afterTask + 1:00}.csv"), string.Join('\n', lines) + "\n");
    }
}
