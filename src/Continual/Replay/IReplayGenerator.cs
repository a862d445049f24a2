using NativeTrustRegion.Continual.Training;

namespace NativeTrustRegion.Continual.Replay;

/// <summary>
/// Builds the replay pool of the finished tasks 0..<c>lastTask</c> from a frozen teacher: for images, class-conditional
/// DDIM samples per old class; for control, the teacher's actions on old tasks' observations.
/// </summary>
public interface IReplayGenerator
{
    ReplayPool Build(ContinualContext ctx, FrozenWeights teacher, int lastTask);
}
