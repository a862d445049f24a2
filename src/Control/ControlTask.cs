namespace NativeTrustRegion.Control;

/// <summary>The ten Continual-World-10 (CW10) manipulation tasks, in CW10 order.</summary>
public enum ControlTask
{
    Hammer,
    PushWall,
    FaucetClose,
    PushBack,
    StickPull,
    HandlePressSide,
    Push,
    ShelfPlace,
    WindowClose,
    PegUnplugSide,
}
