using NativeTrustRegion.Control;
using NativeTrustRegion.Control.Evaluation;
using NativeTrustRegion.Control.Physics;
using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Experiments.Control;

/// <summary>
/// Runs seeded episodes of one task with a diffusion policy, up to <c>parallel</c> at a time in lockstep: at every
/// control step the histories of all running episodes go through one batched DDIM call, then each episode executes
/// the <c>chunk</c> actions from sequence position O − 1 (stepping the environments in parallel threads). A finished
/// episode's slot starts the next seed. Episodes follow <see cref="RolloutEvaluator"/>'s rules: the history starts
/// as copies of the first observation, an episode ends at its first success or after
/// <see cref="ManipulationEnv.MaxEpisodeSteps"/> steps. The initial DDIM noise of an episode's queries comes from a
/// generator derived from (noise seed, episode seed), so an episode does not depend on which other episodes share
/// its batches, up to the rounding of batched kernels (on the CPU, actions differ by ≤ 2e-5 between batch sizes). An episode whose simulation raises a MuJoCo error ends as a failure and is counted.
/// </summary>
public sealed class LockstepRollouts
{
    public LockstepRollouts(ControlTask task, DiffusionPolicy policy, int actionChunk, int parallel)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(actionChunk, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(parallel, 1);
        if (policy.ExecutedActionOffset + actionChunk > policy.SequenceLength)
        {
            throw new ArgumentException(
                $"an action chunk of {actionChunk} from sequence position {policy.ExecutedActionOffset} does not fit in sequences of {policy.SequenceLength} actions");
        }
        Task = task;
        Policy = policy;
        ActionChunk = actionChunk;
        ParallelEpisodes = parallel;
    }

    public ControlTask Task { get; }

    public DiffusionPolicy Policy { get; }

    public int ActionChunk { get; }

    public int ParallelEpisodes { get; }

    /// <summary>Runs one episode per seed; with <paramref name="recordWindows"/>, keeps every query's history and sampled sequence.</summary>
    public RolloutBatchResult Run(IReadOnlyList<int> seeds, ulong noiseSeed, bool recordWindows, CancellationToken cancel = default)
    {
        var outcomes = new EpisodeOutcome[seeds.Count];
        var windows = recordWindows ? new RolloutWindows[seeds.Count] : null;
        var slots = new Slot[Math.Min(ParallelEpisodes, seeds.Count)];
        var physicsErrors = 0;
        var next = 0;
        try
        {
            for (var s = 0; s < slots.Length; s++)
            {
                slots[s] = new Slot(new ManipulationEnv(Task), Policy.ObservationSteps);
                slots[s].Start(next, seeds[next], noiseSeed);
                next++;
            }
            var histories = new float[slots.Length * Policy.HistorySize];
            var noise = new float[slots.Length * Policy.SequenceSize];
            var active = new List<Slot>(slots.Length);
            while (true)
            {
                cancel.ThrowIfCancellationRequested();
                active.Clear();
                active.AddRange(slots.Where(s => s.Episode >= 0));
                if (active.Count == 0)
                {
                    break;
                }
                for (var i = 0; i < active.Count; i++)
                {
                    var slot = active[i];
                    ObservationNormalizer.MetaWorldBounds.NormalizeHistory(slot.History.ToArray(), histories.AsSpan(i * Policy.HistorySize, Policy.HistorySize));
                    var n = noise.AsSpan(i * Policy.SequenceSize, Policy.SequenceSize);
                    for (var k = 0; k < n.Length; k++)
                    {
                        n[k] = (float)slot.Noise!.NextNormal();
                    }
                }
                var count = active.Count;
                var sequences = Policy.Sample(histories.AsSpan(0, count * Policy.HistorySize), noise.AsSpan(0, count * Policy.SequenceSize), count);
                Parallel.For(0, count, i =>
                {
                    var slot = active[i];
                    if (recordWindows)
                    {
                        slot.Record(histories.AsSpan(i * Policy.HistorySize, Policy.HistorySize), sequences.AsSpan(i * Policy.SequenceSize, Policy.SequenceSize));
                    }
                    var chunk = sequences.AsSpan(i * Policy.SequenceSize + Policy.ExecutedActionOffset * ObservationLayout.ActionSize, ActionChunk * ObservationLayout.ActionSize);
                    slot.Execute(chunk);
                });
                foreach (var slot in active.Where(s => s.Finished))
                {
                    outcomes[slot.Episode] = new EpisodeOutcome(slot.Seed, slot.Success, slot.Env.StepCount);
                    if (slot.PhysicsError)
                    {
                        physicsErrors++;
                    }
                    if (windows is not null)
                    {
                        windows[slot.Episode] = slot.TakeWindows(Policy.SequenceSize);
                    }
                    if (next < seeds.Count)
                    {
                        slot.Start(next, seeds[next], noiseSeed);
                        next++;
                    }
                    else
                    {
                        slot.Stop();
                    }
                }
            }
        }
        finally
        {
            foreach (var slot in slots)
            {
                slot?.Env.Dispose();
            }
        }
        return new RolloutBatchResult(outcomes, windows, physicsErrors);
    }

    /// <summary>One environment and the episode it is running.</summary>
    private sealed class Slot(ManipulationEnv env, int observationSteps)
    {
        private readonly List<float> _histories = new();
        private readonly List<float> _actions = new();

        public ManipulationEnv Env { get; } = env;

        public ObservationHistory History { get; } = new(observationSteps);

        /// <summary>Index of the running episode in the request, or −1 when idle.</summary>
        public int Episode { get; private set; } = -1;

        public int Seed { get; private set; }

        public Generator? Noise { get; private set; }

        public bool Success { get; private set; }

        public bool Finished { get; private set; }

        public bool PhysicsError { get; private set; }

        public void Start(int episode, int seed, ulong noiseSeed)
        {
            Episode = episode;
            Seed = seed;
            Noise = Generator.Derive(noiseSeed, (ulong)(uint)seed);
            Success = false;
            Finished = false;
            PhysicsError = false;
            _histories.Clear();
            _actions.Clear();
            History.Reset(Env.Reset(seed));
        }

        public void Stop()
        {
            Episode = -1;
            Noise = null;
        }

        public void Record(ReadOnlySpan<float> normalizedHistory, ReadOnlySpan<float> sequence)
        {
            _histories.AddRange(normalizedHistory);
            _actions.AddRange(sequence);
        }

        public void Execute(ReadOnlySpan<float> chunk)
        {
            try
            {
                for (var offset = 0; offset < chunk.Length && Env.StepCount < ManipulationEnv.MaxEpisodeSteps; offset += ObservationLayout.ActionSize)
                {
                    var result = Env.Step(chunk.Slice(offset, ObservationLayout.ActionSize));
                    History.Push(result.Observation);
                    if (result.Success)
                    {
                        Success = true;
                        break;
                    }
                }
            }
            catch (MuJoCoException)
            {
                PhysicsError = true;
                Finished = true;
                return;
            }
            Finished = Success || Env.StepCount >= ManipulationEnv.MaxEpisodeSteps;
        }

        public RolloutWindows TakeWindows(int sequenceSize)
        {
            var count = _actions.Count / sequenceSize;
            return new RolloutWindows(Seed, Success, count, _histories.ToArray(), _actions.ToArray());
        }
    }
}
