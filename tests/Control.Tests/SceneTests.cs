using NativeTrustRegion.Control.Physics;
using NativeTrustRegion.Control.Scenes;

namespace NativeTrustRegion.Control.Tests;

public sealed class SceneTests
{
    [Fact]
    public void EveryTaskSceneCompilesWithTheSharedGripper()
    {
        foreach (ControlTask task in ControlTaskNames.Cw10)
        {
            using MuJoCoModel model = MuJoCoModel.LoadXml(SceneLibrary.ComposeScene(task), task.ToName());

            Assert.Equal(1, model.Sizes.Nmocap);
            Assert.Equal(2, model.Sizes.Nu);
            Assert.True(model.Sizes.Neq >= 1);
            Assert.True(model.FindId(MuJoCoObjectType.Body, "hand") > 0);
            Assert.True(model.FindId(MuJoCoObjectType.Site, "goal") >= 0);
            var timestep = new double[1];
            model.Read(MuJoCoField.Timestep, 0, timestep);
            Assert.Equal(0.0025, timestep[0]);
        }
    }

    [Fact]
    public void ResetWritesAnIdentityElevenNumberWeld()
    {
        using var env = new ManipulationEnv(ControlTask.Hammer);
        env.Reset(0);
        int weld = env.Simulation.Model.RequireId(MuJoCoObjectType.Equality, "hand_weld");
        var data = new double[11];

        env.Simulation.Read(MuJoCoField.EqualityData, 11 * weld, data);

        Assert.Equal([0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1], data);
        Assert.Equal(11 * env.Simulation.Model.Sizes.Neq, env.Simulation.Model.FieldLength(MuJoCoField.EqualityData));
    }

    [Fact]
    public void FixturesMoveWithTheSeed()
    {
        using var env = new ManipulationEnv(ControlTask.FaucetClose);
        int faucet = env.Simulation.Model.RequireId(MuJoCoObjectType.Body, "faucet_base");

        env.Reset(1);
        Vec3 first = env.Simulation.ReadVec3(MuJoCoField.BodyWorldPosition, faucet);
        env.Reset(2);
        Vec3 second = env.Simulation.ReadVec3(MuJoCoField.BodyWorldPosition, faucet);

        Assert.NotEqual(first, second);
        Assert.InRange(first.X, -0.1, 0.1);
        Assert.InRange(first.Y, 0.8, 0.85);
        Vec3 expectedGoal = second + new Vec3(-0.175, 0, 0.125);
        Assert.Equal(expectedGoal.X, env.Goal.X, 12);
        Assert.Equal(expectedGoal.Y, env.Goal.Y, 12);
        Assert.Equal(expectedGoal.Z, env.Goal.Z, 12);
    }

    [Fact]
    public void OutOfRangeFieldAccessIsRejected()
    {
        using var env = new ManipulationEnv(ControlTask.Push);
        int nq = env.Simulation.Model.Sizes.Nq;

        Assert.Throws<ArgumentOutOfRangeException>(() => env.Simulation.Read(MuJoCoField.Qpos, nq, new double[1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => env.Simulation.Write(MuJoCoField.BodyWorldPosition, 0, [1.0]));
    }
}
