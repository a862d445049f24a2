using NativeTrustRegion.Control;
using NativeTrustRegion.Control.Experts;
using NativeTrustRegion.Control.Native;

namespace NativeTrustRegion.Experiments.Control;

/// <summary>
/// `ntr control trace`: the scripted expert's rollout of one seeded episode, step by step, until success or the
/// episode's horizon: the goal, then per step the hand, gripper and object positions seen and the action taken.
/// </summary>
public sealed record ExpertTrace(string Goal, IReadOnlyList<ExpertTrace.Step> Steps)
{
    /// <summary>One step: the observation the expert acted on (positions as "(x, y, z)"), its action and whether it succeeded.</summary>
    public sealed record Step(int Index, string Hand, double GripperOpening, string FirstObject, string SecondObject, float[] Action, bool Success);

    /// <summary>Rolls out <paramref name="taskName"/>'s expert from episode seed <paramref name="seed"/>.</summary>
    public static ExpertTrace Record(string taskName, int seed)
    {
        ControlTask task = ControlTaskNames.Parse(taskName);
        MuJoCoRuntime.EnsureLoaded();
        ScriptedExpert expert = ScriptedExpert.Create(task);
        using var env = new ManipulationEnv(task);
        float[] observation = env.Reset(seed);
        var goal = $"{env.Goal}";
        var steps = new List<Step>();
        for (int step = 0; step < ManipulationEnv.MaxEpisodeSteps; step++)
        {
            float[] action = expert.Act(observation);
            StepResult result = env.Step(action);
            var view = new ObservationView(observation);
            steps.Add(new Step(step, view.Hand.ToString(), view.GripperOpening, view.FirstObjectPosition.ToString(), view.SecondObjectPosition.ToString(),
                action.ToArray(), result.Success));
            observation = result.Observation;
            if (result.Success)
            {
                break;
            }
        }
        return new ExpertTrace(goal, steps);
    }
}
