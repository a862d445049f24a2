namespace NativeTrustRegion.Continual.Training;

/// <summary>
/// Every knob of every method, with the paper's image settings as defaults (Table 3: batch 128, Adam 2e-4, λ 15,000,
/// replay ratio 1.0, inner LR 1e-4, 10,000 Fisher samples per task). Presets override these (CW10: batch 256, λ 12,
/// 20,000 Fisher samples; CPU presets: small batches and few steps). One flat record, as config.json's "hyper" object;
/// which properties each method reads is listed in <see cref="Methods.MethodTable"/> (checked by a test).
/// </summary>
public sealed record Hyperparameters
{
    public int BatchSize { get; init; } = 128;

    public double LearningRate { get; init; } = 2e-4;

    /// <summary>
    /// Fraction of each task's updates, at its end, over which the outer learning rate falls linearly from
    /// <see cref="LearningRate"/> towards 0 (<see cref="LearningRateSchedule"/>); 0 keeps it constant, as the paper and
    /// the authors' scripts do. Set per task, because each task is a new training run for the newest data. Written to
    /// config.json only when not 0, so the config.json files of earlier runs read and write back unchanged.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public double LearningRateDecayFraction { get; init; }

    /// <summary>Global-norm gradient clipping of the outer update (0 = off).</summary>
    public double GradientClip { get; init; }

    /// <summary>Re-create Adam at every task (the authors' naive/EWC/replay script does; their FTML/VR-MCL scripts do not).</summary>
    public bool ResetOptimizerPerTask { get; init; } = true;

    // EWC
    public double EwcLambda { get; init; } = 15_000;

    public int FisherSamples { get; init; } = 10_000;

    // generative replay by distillation
    public double ReplayRatio { get; init; } = 1.0;

    /// <summary>
    /// Replay samples generated per finished task when <see cref="ReplayPoolPerClass"/> is 0 (policies: windows per
    /// task). Ignored for class-conditional image tasks when <see cref="ReplayPoolPerClass"/> is set.
    /// </summary>
    public int ReplayPoolPerTask { get; init; } = 1_300;

    /// <summary>
    /// Replay samples generated per class of every finished task (0 = size the pool per task with
    /// <see cref="ReplayPoolPerTask"/>). The TRCL authors' generative replay sizes its pool per class
    /// (<c>gr_pool_size_per_class</c>): the paper's ImageNet "buffer size per task 1,300" is 1,300 per class, i.e.
    /// 65,000 samples per 50-class task. Only for tasks whose conditions are classes.
    /// </summary>
    public int ReplayPoolPerClass { get; init; }

    /// <summary>Replay samples of one finished task that has <paramref name="classes"/> distinct classes (0 = not class-conditional).</summary>
    public int ReplaySamplesForTask(int classes, string taskName)
    {
        if (ReplayPoolPerClass <= 0)
        {
            return ReplayPoolPerTask;
        }
        if (classes <= 0)
        {
            throw new ArgumentException(
                $"replay_pool_per_class = {ReplayPoolPerClass} needs class-conditional tasks, but task '{taskName}' has no classes (e.g. a policy conditioned on observations). " +
                "Fix: set replay_pool_per_class to 0 and size the pool with replay_pool_per_task");
        }
        return ReplayPoolPerClass * classes;
    }

    public int ReplayDdimSteps { get; init; } = 50;

    public int ReplayGenerationBatch { get; init; } = 500;

    /// <summary>Weight of the teacher-distillation term on replay samples (gr_kl in the authors' code).</summary>
    public double DistillationWeight { get; init; } = 1.0;

    // meta-learning (FTML, VR-MCL)
    public double InnerLearningRate { get; init; } = 1e-4;

    /// <summary>
    /// FTML / VR-MCL: first-order meta-gradient (the paper's runs) or the exact second-order one (its Table 6 "2nd").
    /// Written to config.json only when second-order, so the config.json files of earlier runs read and write back unchanged.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public MetaGradientOrder MetaGradient { get; init; } = MetaGradientOrder.FirstOrder;

    /// <summary>VR-MCL: weight r of the variance-reduction term g̃ = g(θ) + r·(g̃_prev − g(θ_cv)).</summary>
    public double VrMclMomentum { get; init; } = 0.8;

    /// <summary>VR-MCL: the control-variate weights are an EMA of the weights with this decay (authors' code).</summary>
    public double VrMclEmaDecay { get; init; } = 0.9;

    /// <summary>VR-MCL / La-MAML: SGD learning rate of the per-parameter inner learning rates.</summary>
    public double LearningRateLearningRate { get; init; } = 2e-4;

    // MER
    public double MerInnerLearningRate { get; init; } = 1e-3;

    public double MerWithinBatchBeta { get; init; } = 0.1;

    public double MerAcrossBatchGamma { get; init; } = 1.0;

    public int MerBatchesPerStep { get; init; } = 2;

    public int MerChunks { get; init; } = 2;

    // La-MAML / C-MAML
    public double LaMamlInitialLearningRate { get; init; } = 1e-3;

    public int LaMamlChunks { get; init; } = 2;

    public double LaMamlGradientClamp { get; init; } = 1.0;

    /// <summary>C-MAML's fixed outer learning rate (opt_wt).</summary>
    public double CMamlOuterLearningRate { get; init; } = 1e-3;
}
