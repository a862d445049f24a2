using NativeTrustRegion.Continual.Training;
using NativeTrustRegion.Control.Demonstrations;
using NativeTrustRegion.Control.Native;
using NativeTrustRegion.Control.Physics;
using NativeTrustRegion.Data;

namespace NativeTrustRegion.Experiments.Running;

/// <summary>
/// The exceptions of the layers below Experiments (training, control, data) whose message already names the cause
/// and the fix, so a command reports the message alone, as a failure of the run and not a bug in ntr: a diverged
/// loss, a missing or failing MuJoCo, a corrupt demonstration file, a malformed data set.
/// </summary>
public static class UserFacingFailures
{
    /// <summary>Whether <paramref name="e"/> is one of them.</summary>
    public static bool Includes(Exception e) =>
        e is TrainingDivergedException or NonFiniteLossException
            or MuJoCoLibraryException or MuJoCoException
            or CorruptDemonstrationFileException or DatasetFormatException;
}
