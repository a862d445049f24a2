using NativeTrustRegion.Control.Native;

namespace NativeTrustRegion.Experiments.Control;

/// <summary>The MuJoCo simulator every control command needs, loaded (and checked) once before it builds anything.</summary>
public static class ControlRuntime
{
    /// <summary>Loads MuJoCo 2.2.2 and the native shim; a missing library throws a message naming the fix.</summary>
    public static void EnsureLoaded() => MuJoCoRuntime.EnsureLoaded();
}
