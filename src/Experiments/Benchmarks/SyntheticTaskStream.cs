using NativeTrustRegion.Continual.Tasks;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Randomness;
using NativeTrustRegion.Models;
using NativeTrustRegion.Models.Image;

namespace NativeTrustRegion.Experiments.Benchmarks;

/// <summary>
/// A stream of tasks holding random data of a model's shapes, for timing: x₀ uniform in [−1, 1], class ids from each
/// task's share of the classes (image UNets), or N(0, 1) observation histories (policies). The values do not matter
/// for speed; the shapes, the batch gathering and the host → device copies are those of real tasks.
/// </summary>
public static class SyntheticTaskStream
{
    public static TaskStream Create(IDenoiser model, int tasks, int samplesPerTask, ulong seed)
    {
        var store = model.Parameters;
        var sampleShape = model.SampleShape.ToArray();
        var sampleSize = (int)Shape.Numel(sampleShape);
        var list = new List<ITaskData>();
        for (var task = 0; task < tasks; task++)
        {
            var generator = Generator.Derive(seed, 0xBE7C0000UL + (ulong)task);
            var samples = new float[samplesPerTask * sampleSize];
            for (var i = 0; i < samples.Length; i++)
            {
                samples[i] = (float)(2 * generator.NextUniform() - 1);
            }
            float[]? conditions = null;
            float[]? replayPool = null;
            var conditionShape = model.ConditionShape?.ToArray() ?? [];
            if (model.ConditionShape is { Count: 0 })
            {
                var classes = ClassIds(model, task, tasks);
                conditions = new float[samplesPerTask];
                for (var i = 0; i < samplesPerTask; i++)
                {
                    conditions[i] = classes[i % classes.Length];
                }
                replayPool = classes;
            }
            else if (model.ConditionShape is not null)
            {
                conditions = new float[samplesPerTask * (int)Shape.Numel(conditionShape)];
                for (var i = 0; i < conditions.Length; i++)
                {
                    conditions[i] = (float)generator.NextNormal();
                }
            }
            list.Add(new InMemoryTaskData($"synthetic-{task}", samples, sampleShape, conditions, conditionShape, seed + (ulong)task,
                store.DType, store.Device, replayPool));
        }
        return new TaskStream($"synthetic {model.Name}", list);
    }

    /// <summary>Task <paramref name="task"/>'s contiguous share of the classes (at least one).</summary>
    private static float[] ClassIds(IDenoiser model, int task, int tasks)
    {
        var total = model is ImageUNet image
            ? image.Config.Classes
            : throw new ArgumentException($"{model.Name} takes class ids, but the benchmark knows class counts only for ImageUNet");
        var first = Math.Min(total - 1, (int)((long)task * total / tasks));
        var end = Math.Max(first + 1, (int)((long)(task + 1) * total / tasks));
        return Enumerable.Range(first, Math.Min(end, total) - first).Select(c => (float)c).ToArray();
    }
}
