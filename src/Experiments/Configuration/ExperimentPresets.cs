using NativeTrustRegion.Engine;
using NativeTrustRegion.Continual.Training;

namespace NativeTrustRegion.Experiments.Configuration;

/// <summary>
/// Named experiment set-ups. The paper's (Tables 3 and 4) for the GPU, and small ones for the CPU on the embedded
/// glyph data (the demo), MNIST-family streams, or three CW10 tasks (cw10-cpu).
/// </summary>
public static class ExperimentPresets
{
    private static int[][] Pairs(int tasks) => Enumerable.Range(0, tasks).Select(t => new[] { 2 * t, 2 * t + 1 }).ToArray();

    private static int[][] Blocks(int tasks, int size) => Enumerable.Range(0, tasks).Select(t => Enumerable.Range(t * size, size).ToArray()).ToArray();

    /// <summary>
    /// The demo's tasks: in each, two glyphs of different kinds (a filled shape and bars, an outline and a cross, …),
    /// so that the class label, not a detail of pose, tells a task's two classes apart; the first task is the one
    /// image-micro learns fastest from scratch. Measured with finetuning, one task from scratch, 300 steps (FID /
    /// sample accuracy): triangle + h-bars 9.2 / 1.00, ring + v-bars 12.5 / 0.86, square + dots 16.3 / 0.90, disc +
    /// ring 19.8 / 0.72, disc + x-cross 24.1 / 0.64, disc + plus 37.6 / 0.55, square + plus 43.1 / 0.45, plus + dots
    /// 63.4 / 0.31, plus + diagonal 85.3 / 0.04. The crosses are the hard classes from scratch but are learned in a
    /// later task, once bars and outlines have been (square + x-cross 9.8 / 0.85 as a second task). The first demo
    /// stream paired plus with x-cross and h-bars with v-bars; its plus/x-cross task was not learned by the penalty
    /// and replay methods in 300–400 steps (benchmarks/README.md, "Demo at more steps").
    /// </summary>
    public static readonly int[][] DemoTaskClasses =
    [
        [3, 6], // triangle, h-bars
        [1, 7], // ring, v-bars
        [2, 5], // square, x-cross
        [0, 4], // disc, plus
        [9, 8], // dots, diagonal
    ];

