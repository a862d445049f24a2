using NativeTrustRegion.Continual.Tasks;
using NativeTrustRegion.Experiments.Configuration;
using NativeTrustRegion.Experiments.Control;
using NativeTrustRegion.Experiments.Evaluation;
using NativeTrustRegion.Experiments.Metrics;
using NativeTrustRegion.Experiments.Running;
using NativeTrustRegion.Models;

namespace NativeTrustRegion.Experiments.Tests.Control;

/// <summary>
/// The control domain with every task's data wrapped in <see cref="GuardedTaskData"/>: the runner evaluates tasks
/// 0 … i right after task i has ended (after EndTask: Fisher estimate, replay pool), so the evaluator wrapper closes
/// the data of every task it evaluates. Any later read of a finished task's demonstrations then fails the run.
/// </summary>
public sealed class GuardedControlDomain : IExperimentDomain
{
    public List<GuardedTaskData> Tasks { get; } = new();

    public ExperimentSetup? Setup { get; private set; }

    public ExperimentSetup Build(ExperimentConfig config, IRunProgress progress)
    {
        var setup = new ControlExperimentDomain().Build(config, progress);
        Tasks.Clear();
        Tasks.AddRange(setup.Stream.Tasks.Select(t => new GuardedTaskData(t)));
        Setup = setup with
        {
            Stream = new TaskStream(setup.Stream.Name, Tasks),
            Evaluator = new ClosingEvaluator(setup.Evaluator, Tasks),
        };
        return Setup;
    }

    private sealed class ClosingEvaluator(ITaskEvaluator inner, List<GuardedTaskData> tasks) : ITaskEvaluator
    {
        public MetricDefinition Metric => inner.Metric;

        public MetricDefinition? SecondaryMetric => inner.SecondaryMetric;

        public TaskEvaluation Evaluate(IDenoiser model, int task)
        {
            tasks[task].Close();
            return inner.Evaluate(model, task);
        }

        public double Probe(IDenoiser model, int task, int samples) => inner.Probe(model, task, samples);

        public void WriteArtifacts(IDenoiser model, int afterTask, string directory) => inner.WriteArtifacts(model, afterTask, directory);
    }
}
