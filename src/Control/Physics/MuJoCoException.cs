namespace NativeTrustRegion.Control.Physics;

/// <summary>MuJoCo rejected a model or failed during simulation; the message carries MuJoCo's own text.</summary>
public sealed class MuJoCoException : Exception
{
    public MuJoCoException(string message)
        : base(message)
    {
    }
}