    /// <summary>
    /// CPU set-up of the demo: the embedded 16×16 glyphs, 5 tasks × 2 classes (<see cref="DemoTaskClasses"/>), the
    /// 0.18M-parameter image-micro UNet (image-tiny has 4× the parameters and costs ~6× per step: 400 ms against 61 ms
    /// on one core, so it cannot learn five tasks in the 10 minutes).
    /// How the values were chosen (benchmarks/README.md, "The demo preset", "Tuning the demo preset" and "A per-task
    /// learning-rate decay, λ 300, 600 steps"): at 60 steps
    /// of batch 24 per task nothing is learned; at 300 steps (the previous preset) the diagonal misses issue 17's
    /// acceptance (FID ≤ 20, sample accuracy ≥ 0.8 right after learning each task) in 53 of 90 seed × task × method
    /// cells. Batch 32 with replay ratio 0.5 (16 replay samples per step): the replay, Trust Region and bilevel steps
    /// process as many samples as batch 24 at ratio 1.0 did (32 + 16 = 48; FTML / VR-MCL 16 + 8 per half), so they
    /// cost about the same, finetuning and EWC about 1.25× (CPU time of one task: 19.4 s against 15.5 s), while the
    /// newest task gets 2/3 of each replayed batch instead of 1/2 and the bilevel methods' meta-gradient (which sees only
    /// the query half: FTML on Task 1 ≈ finetuning at batch 12, FID 17.1 against 15.6) 16 current-task samples instead
    /// of 12. Measured at 450 steps, seed 123, against batch 24 / ratio 1.0: FTML Task 1–3 FID 8.1, 6.0, 18.5 (was
    /// 17.1, 21.0, 21.3), Trust Region 8.7, 4.5, 12.2, 10.9, 6.7 (was 6.6, 4.6, 9.3, 12.6, 9.0; average FID / forgetting
    /// 14.9 / 6.4, was 15.1 / 6.7), replay at ratio 0.5 average FID / forgetting 17.9 / 8.9 (was 30.0 / 18.3).
    /// 500 steps per task, because Task 3 (square + x-cross) is still unlearned at 450 by the half-batch methods (FTML
    /// above: accuracy 0.70). At 500 (seed 1, one method per run): finetuning diagonal FID 7.1, 2.4, 2.7, 4.2,
    /// 2.2 (accuracy ≥ 0.97), forgetting 69.2; Trust Region 7.1, 2.9, 4.5, 4.5, 1.7 (accuracy ≥ 0.94), average FID /
    /// forgetting 4.3 / 0.2; FTML 6.8, 8.3, 8.1, 5.5, 3.7 (accuracy ≥ 0.84), 25.1 / 18.6 — no acceptance miss for
    /// these three (the previous preset at 300 steps: 2, 2 and 5 misses of 5 on seed 1). With the faster CPU engine (own
    /// AVX-512 GEMM, Winograd F(4x4, 3x3), fused attention and GroupNorm+SiLU) the six methods took 6 min 22 s at 500
    /// steps on a quiet 2-core AMD EPYC (seed 123) and three seeds 18 min 43 s, and 13 of the 90 seed × task × method
    /// cells still miss the acceptance (benchmarks/README.md). 600 steps (the first 10 of a 3-seed demo's 18 runs,
    /// stopped for time) missed 4 of the 46 cells they reached, 500 steps 3 of the same cells, so 500 stays.
    /// Replay at 500 steps (seed 1) misses only Task 4, disc + plus (FID 23.1, accuracy 0.67; average FID / forgetting
    /// 12.5 / 4.3, so Trust Region is ahead on both on this seed). VR-MCL momentum r = 0.05: at 0.15 (the original
    /// README runs' r) its control variate, an EMA of the weights as in the TRCL authors' code, slows learning here
    /// (seed 1, 500 steps: Task 1–3 FID 19.3, 15.8, 20.0 / accuracy 0.95, 0.77, 0.73); at r = 0.05 it reaches 6.1, 3.7,
    /// 9.1, 13.9, 5.1 / 1.00, 0.95, 0.84, 0.78, 0.94 (one miss, Task 4 by one sample of 64), at r = 0 Task 1 5.8.
    /// Its learned inner learning rates stay at 1e-3 (after four tasks: 99th percentile 1.001e-3), so their learning
    /// rate is left alone; a larger inner learning rate (FTML, 3e-2) makes θ's own loss rise to 4–5 while the query
    /// loss at θ − α·∇ stays low, and a larger outer one (FTML, 6e-3) helped Task 1 only.
    /// The learning rate decays linearly to lr/150 over the last 30% of each task's updates and starts again at lr with
    /// the next task (learning_rate_decay_fraction 0.3; the paper and the authors' scripts keep it constant): with a
    /// constant 3e-3 the last updates leave the weights noisy, and the hard pairs missed the acceptance on some seeds.
    /// Three seeds, everything else as before (λ 100): acceptance misses 13 of 90 → 2 (both VR-MCL seed 2, Task 2 and 3
    /// accuracy 0.72), Trust Region 5.85 ± 1.52 / 1.65 ± 0.98 → 5.08 ± 0.34 / 1.81 ± 0.21, replay 10.55 ± 2.00 /
    /// 4.33 ± 1.17 → 5.04 ± 0.49 / 1.82 ± 0.28, FTML 31.10 → 24.82, VR-MCL 35.32 → 30.51 (0.5 instead of 0.3 on
    /// VR-MCL seed 2: the same two misses). With the decay Trust Region and replay were equal, so λ was searched again
    /// (Trust Region, three seeds): λ 100 5.08 / 1.81, **300** 4.81 ± 0.31 / 1.69 ± 0.17 (no miss; Table 2 faster
    /// than replay in 4 cells, equal in 8, slower in none), 1,000 5.73 ± 0.65 / 1.90 ± 0.19 (slower than replay in 5
    /// cells). Before the decay λ 100 lay between 20 (Trust Region ≈ replay, one seed) and 200 (failing to learn a new
    /// task on another seed); the paper's values (15,000 for ImageNet) are far too stiff for this model and budget.
    /// 600 steps per task (was 500): with the decay, VR-MCL seed 2 — the two misses left — reaches Task 1–4 FID 13.8,
    /// 13.2, 11.5, 5.8 / accuracy 0.86, 0.84, 0.84, 0.89 at 600 against 17.0, 19.0, 19.0, 9.4 / 0.83, 0.72, 0.72, 0.83
    /// at 500 (the bilevel methods update with the query half of each batch only, so they learn slowest). This preset,
    /// from a fresh clone on the quiet 2-core AMD EPYC: seed 123 in 8 min 11 s, three seeds in 22 min 31 s with no
    /// acceptance miss in the 90 cells; Trust Region 3.51 ± 0.20 / 1.17 ± 0.15 and replay 3.54 ± 0.11 / 1.17 ± 0.03
    /// tie (benchmarks/README.md, "A per-task learning-rate decay, λ 300, 600 steps").
    /// The replay pool is 128 samples per finished task (64 per class; DDIM-10 generation of
    /// 128 samples costs about a second). Evaluation: 64 DDIM-10 samples per task (more steady sample accuracies than
    /// 48; 96 and 200 samples gave the same FID within 1 unit, and DDIM-20 a worse FID, 55 against 38, for a model 300
    /// steps into training); evaluation and probes are about 8% + 9% of a finetuning run's time.
    /// </summary>
    public static ExperimentConfig Demo(string method, ulong seed = 123) => new()
    {
        Preset = "demo",
        Method = method,
        Seed = seed,
        Dataset = "embedded",
        TaskClasses = DemoTaskClasses,
        TrainPerClass = 1000,
        HeldOutPerClass = 200,
        ModelPreset = "image-micro",
        StepsPerTask = 600,
        Hyper = new Hyperparameters
        {
            BatchSize = 32,
            LearningRate = 3e-3,
            LearningRateDecayFraction = 0.3,
            EwcLambda = 300,
            FisherSamples = 64,
            ReplayRatio = 0.5,
            ReplayPoolPerTask = 128,
            ReplayDdimSteps = 10,
            ReplayGenerationBatch = 64,
            InnerLearningRate = 1e-3,
            // below the original VR-MCL README runs' 0.15, which slowed learning here (the comment above); the code
            // default 0.8 amplifies the control-variate noise about 4x, and at 60 steps of batch 24 the meta-gradient
            // then drove the query loss back to ~1.0
            VrMclMomentum = 0.05,
            GradientClip = 1.0,
        },
        Evaluation = new EvaluationSettings { SamplesPerTask = 64, DdimSteps = 10, ProbeSamplesPerTask = 8, ProbeDenseSteps = 5, ProbeGrowth = 1.5 },
        CheckpointEvery = 100,
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
        Device = Device.Cuda(0),
        Hyper = new Hyperparameters
        {
            BatchSize = 128,
            LearningRate = 2e-4,
            EwcLambda = 15_000,
            FisherSamples = 10_000,
            ReplayRatio = 1.0,
            // Table 3's "Buffer Size per Task 1,300" read as the authors' code implements it: their GenerativeReplay
            // generates gr_pool_size_per_class samples for EVERY old class (1,300 = ImageNet's training images per
            // class), so a 50-class task contributes 65,000 replay samples, not 1,300 (26 per class). Their loop draws
            // batches of 500 until the count is reached (1,500 per class for 1,300); we generate exactly 1,300.
            ReplayPoolPerClass = 1_300,
            ReplayPoolPerTask = 0,
            ReplayDdimSteps = 50,
            InnerLearningRate = 1e-4,
        },
        // Table 2 / Figure 2 probe Task 1's FID (FID₁ ≤ (1+τ)·FID₁⁽⁰⁾), so the probe is the task metric itself: FID of
        // 2,500 DDIM-50 samples per task (50 per class), the same estimator as the final evaluation, so FID₁⁽⁰⁾ and the
        // probes share its sample-size bias; 2,500 exceeds Inception's 2,048 feature dimensions (full-rank covariance)
        // and equals the task's held-out reference (50 validation images × 50 classes). The probe time is recorded
        // (probe_seconds in metrics.jsonl and results.json, the report's timing line). probe_metric = "denoising-loss"
        // switches to the cheap held-out-loss proxy, which the report labels as a proxy.
        Evaluation = new EvaluationSettings
        {
            SamplesPerTask = 2_500, DdimSteps = 50, ProbeSamplesPerTask = 256, ProbeMetric = ProbeMetricKind.TaskMetric, ProbeTaskMetricSamples = 2_500,
        },
        CheckpointEvery = 1_000,
    };

