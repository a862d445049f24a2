using System.Globalization;
using NativeTrustRegion.Continual.Replay;
using NativeTrustRegion.Continual.Tasks;
using NativeTrustRegion.Continual.Training;
using NativeTrustRegion.Engine;

namespace NativeTrustRegion.Continual.Methods;

/// <summary>
/// The generative-replay state shared by the replay-based methods: a frozen teacher (the weights at the end of the
/// last finished task) and the pool of samples it generated for every finished task; both replaced after each task.
/// </summary>
public sealed class ReplayMemory
{
    public FrozenWeights? Teacher { get; private set; }

    public ReplayPool? Pool { get; private set; }

    public void Rebuild(ContinualContext ctx, int finishedTask)
    {
        if (Teacher is null)
        {
            Teacher = new FrozenWeights(ctx.Parameters);
        }
        else
        {
            Teacher.CopyFrom(ctx.Parameters);
        }
        Pool = ctx.ReplayGenerator.Build(ctx, Teacher, finishedTask);
    }

    public TrainingBatch Next(ContinualContext ctx, int count) => Pool!.Next(count, ctx.Seed);

    public void Save(MethodState state)
    {
        if (Teacher is null || Pool is null)
        {
            return;
        }
        state.Tensors["replay.teacher"] = Teacher.Weights;
        state.Tensors["replay.samples"] = Pool.Samples;
        if (Pool.Conditions is not null)
        {
            state.Tensors["replay.conditions"] = Pool.Conditions;
        }
        state.Values["replay.epoch"] = Pool.Cursor.Epoch.ToString(CultureInfo.InvariantCulture);
        state.Values["replay.position"] = Pool.Cursor.Position.ToString(CultureInfo.InvariantCulture);
    }

    public void Load(ContinualContext ctx, MethodState state)
    {
        if (!state.Tensors.TryGetValue("replay.teacher", out var teacher))
        {
            return;
        }
        Teacher = new FrozenWeights(ctx.Parameters);
        Teacher.Weights.CopyFrom(teacher);
        var shape = new[] { -1 }.Concat(ctx.Model.SampleShape).ToArray();
        var samples = state.Tensors["replay.samples"];
        Tensor? conditions = state.Tensors.TryGetValue("replay.conditions", out var c) ? c : null;
        var n = samples.Shape[0];
        Pool = new ReplayPool(samples.Reshape(shape), conditions is null ? null : ReshapeConditions(ctx, conditions, n));
        Pool.Restore(long.Parse(state.Values["replay.epoch"], CultureInfo.InvariantCulture), int.Parse(state.Values["replay.position"], CultureInfo.InvariantCulture), ctx.Seed);
    }

    private static Tensor ReshapeConditions(ContinualContext ctx, Tensor conditions, int n)
    {
        var shape = ctx.Model.ConditionShape;
        return shape is null || shape.Count == 0 ? conditions.Reshape(n) : conditions.Reshape(new[] { n }.Concat(shape).ToArray());
    }
}
