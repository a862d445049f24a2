using NativeTrustRegion.Continual.Tasks;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Randomness;
using NativeTrustRegion.Experiments.Metrics;
using NativeTrustRegion.Models;
using NativeTrustRegion.Models.Diffusion;

namespace NativeTrustRegion.Experiments.Evaluation;

/// <summary>
/// The cheap re-convergence probe: the denoising loss of a fixed held-out subset of each task at fixed timesteps with
/// fixed noise (evaluation mode, no tape). Because nothing random changes between probes, its curve moves only with
/// the weights, which is what steps-to-re-converge measures.
/// </summary>
public sealed class ProbeEvaluator
{
    private readonly NoiseSchedule _schedule;
    private readonly List<(TrainingBatch Batch, Tensor Noise, int[] Timesteps)> _tasks = new();

    public static readonly int[] DefaultTimesteps = [50, 200, 400, 600, 800, 950];

    public ProbeEvaluator(NoiseSchedule schedule, IReadOnlyList<TrainingBatch> heldOutPerTask, int[] timesteps, ulong seed)
    {
        _schedule = schedule;
        Timesteps = timesteps;
        for (var j = 0; j < heldOutPerTask.Count; j++)
        {
            var b = heldOutPerTask[j];
            var n = b.Size;
            // each sample is probed at every timestep: repeat the batch |timesteps| times
            var repeats = timesteps.Length;
            var x = Ops.Concat(Enumerable.Repeat(b.X0, repeats).ToList(), 0);
            var c = b.Condition is null ? null : Ops.Concat(Enumerable.Repeat(b.Condition, repeats).ToList(), 0);
            var ts = Enumerable.Range(0, repeats * n).Select(i => timesteps[i / n]).ToArray();
            var noise = Tensor.Randn(x.Shape, Generator.Derive(seed, 0xB0BE0000UL + (ulong)j), x.DType, x.Device);
            _tasks.Add((new TrainingBatch(Persist(x), c is null ? null : Persist(c)), Persist(noise), ts));
        }
    }

    public int[] Timesteps { get; }

    public static MetricDefinition Metric(int[] timesteps, int samples) => new(
        "probe loss", MetricDirection.LowerIsBetter,
        $"Cheap proxy, not the paper's re-convergence metric (the paper probes FID / success rate; probe_metric = \"task-metric\" does): " +
        $"denoising MSE of {samples} fixed held-out samples per task (images or policy windows) at t ∈ {{{string.Join(", ", timesteps)}}} with fixed noise");

    private static Tensor Persist(Tensor t)
    {
        var p = Tensor.EmptyUnscoped(t.Shape, t.DType, t.Device);
        p.CopyFrom(t);
        return p;
    }

    public double Evaluate(IDenoiser model, int task)
    {
        var (batch, noise, ts) = _tasks[task];
        var training = model.Training;
        model.Training = false;
        try
        {
            using var scope = TensorScope.Begin();
            using var untracked = GradMode.NoGrad();
            return DenoisingLoss.Compute(model, _schedule, batch.X0, batch.Condition, new NoiseDraw(ts, noise)).Item();
        }
        finally
        {
            model.Training = training;
        }
    }
}
