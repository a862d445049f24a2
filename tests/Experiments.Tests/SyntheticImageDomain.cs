using NativeTrustRegion.Continual.Replay;
using NativeTrustRegion.Continual.Tasks;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Randomness;
using NativeTrustRegion.Experiments.Configuration;
using NativeTrustRegion.Experiments.Evaluation;
using NativeTrustRegion.Experiments.Metrics;
using NativeTrustRegion.Experiments.Running;
using NativeTrustRegion.Models;
using NativeTrustRegion.Models.Diffusion;

namespace NativeTrustRegion.Experiments.Tests;

/// <summary>
/// A small image domain for runner tests: per class, a fixed random 16×16 pattern plus noise; the evaluator is the
/// probe loss of the task (cheap and deterministic), so runner behaviour is tested without the FID machinery.
/// <paramref name="metricName"/> names the evaluator's metric (a different name stands for a different feature network).
/// </summary>
public sealed class SyntheticImageDomain(string metricName = "probe loss") : IExperimentDomain
{
    public ExperimentSetup Build(ExperimentConfig config, IRunProgress progress)
    {
        var store = new ParameterStore();
        var model = ModelPresets.Create(config.ModelPreset, store);
        store.Allocate(config.Seed);
        var schedule = NoiseSchedule.Linear();
        var g = new Generator(77);
        var patterns = Enumerable.Range(0, 10).Select(_ => Enumerable.Range(0, 256).Select(_ => (float)Math.Tanh(g.NextNormal())).ToArray()).ToArray();
        var tasks = new List<ITaskData>();
        var probes = new List<TrainingBatch>();
        for (var t = 0; t < config.TaskClasses.Length; t++)
        {
            var classes = config.TaskClasses[t];
            const int perClass = 24;
            var x = new float[classes.Length * perClass * 256];
            var c = new float[classes.Length * perClass];
            for (var k = 0; k < classes.Length; k++)
            {
                for (var i = 0; i < perClass; i++)
                {
                    var row = k * perClass + i;
                    for (var p = 0; p < 256; p++)
                    {
                        x[row * 256 + p] = Math.Clamp(patterns[classes[k]][p] + 0.1f * (float)g.NextNormal(), -1f, 1f);
                    }
                    c[row] = classes[k];
                }
            }
            var data = new InMemoryTaskData($"T{t + 1}", x, [1, 16, 16], c, [], config.Seed + (ulong)t, DType.F32, Device.Cpu, classes.Select(v => (float)v).ToArray());
            tasks.Add(data);
            probes.Add(data.Gather(Enumerable.Range(0, 4).ToArray()));
        }
        var stream = new TaskStream("synthetic", tasks);
        var evaluator = new ProbeLossEvaluator(new ProbeEvaluator(schedule, probes, [100, 500, 900], 5), metricName);
        return new ExperimentSetup(model, schedule, stream, evaluator, probes, new ConditionalSampleReplay(), "synthetic test domain");
    }

    private sealed class ProbeLossEvaluator(ProbeEvaluator probe, string metricName) : ITaskEvaluator
    {
        public MetricDefinition Metric { get; } = new(metricName, MetricDirection.LowerIsBetter, "test");

        public MetricDefinition? SecondaryMetric => null;

        public TaskEvaluation Evaluate(IDenoiser model, int task) => new(probe.Evaluate(model, task), null);

        public double Probe(IDenoiser model, int task, int samples) => probe.Evaluate(model, task);

        public void WriteArtifacts(IDenoiser model, int afterTask, string directory)
        {
        }
    }
}
