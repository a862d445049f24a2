using NativeTrustRegion.Control.Experts;

namespace NativeTrustRegion.Control.Demonstrations;

/// <summary>
/// Rolls out a task's scripted expert on consecutive seeds and records (observation, action) pairs.
/// An episode is recorded up to and including the step that first reaches success (the evaluator also stops
/// there), or for the full <see cref="ManipulationEnv.MaxEpisodeSteps"/> steps when success never comes.
/// </summary>
public sealed class DemonstrationCollector
{
    public DemonstrationCollector(ControlTask task)
    {
        Task = task;
    }

    public ControlTask Task { get; }

    /// <summary>Keep only successful episodes (default true); seeds of failed episodes are skipped.</summary>
    public bool SuccessfulOnly { get; init; } = true;

    /// <summary>Upper bound on attempted episodes as a multiple of the requested count (with SuccessfulOnly).</summary>
    public double MaxAttemptFactor { get; init; } = 2.0;

    /// <summary>Seeds tried so far by the last <see cref="Collect"/> call.</summary>
    public int Attempts { get; private set; }

    /// <summary>
    /// Collects <paramref name="episodes"/> episodes starting at seed <paramref name="firstSeed"/>. With
    /// <see cref="SuccessfulOnly"/>, seeds continue past failures until enough successes are recorded.
    /// </summary>
    /// <exception cref="InvalidOperationException">The expert failed so often that the attempt budget ran out.</exception>
    public DemonstrationSet Collect(int episodes, int firstSeed = 0, IProgress<int>? progress = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(episodes);
        ScriptedExpert expert = ScriptedExpert.Create(Task);
        using var env = new ManipulationEnv(Task);
        var recorded = new List<DemonstrationEpisode>(episodes);
        int maxAttempts = SuccessfulOnly ? (int)Math.Ceiling(episodes * MaxAttemptFactor) + 10 : episodes;
        Attempts = 0;
        while (recorded.Count < episodes)
        {
            if (Attempts >= maxAttempts)
            {
                throw new InvalidOperationException(
                    $"The {Task.ToName()} expert produced only {recorded.Count} successful episodes in {Attempts} attempts " +
                    $"(wanted {episodes}); check the expert with: ntr control experts --task {Task.ToName()}");
            }
            DemonstrationEpisode episode = Record(env, expert, firstSeed + Attempts);
            Attempts++;
            if (episode.Success || !SuccessfulOnly)
            {
                recorded.Add(episode);
                progress?.Report(recorded.Count);
            }
        }
        return new DemonstrationSet(Task, recorded);
    }

    private static DemonstrationEpisode Record(ManipulationEnv env, ScriptedExpert expert, int seed)
    {
        var observations = new List<float>(ManipulationEnv.MaxEpisodeSteps * ObservationLayout.Size);
        var actions = new List<float>(ManipulationEnv.MaxEpisodeSteps * ObservationLayout.ActionSize);
        float[] observation = env.Reset(seed);
        bool success = false;
        while (env.StepCount < ManipulationEnv.MaxEpisodeSteps && !success)
        {
            float[] action = expert.Act(observation);
            observations.AddRange(observation);
            actions.AddRange(action);
            StepResult result = env.Step(action);
            observation = result.Observation;
            success = result.Success;
        }
        return new DemonstrationEpisode(seed, success, observations.ToArray(), actions.ToArray());
    }
}