    /// <summary>
    /// The paper's CW10 stream (Section 4.2, Table 4): the ten tasks in CW10 order, the 83.27M policy, batch 256, Adam
    /// 2e-4, 50,000 steps per task, rank-1 EWC with λ 12 over 20,000 Fisher samples, replay ratio 1.0 with a buffer of
    /// 2,500 teacher rollouts per task, 2,500 expert demonstrations per task, 100 evaluation rollouts per task, DDIM 50.
    /// The replay pool keeps 50,000 of the rollouts' windows per task (about half of their policy queries).
    /// </summary>
    public static ExperimentConfig Cw10Paper(string method, ulong seed = 123) => new()
    {
        Preset = "cw10-paper",
        Method = method,
        Seed = seed,
        Domain = ExperimentDomain.Control,
        Dataset = "cw10",
        ControlTasks = ["hammer", "push-wall", "faucet-close", "push-back", "stick-pull", "handle-press-side", "push", "shelf-place", "window-close", "peg-unplug-side"],
        ModelPreset = "policy-paper",
        StepsPerTask = 50_000,
        Device = Device.Cuda(0),
        Hyper = new Hyperparameters
        {
            BatchSize = 256,
            LearningRate = 2e-4,
            EwcLambda = 12,
            FisherSamples = 20_000,
            ReplayRatio = 1.0,
            ReplayPoolPerTask = 50_000,
            ReplayDdimSteps = 50,
            ReplayGenerationBatch = 500,
            InnerLearningRate = 1e-4,
        },
        // Table 2's CW10 rows are task-1 success-rate re-convergence (99/90/80 %): probe with rollouts
        Evaluation = new EvaluationSettings { SamplesPerTask = 100, DdimSteps = 50, ProbeSamplesPerTask = 256, ProbeMetric = ProbeMetricKind.TaskMetric, ProbeTaskMetricSamples = 20 },
        // the paper replays teacher rollouts without filtering them; keeping only successful ones would use the
        // environment's success signal and favour the replay methods (replay_successful_rollouts_only stays available)
        Control = new ControlSettings
        {
            DemonstrationsPerTask = 2_500, HeldOutDemonstrationsPerTask = 10, ReplayRolloutsPerTask = 2_500, ParallelEpisodes = 100,
            ReplaySuccessfulRolloutsOnly = false,
        },
        CheckpointEvery = 1_000,
    };

