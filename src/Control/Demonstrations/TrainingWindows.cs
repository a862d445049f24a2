namespace NativeTrustRegion.Control.Demonstrations;

/// <summary>
/// Training windows over a demonstration set, one per recorded step, following Diffusion Policy's sequence
/// sampling (Chi et al. 2023). For the window anchored at step t of an episode of length L:
/// <list type="bullet">
/// <item>observation history = observations t−O+1 … t (O = observation horizon), oldest first;</item>
/// <item>action sequence = actions t−O+1 … t−O+S (S = sequence length), i.e. with O = 6, S = 8: t−5 … t+2;</item>
/// <item>indices before 0 repeat step 0, indices past L−1 repeat step L−1 (edge padding);</item>
/// <item>the policy executes the actions at sequence positions O−1 … O−1+A−1 (A = action chunk; with A = 2:
/// actions t and t+1).</item>
/// </list>
/// The padding at the episode start matches <see cref="Evaluation.ObservationHistory"/>, which repeats the first
/// observation, so training and rollout see the same histories.
/// </summary>
public sealed class TrainingWindows
{
    private readonly DemonstrationSet _set;
    private readonly long[] _episodeStarts;

    public TrainingWindows(DemonstrationSet set, int observationHorizon = 6, int sequenceLength = 8)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentOutOfRangeException.ThrowIfLessThan(observationHorizon, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(sequenceLength, observationHorizon);
        _set = set;
        ObservationHorizon = observationHorizon;
        SequenceLength = sequenceLength;
        _episodeStarts = new long[set.Episodes.Count + 1];
        for (int i = 0; i < set.Episodes.Count; i++)
        {
            _episodeStarts[i + 1] = _episodeStarts[i] + set.Episodes[i].Length;
        }
    }

    public int ObservationHorizon { get; }

    public int SequenceLength { get; }

    /// <summary>Position in the action sequence of the first action to execute (O − 1).</summary>
    public int ExecutedActionOffset => ObservationHorizon - 1;

    /// <summary>Floats per observation history (O × 39).</summary>
    public int ObservationHistorySize => ObservationHorizon * ObservationLayout.Size;

    /// <summary>Floats per action sequence (S × 4).</summary>
    public int ActionSequenceSize => SequenceLength * ObservationLayout.ActionSize;

    /// <summary>Number of windows (= total recorded steps).</summary>
    public long Count => _episodeStarts[^1];

    /// <summary>Copies window <paramref name="index"/> (0 … Count−1) into caller-owned buffers, without allocating.</summary>
    public void Fill(long index, Span<float> observationHistory, Span<float> actions)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        int episode = FindEpisode(index);
        Fill(episode, (int)(index - _episodeStarts[episode]), observationHistory, actions);
    }

    /// <summary>Copies the window anchored at <paramref name="step"/> of <paramref name="episode"/>.</summary>
    public void Fill(int episode, int step, Span<float> observationHistory, Span<float> actions)
    {
        if (observationHistory.Length != ObservationHistorySize || actions.Length != ActionSequenceSize)
        {
            throw new ArgumentException(
                $"Buffers must hold {ObservationHistorySize} observation and {ActionSequenceSize} action floats; " +
                $"got {observationHistory.Length} and {actions.Length}.");
        }
        DemonstrationEpisode source = _set.Episodes[episode];
        int last = source.Length - 1;
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(step, last);
        int first = step - ObservationHorizon + 1;
        for (int k = 0; k < ObservationHorizon; k++)
        {
            source.Observation(Math.Clamp(first + k, 0, last))
                .CopyTo(observationHistory.Slice(k * ObservationLayout.Size, ObservationLayout.Size));
        }
        for (int k = 0; k < SequenceLength; k++)
        {
            source.Action(Math.Clamp(first + k, 0, last))
                .CopyTo(actions.Slice(k * ObservationLayout.ActionSize, ObservationLayout.ActionSize));
        }
    }

    /// <summary>All windows in episode order (allocates two arrays per window).</summary>
    public IEnumerable<TrainingWindow> Enumerate()
    {
        for (int episode = 0; episode < _set.Episodes.Count; episode++)
        {
            for (int step = 0; step < _set.Episodes[episode].Length; step++)
            {
                var observations = new float[ObservationHistorySize];
                var actions = new float[ActionSequenceSize];
                Fill(episode, step, observations, actions);
                yield return new TrainingWindow(episode, step, observations, actions);
            }
        }
    }

    private int FindEpisode(long index)
    {
        int position = Array.BinarySearch(_episodeStarts, index);
        if (position >= 0)
        {
            // Skip empty episodes that share a start offset.
            while (position + 1 < _episodeStarts.Length - 1 && _episodeStarts[position + 1] == index)
            {
                position++;
            }
            return position;
        }
        return ~position - 1;
    }
}
