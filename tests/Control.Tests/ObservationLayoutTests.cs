using NativeTrustRegion.Control.Physics;

namespace NativeTrustRegion.Control.Tests;

public sealed class ObservationLayoutTests
{
    [Fact]
    public void ObservationHas39NumbersAndTheFirstFrameRepeatsAsPreviousFrame()
    {
        using var env = new ManipulationEnv(ControlTask.Push);
        float[] observation = env.Reset(4);

        Assert.Equal(39, observation.Length);
        Assert.Equal(observation[..18], observation[18..36]);
    }

    [Fact]
    public void HandPositionIsTheHandBodyPosition()
    {
        using var env = new ManipulationEnv(ControlTask.Push);
        env.Reset(4);
        float[] observation = env.Step([0.5f, -0.3f, -0.8f, 0f]).Observation;

        int hand = env.Simulation.Model.RequireId(MuJoCoObjectType.Body, "hand");
        Vec3 body = env.Simulation.ReadVec3(MuJoCoField.BodyWorldPosition, hand);
        Assert.Equal((float)body.X, observation[0]);
        Assert.Equal((float)body.Y, observation[1]);
        Assert.Equal((float)body.Z, observation[2]);
        Assert.InRange(body.Z, 0.05, 0.3);
    }

    [Fact]
    public void GoalIsTheTaskGoal()
    {
        using var env = new ManipulationEnv(ControlTask.ShelfPlace);
        float[] observation = env.Reset(8);

        Assert.Equal((float)env.Goal.X, observation[36]);
        Assert.Equal((float)env.Goal.Y, observation[37]);
        Assert.Equal((float)env.Goal.Z, observation[38]);
        Assert.Equal(0.3f, observation[38], 1e-6f);
        Assert.InRange(observation[37], 0.8f, 0.9f);
    }

    [Fact]
    public void PreviousFrameBlockIsTheLastStepsCurrentFrame()
    {
        using var env = new ManipulationEnv(ControlTask.Hammer);
        float[] previous = env.Reset(2);
        for (int step = 0; step < 15; step++)
        {
            float[] observation = env.Step([0.2f, 0.6f, -0.4f, step < 8 ? -1f : 1f]).Observation;

            Assert.Equal(previous[..18], observation[18..36]);
            previous = observation;
        }
        Assert.NotEqual(previous[..3], previous[18..21]);
    }

    [Fact]
    public void ObjectBlockHoldsPuckPoseAndZeroPaddedSecondObject()
    {
        using var env = new ManipulationEnv(ControlTask.PushBack);
        float[] observation = env.Reset(6);

        int puck = env.Simulation.Model.RequireId(MuJoCoObjectType.Body, "puck");
        Vec3 position = env.Simulation.ReadVec3(MuJoCoField.BodyWorldPosition, puck);
        var quaternion = new double[4];
        env.Simulation.Read(MuJoCoField.BodyWorldQuaternion, 4 * puck, quaternion);
        Assert.Equal((float)position.X, observation[4]);
        Assert.Equal((float)position.Y, observation[5]);
        Assert.Equal((float)position.Z, observation[6]);
        Assert.Equal(quaternion.Select(q => (float)q), observation[7..11]);
        Assert.InRange(observation[7], 0.999f, 1.0f);
        Assert.All(observation[11..18], value => Assert.Equal(0f, value));
        Assert.InRange(position.Y, 0.8, 0.85);
    }

    [Fact]
    public void TwoObjectTasksFillTheSecondObject()
    {
        using var env = new ManipulationEnv(ControlTask.StickPull);
        float[] observation = env.Reset(1);

        // Object 2 is the container's loop centre (fixed start 0.22 - 0.075, 0.69, 0.05) and container orientation.
        Assert.Equal(0.145f, observation[11], 1e-4f);
        Assert.Equal(0.69f, observation[12], 1e-4f);
        Assert.Equal(0.05f, observation[13], 1e-4f);
        Assert.Equal(1f, observation[14], 1e-6f);
    }

    [Fact]
    public void GripperOpeningIsOneWhenOpenAndSmallWhenClosed()
    {
        using var env = new ManipulationEnv(ControlTask.Push);
        float[] open = env.Reset(3);
        float[] closed = open;
        for (int step = 0; step < 12; step++)
        {
            closed = env.Step([0f, 0f, 0f, 1f]).Observation;
        }

        Assert.Equal(1f, open[ObservationLayout.GripperOpening]);
        Assert.InRange(closed[ObservationLayout.GripperOpening], 0.0f, 0.15f);
    }
}
