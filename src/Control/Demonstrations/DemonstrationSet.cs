namespace NativeTrustRegion.Control.Demonstrations;

/// <summary>The demonstrations of one task, as stored in one demonstration file.</summary>
public sealed class DemonstrationSet
{
    public DemonstrationSet(ControlTask task, IReadOnlyList<DemonstrationEpisode> episodes)
    {
        ArgumentNullException.ThrowIfNull(episodes);
        Task = task;
        Episodes = episodes;
    }

    public ControlTask Task { get; }

    public IReadOnlyList<DemonstrationEpisode> Episodes { get; }

    public long TotalSteps => Episodes.Sum(episode => (long)episode.Length);

    public int SuccessCount => Episodes.Count(episode => episode.Success);
}
