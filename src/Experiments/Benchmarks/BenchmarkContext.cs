using NativeTrustRegion.Continual.Replay;
using NativeTrustRegion.Continual.Training;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Models;
using NativeTrustRegion.Models.Diffusion;

namespace NativeTrustRegion.Experiments.Benchmarks;

/// <summary>
/// The training context a benchmark times: a fresh model of the preset with seeded weights on the settings' device, a
/// two-task stream of random data of the model's shapes, Adam at 2e-4 and the workload's replay and Fisher sizes.
/// </summary>
public static class BenchmarkContext
{
    public static ContinualContext Create(TrainingBenchmarkSettings settings, IReplayGenerator replay, MetaGradientOrder metaGradient = MetaGradientOrder.FirstOrder)
    {
        var store = new ParameterStore(DType.F32, settings.Device);
        var model = ModelPresets.Create(settings.Preset, store);
        store.Allocate(settings.Seed);
        var w = settings.Workload;
        var hyper = new Hyperparameters
        {
            BatchSize = settings.Batch,
            LearningRate = 2e-4,
            FisherSamples = settings.FisherSamplesTimed,
            ReplayPoolPerTask = settings.ReplayPoolGenerated ?? Math.Min(w.ReplayPoolPerTask, TrainingBenchmarkSettings.DefaultReplayPoolGenerated),
            ReplayGenerationBatch = w.ReplayGenerationBatch,
            ReplayDdimSteps = w.ReplayDdimSteps,
            MetaGradient = metaGradient,
        };
        var samplesPerTask = Math.Max(2 * settings.Batch, settings.FisherSamplesTimed);
        var stream = SyntheticTaskStream.Create(model, tasks: 2, samplesPerTask, settings.Seed);
        return new ContinualContext(model, NoiseSchedule.Linear(), stream, hyper, replay, settings.Seed);
    }
}
