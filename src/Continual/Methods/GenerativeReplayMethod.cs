using NativeTrustRegion.Continual.Training;

namespace NativeTrustRegion.Continual.Methods;

/// <summary>
/// Base of the methods whose memory is generative replay (the paper replaces experience replay with it for the
/// meta-learning baselines): after every task but the last, the frozen teacher regenerates the replay pool; the pool and
/// teacher are part of the method's checkpointed state. Subclasses add their own state through
/// <see cref="SaveOwnState"/> / <see cref="LoadOwnState"/>.
/// </summary>
public abstract class GenerativeReplayMethod : IContinualMethod
{
    public abstract string Id { get; }

    /// <summary>The teacher and the replay pool of the finished tasks.</summary>
    public ReplayMemory Memory { get; } = new();

    public virtual void BeginTask(ContinualContext ctx, int task)
    {
    }

    public abstract StepStats Step(ContinualContext ctx, int task, int stepInTask);

    public virtual void EndTask(ContinualContext ctx, int task)
    {
        if (task < ctx.Stream.Count - 1)
        {
            Memory.Rebuild(ctx, task);
        }
    }

    public MethodState SaveState()
    {
        var state = new MethodState();
        Memory.Save(state);
        SaveOwnState(state);
        return state;
    }

    public void LoadState(ContinualContext ctx, MethodState state)
    {
        Memory.Load(ctx, state);
        LoadOwnState(ctx, state);
    }

    protected virtual void SaveOwnState(MethodState state)
    {
    }

    protected virtual void LoadOwnState(ContinualContext ctx, MethodState state)
    {
    }
}
