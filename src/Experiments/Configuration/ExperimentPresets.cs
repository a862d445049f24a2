using NativeTrustRegion.Continual.Training;

namespace NativeTrustRegion.Experiments.Configuration;

/// <summary>
/// Named experiment set-ups. The paper's (Tables 3 and 4) for the GPU, and small ones for the CPU on the embedded
/// glyph data (the demo) or MNIST-family streams.
/// </summary>
public static class ExperimentPresets
{
    private static int[][] Pairs(int tasks) => Enumerable.Range(0, tasks).Select(t => new[] { 2 * t, 2 * t + 1 }).ToArray();

    private static int[][] Blocks(int tasks, int size) => Enumerable.Range(0, tasks).Select(t => Enumerable.Range(t * size, size).ToArray()).ToArray();

    /// <summary>CPU set-up of the demo: the embedded 16×16 glyphs, 5 tasks × 2 classes, a 0.19M-parameter UNet.</summary>
    public static ExperimentConfig Demo(string method, ulong seed = 123) => new()
    {
        Preset = "demo",
        Method = method,
        Seed = seed,
        Dataset = "embedded",
        TaskClasses = Pairs(5),
        TrainPerClass = 1000,
        HeldOutPerClass = 200,
        ModelPreset = "image-micro",
        StepsPerTask = 120,
        Hyper = new Hyperparameters
        {
            BatchSize = 32,
            LearningRate = 2e-3,
            EwcLambda = 2_000,
            FisherSamples = 64,
            ReplayPoolPerTask = 128,
            ReplayDdimSteps = 20,
            ReplayGenerationBatch = 128,
            InnerLearningRate = 1e-3,
            GradientClip = 1.0,
        },
        Evaluation = new EvaluationSettings { SamplesPerTask = 100, DdimSteps = 20, ProbeSamplesPerTask = 16, ProbeDenseSteps = 6, ProbeGrowth = 1.35 },
        CheckpointEvery = 40,
    };

    /// <summary>Split-MNIST / Split-Fashion (5 tasks × 2 classes, 32×32 padded), CPU-sized model.</summary>
    public static ExperimentConfig SplitMnistFamily(string dataset, string method, ulong seed = 123) => new()
    {
        Preset = dataset == "mnist" ? "split-mnist" : "split-fashion",
        Method = method,
        Seed = seed,
        Dataset = dataset,
        TaskClasses = Pairs(5),
        HeldOutPerClass = 500,
        ModelPreset = "image-small-28",
        StepsPerTask = 1_000,
        Hyper = new Hyperparameters { BatchSize = 64, LearningRate = 1e-3, EwcLambda = 10_000, FisherSamples = 500, ReplayPoolPerTask = 1_000, ReplayDdimSteps = 50, GradientClip = 1.0 },
        Evaluation = new EvaluationSettings { SamplesPerTask = 1_000, DdimSteps = 50 },
        CheckpointEvery = 200,
    };

    /// <summary>The paper's ImageNet-500 stream (Table 3): 10 tasks × 50 classes, 32×32, batch 128, λ 15,000.</summary>
    public static ExperimentConfig ImageNetPaper(string method, ulong seed = 123) => new()
    {
        Preset = "imagenet500-paper",
        Method = method,
        Seed = seed,
        Dataset = "imagenet32",
        TaskClasses = Blocks(10, 50),
        ModelPreset = "image-paper",
        // 100 epochs of ~64,000 images at batch 128
        StepsPerTask = 50_000,
        Device = "cuda",
        Hyper = new Hyperparameters
        {
            BatchSize = 128,
            LearningRate = 2e-4,
            EwcLambda = 15_000,
            FisherSamples = 10_000,
            ReplayRatio = 1.0,
            ReplayPoolPerTask = 1_300,
            ReplayDdimSteps = 50,
            InnerLearningRate = 1e-4,
        },
        Evaluation = new EvaluationSettings { SamplesPerTask = 2_500, DdimSteps = 50, ProbeSamplesPerTask = 256 },
        CheckpointEvery = 1_000,
    };

    public static readonly string[] Names = ["demo", "split-mnist", "split-fashion", "imagenet500-paper"];

    public static ExperimentConfig Create(string preset, string method, ulong seed) => preset switch
    {
        "demo" => Demo(method, seed),
        "split-mnist" => SplitMnistFamily("mnist", method, seed),
        "split-fashion" => SplitMnistFamily("fashion-mnist", method, seed),
        "imagenet500-paper" => ImageNetPaper(method, seed),
        _ => throw new ArgumentException($"unknown experiment preset '{preset}'. Known presets: {string.Join(", ", Names)}"),
    };
}
