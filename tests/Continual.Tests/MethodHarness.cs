using NativeTrustRegion.Continual.Replay;
using NativeTrustRegion.Continual.Tasks;
using NativeTrustRegion.Continual.Training;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Randomness;
using NativeTrustRegion.Models.Diffusion;

namespace NativeTrustRegion.Continual.Tests;

/// <summary>
/// A two-task stream of 4-d samples for the tiny denoiser, and tools to replay a method's random draws so a test can
/// recompute the method's update from its equation with independently computed gradients.
/// </summary>
public sealed class MethodHarness
{
    public MethodHarness(Hyperparameters hyper, bool collinear = false, int perTask = 24)
    {
        Model = new TinyDenoiser(collinear);
        var g = new Generator(42);
        var tasks = new List<ITaskData>();
        for (var t = 0; t < 2; t++)
        {
            var x = new double[perTask * TinyDenoiser.Width];
            var c = new float[perTask];
            for (var i = 0; i < perTask; i++)
            {
                for (var k = 0; k < TinyDenoiser.Width; k++)
                {
                    x[i * TinyDenoiser.Width + k] = Math.Tanh(g.NextNormal() + (t == 0 ? 0.5 : -0.5) * (k + 1));
                }
                c[i] = t == 0 ? i % 2 : 2;
            }
            tasks.Add(new InMemoryTaskData($"T{t + 1}", x.Select(v => (float)v).ToArray(), [TinyDenoiser.Width], c, [], 100 + (ulong)t, DType.F64, Device.Cpu,
                t == 0 ? [0f, 1f] : [2f]));
        }
        Stream = new TaskStream("tiny", tasks);
        Context = new ContinualContext(Model, NoiseSchedule.Linear(), Stream, hyper, new ConditionalSampleReplay(), seed: 9);
    }

    public TinyDenoiser Model { get; }

    public TaskStream Stream { get; }

    public ContinualContext Context { get; }

    /// <summary>Random-stream and data positions, to rewind a step.</summary>
    public sealed record Snapshot(ulong Noise, ulong Sampling, (long, int)[] Cursors, double[] Weights);

    public Snapshot Take() => new(Context.Noise.Offset, Context.Sampling.Offset, Stream.Tasks.Select(t => t.Cursor).ToArray(), Context.Parameters.Data.ToDoubleArray());

    public void Rewind(Snapshot s)
    {
        Context.Noise.Restore(s.Noise);
        Context.Sampling.Restore(s.Sampling);
        for (var i = 0; i < s.Cursors.Length; i++)
        {
            Stream[i].Cursor = s.Cursors[i];
        }
    }

    public Tensor Flat(double[] values) => Tensor.FromArray((double[])values.Clone(), values.Length);

    /// <summary>∇_θ L(batch; θ = <paramref name="weights"/>) with a given draw (evaluation-independent recomputation).</summary>
    public double[] Gradient(double[] weights, TrainingBatch batch, NoiseDraw draw)
    {
        var store = Context.Parameters;
        var w = Flat(weights);
        var grad = store.NewFlat();
        using (store.Bind(w, grad))
        {
            var loss = DenoisingLoss.Compute(Model, Context.Schedule, batch.X0, batch.Condition, draw);
            GradTape.Current.Backward(loss);
        }
        return grad.ToDoubleArray();
    }

    public static double Dot(double[] a, double[] b) => a.Zip(b, (x, y) => x * y).Sum();

    public static double[] Axpy(double alpha, double[] x, double[] y) => x.Zip(y, (a, b) => alpha * a + b).ToArray();

    public static void Close(double[] expected, double[] actual, double tolerance = 1e-10)
    {
        Assert.Equal(expected.Length, actual.Length);
        var scale = Math.Max(1e-12, expected.Max(Math.Abs));
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * scale, $"element {i}: expected {expected[i]:G12}, got {actual[i]:G12}");
        }
    }
}
