using NativeTrustRegion.Engine;
using NativeTrustRegion.Continual.Fisher;
using H = NativeTrustRegion.Continual.Training.Hyperparameters;

namespace NativeTrustRegion.Continual.Methods;

/// <summary>
/// Every continual-learning method, once: id, display name, factory, paper row and the hyperparameters it reads.
/// A new method is one file implementing <see cref="IContinualMethod"/> plus one row here (a test fails otherwise).
/// </summary>
public static class MethodTable
{
    // what every method's batch and update read
    private static readonly string[] Basic = [nameof(H.BatchSize), nameof(H.GradientClip)];

    // the outer Adam step's rate: the learning rate and its per-task decay (LearningRateSchedule, set by the runner)
    private static readonly string[] OuterRate = [nameof(H.LearningRate), nameof(H.LearningRateDecayFraction)];

    // what the outer Adam step reads (ContinualContext builds Adam with it; ResetOptimizerPerTask re-creates it per task)
    private static readonly string[] AdamReads = [.. OuterRate, nameof(H.ResetOptimizerPerTask)];

    // what building the generative-replay pool after each task reads (ConditionalSampleReplay, teacher rollouts)
    private static readonly string[] ReplayPoolReads = [nameof(H.ReplayPoolPerTask), nameof(H.ReplayPoolPerClass), nameof(H.ReplayDdimSteps), nameof(H.ReplayGenerationBatch)];

    private static readonly string[] FisherPenalty = [nameof(H.EwcLambda), nameof(H.FisherSamples)];

    private static readonly string[] Distillation = [nameof(H.ReplayRatio), nameof(H.DistillationWeight)];

    private static string[] Reads(params string[][] groups) => groups.SelectMany(g => g).Distinct().ToArray();

    /// <summary>All methods, in the order the command line lists them.</summary>
    public static IReadOnlyList<MethodDescriptor> Methods { get; } =
    [
        new("finetune", "Finetuning", () => new Finetune(), 1, Reads(Basic, AdamReads)),
        new("ewc", "EWC (rank-1)", () => new Ewc(FisherForm.Rank1), 2, Reads(Basic, AdamReads, FisherPenalty)),
        new("ewc-diag", "EWC (diagonal)", () => new Ewc(FisherForm.Diagonal), null, Reads(Basic, AdamReads, FisherPenalty)),
        new("replay", "Replay", () => new GenerativeReplay(), 3, Reads(Basic, AdamReads, Distillation, ReplayPoolReads)),
        new("trust-region", "Trust Region", () => new TrustRegion(), 6, Reads(Basic, AdamReads, FisherPenalty, Distillation, ReplayPoolReads)),
        // FTML and VR-MCL keep one Adam for the run (the authors' scripts): ResetOptimizerPerTask is not read
        new("ftml", "FTML", () => new Ftml(), 4, Reads(Basic, OuterRate, [nameof(H.ReplayRatio), nameof(H.InnerLearningRate), nameof(H.MetaGradient)], ReplayPoolReads)),
        new("vrmcl", "VRMCL", () => new VrMcl(), 5, Reads(Basic, OuterRate, [nameof(H.ReplayRatio), nameof(H.InnerLearningRate),
            nameof(H.LearningRateLearningRate), nameof(H.VrMclMomentum), nameof(H.VrMclEmaDecay), nameof(H.MetaGradient)], ReplayPoolReads)),
        // MER and La-MAML/C-MAML take plain SGD steps: no Adam
        new("mer", "MER", () => new Mer(), null, Reads(Basic, [nameof(H.ReplayRatio), nameof(H.MerInnerLearningRate), nameof(H.MerWithinBatchBeta),
            nameof(H.MerAcrossBatchGamma), nameof(H.MerBatchesPerStep), nameof(H.MerChunks)], ReplayPoolReads)),
        new("la-maml", "La-MAML", () => new LaMaml(learnRates: true), null, Reads(Basic, [nameof(H.ReplayRatio), nameof(H.LaMamlInitialLearningRate),
            nameof(H.LaMamlChunks), nameof(H.LaMamlGradientClamp), nameof(H.LearningRateLearningRate)], ReplayPoolReads)),
        new("c-maml", "C-MAML", () => new LaMaml(learnRates: false), null, Reads(Basic, [nameof(H.ReplayRatio), nameof(H.LaMamlInitialLearningRate),
            nameof(H.LaMamlChunks), nameof(H.LaMamlGradientClamp), nameof(H.CMamlOuterLearningRate)], ReplayPoolReads)),
        new("a-gem", "A-GEM", () => new AGem(), null, Reads(Basic, AdamReads, ReplayPoolReads)),
        new("joint", "Joint (upper bound)", () => new JointTraining(), null, Reads(Basic, AdamReads)),
    ];

    /// <summary>Every method id, in table order.</summary>
    public static readonly string[] All = Methods.Select(m => m.Id).ToArray();

    /// <summary>The six methods of the paper's Table 1, in its order.</summary>
    public static readonly string[] PaperMethods = Methods.Where(m => m.InPaper).OrderBy(m => m.PaperRow).Select(m => m.Id).ToArray();

    /// <summary>The method with this id, or null.</summary>
    public static MethodDescriptor? Find(string id) => Methods.FirstOrDefault(m => m.Id == id);

    /// <summary>The method with this id; an unknown id is an <see cref="ArgumentException"/> that lists the known ones.</summary>
    public static MethodDescriptor Get(string id) =>
        Find(id) ?? throw UsageException.Unknown("method", id, All);

    /// <summary>Throws a <see cref="UsageException"/> listing the valid methods unless <paramref name="id"/> is one; builds nothing.</summary>
    public static void Validate(string id) => _ = Get(id);

    public static IContinualMethod Create(string id) => Get(id).Create();

    /// <summary>The name reports print for a method id (an unknown id prints as itself, e.g. in old result files).</summary>
    public static string DisplayName(string id) => Find(id)?.DisplayName ?? id;
}
