using NativeTrustRegion.Control.Physics;

namespace NativeTrustRegion.Control.Tasks;

/// <summary>
/// shelf-place (v2 rule): block drawn in (-0.1,0.5)..(0.1,0.6) on the table, goal in (-0.1,0.8,0.3)..(0.1,0.9,0.3);
/// the shelf is placed at goal - (0,0,0.3). Success when the block centre is within 0.07 of the goal (3-D).
/// Observation object 1 = block pose.
/// </summary>
public sealed class ShelfPlaceTask(MuJoCoSimulation simulation)
    : ManipulationTask(simulation, ControlTask.ShelfPlace, ObservedObject.Body("block"))
{
    public const double SuccessDistance = 0.07;
    public const double ShelfHeight = 0.3;
    private static readonly Vec3 BlockLow = new(-0.1, 0.5, 0.02);
    private static readonly Vec3 BlockHigh = new(0.1, 0.6, 0.02);
    private static readonly Vec3 GoalLow = new(-0.1, 0.8, ShelfHeight);
    private static readonly Vec3 GoalHigh = new(0.1, 0.9, ShelfHeight);

    public Vec3 BlockPosition => ObservedPosition(0);

    public override void Randomize(SeededRandom random)
    {
        PlaceFreeBody("block_free", random.UniformIn(BlockLow, BlockHigh));
        Vec3 goal = random.UniformIn(GoalLow, GoalHigh);
        PlaceFixture("shelf", goal - new Vec3(0, 0, ShelfHeight));
        SetGoal(goal);
    }

    public override bool IsSuccess() => BlockPosition.DistanceTo(Goal) <= SuccessDistance;
}
