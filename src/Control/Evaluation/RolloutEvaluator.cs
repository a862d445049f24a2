namespace NativeTrustRegion.Control.Evaluation;

/// <summary>
/// Runs a policy on seeded episodes of one task and reports the success rate. The policy receives the flattened
/// observation history (<see cref="ObservationHistory"/>, <c>observationHorizon × 39</c> floats, oldest first) and
/// returns an action chunk of k ≥ 1 actions (k × 4 floats), all of which are executed before the next query
/// (fewer when the episode ends first). An episode ends at the first success (when <see cref="StopAtSuccess"/>) or
/// after <see cref="ManipulationEnv.MaxEpisodeSteps"/> steps.
/// </summary>
public sealed class RolloutEvaluator
{
    /// <summary>
    /// Default first evaluation seed. Demonstrations are collected from seed 0 upwards, so evaluating from here keeps
    /// the evaluation episodes' initial states out of the training data.
    /// </summary>
    public const int HeldOutFirstSeed = 1_000_000;

    public RolloutEvaluator(ControlTask task, int observationHorizon = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(observationHorizon, 1);
        Task = task;
        ObservationHorizon = observationHorizon;
    }

    public ControlTask Task { get; }

    public int ObservationHorizon { get; }

    /// <summary>End an episode at its first success (default true; success is counted either way).</summary>
    public bool StopAtSuccess { get; init; } = true;

    /// <summary>Evaluates <paramref name="policy"/> on seeds <paramref name="firstSeed"/> … firstSeed + episodes − 1.</summary>
    public RolloutReport Evaluate(Func<float[], float[]> policy, int episodes, int firstSeed = HeldOutFirstSeed)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentOutOfRangeException.ThrowIfNegative(episodes);
        using var env = new ManipulationEnv(Task);
        var outcomes = new List<EpisodeOutcome>(episodes);
        for (int episode = 0; episode < episodes; episode++)
        {
            outcomes.Add(RunEpisode(env, policy, firstSeed + episode));
        }
        return new RolloutReport(Task, outcomes);
    }

    /// <summary>Runs one episode in an existing environment of this task.</summary>
    public EpisodeOutcome RunEpisode(ManipulationEnv env, Func<float[], float[]> policy, int seed)
    {
        if (env.Task != Task)
        {
            throw new ArgumentException($"The environment runs {env.Task.ToName()}, the evaluator {Task.ToName()}.", nameof(env));
        }
        var history = new ObservationHistory(ObservationHorizon);
        history.Reset(env.Reset(seed));
        bool success = false;
        while (env.StepCount < ManipulationEnv.MaxEpisodeSteps)
        {
            float[] chunk = policy(history.ToArray());
            if (chunk.Length == 0 || chunk.Length % ObservationLayout.ActionSize != 0)
            {
                throw new InvalidOperationException(
                    $"The policy returned {chunk.Length} numbers; it must return k × {ObservationLayout.ActionSize} (k ≥ 1).");
            }
            for (int offset = 0; offset < chunk.Length && env.StepCount < ManipulationEnv.MaxEpisodeSteps; offset += ObservationLayout.ActionSize)
            {
                StepResult result = env.Step(chunk.AsSpan(offset, ObservationLayout.ActionSize));
                history.Push(result.Observation);
                success |= result.Success;
                if (success && StopAtSuccess)
                {
                    return new EpisodeOutcome(seed, true, env.StepCount);
                }
            }
        }
        return new EpisodeOutcome(seed, success, env.StepCount);
    }
}