    /// <summary>
    /// CPU set-up of the control demo: three CW10 tasks a ~0.5M-parameter policy learns in a few hundred steps
    /// (faucet-close, handle-press-side, window-close, in CW10 order), 100 demonstrations per task, 20 evaluation
    /// rollouts per task with DDIM 10, replay from 24 teacher rollouts per old task.
    /// </summary>
    public static ExperimentConfig Cw10Cpu(string method, ulong seed = 123) => new()
    {
        Preset = "cw10-cpu",
        Method = method,
        Seed = seed,
        Domain = ExperimentDomain.Control,
        Dataset = "cw10",
        ControlTasks = ["faucet-close", "handle-press-side", "window-close"],
        ModelPreset = "policy-tiny",
        StepsPerTask = 400,
        Hyper = new Hyperparameters
        {
            BatchSize = 64,
            LearningRate = 1e-3,
            EwcLambda = 12,
            FisherSamples = 64,
            ReplayRatio = 1.0,
            ReplayPoolPerTask = 512,
            ReplayDdimSteps = 10,
            ReplayGenerationBatch = 24,
            InnerLearningRate = 1e-4,
            GradientClip = 1.0,
        },
        Evaluation = new EvaluationSettings { SamplesPerTask = 20, DdimSteps = 10, ProbeSamplesPerTask = 16, ProbeDenseSteps = 6, ProbeGrowth = 1.35 },
        Control = new ControlSettings { DemonstrationsPerTask = 100, HeldOutDemonstrationsPerTask = 4, ReplayRolloutsPerTask = 24, ParallelEpisodes = 24 },
        CheckpointEvery = 100,
    };

    /// <summary>
    /// The seeds a comparison of <paramref name="preset"/> runs when none are given: the paper averages 3 seeds on
    /// ImageNet (Table 3) and 4 on CW10 (Table 4) and does not list their values, so the paper presets use 123, 124, …
    /// (123 is every preset's single-run default); the CPU presets run one seed.
    /// </summary>
    public static ulong[] Seeds(string preset) => preset switch
    {
        "imagenet500-paper" => [123, 124, 125],
        "cw10-paper" => [123, 124, 125, 126],
        _ when Names.Contains(preset) => [123],
        _ => throw UsageException.Unknown("preset", preset, Names),
    };

    public static readonly string[] Names = ["demo", "split-mnist", "split-fashion", "imagenet500-paper", "cw10-paper", "cw10-cpu"];

    public static ExperimentConfig Create(string preset, string method, ulong seed) => preset switch
    {
        "demo" => Demo(method, seed),
        "split-mnist" => SplitMnistFamily("mnist", method, seed),
        "split-fashion" => SplitMnistFamily("fashion-mnist", method, seed),
        "imagenet500-paper" => ImageNetPaper(method, seed),
        "cw10-paper" => Cw10Paper(method, seed),
        "cw10-cpu" => Cw10Cpu(method, seed),
        _ => throw UsageException.Unknown("preset", preset, Names),
    };
}
