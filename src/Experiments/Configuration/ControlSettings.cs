namespace NativeTrustRegion.Experiments.Configuration;

/// <summary>
/// Settings of the control domain (CW10) that are not model or method hyperparameters: how many expert
/// demonstrations each task trains on and where they are cached, the executed action chunk, and the teacher-rollout
/// replay. Pool sizes of replay are <c>Hyper.ReplayPoolPerTask</c> (windows per task).
/// </summary>
public sealed record ControlSettings
{
    /// <summary>Successful expert episodes each task trains on (the paper: 2,500).</summary>
    public int DemonstrationsPerTask { get; init; } = 2_500;

    /// <summary>
    /// Further successful expert episodes per task, collected after the training ones and never trained on; the
    /// re-convergence probe draws its held-out windows from them.
    /// </summary>
    public int HeldOutDemonstrationsPerTask { get; init; } = 10;

    /// <summary>Folder of the demonstration cache (<c>&lt;task&gt;.ntrdemo</c> files); null = <c>$NTR_DATA_DIR/cw10-demos</c>.</summary>
    public string? DemonstrationDirectory { get; init; }

    /// <summary>Action-sequence length S of the policy (null = the model preset's; the paper's 8). Table 5's grid varies it.</summary>
    public int? PolicySequenceLength { get; init; }

    /// <summary>Observation horizon O of the policy (null = the model preset's; the paper's 6). Table 5's grid varies it.</summary>
    public int? PolicyObservationSteps { get; init; }

    /// <summary>Actions executed per policy query (the paper's A = 2), taken from sequence position O − 1 on.</summary>
    public int ActionChunk { get; init; } = 2;

    /// <summary>Teacher rollouts per finished task when the replay pool is built (the paper's "2,500 rollouts/task").</summary>
    public int ReplayRolloutsPerTask { get; init; } = 2_500;

    /// <summary>
    /// Keep only windows of teacher rollouts that reached success (true, the default) or every window. When no
    /// rollout of a task succeeded, the windows of all its rollouts are used.
    /// </summary>
    public bool ReplaySuccessfulRolloutsOnly { get; init; } = true;

    /// <summary>Episodes stepped in lockstep (one batched DDIM call per control step) during evaluation and replay rollouts.</summary>
    public int ParallelEpisodes { get; init; } = 100;
}
