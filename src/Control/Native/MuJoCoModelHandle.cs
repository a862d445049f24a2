using Microsoft.Win32.SafeHandles;

namespace NativeTrustRegion.Control.Native;

/// <summary>Owns an <c>mjModel*</c>; released with <c>mj_deleteModel</c> through the shim.</summary>
internal sealed class MuJoCoModelHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public MuJoCoModelHandle()
        : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle()
    {
        MuJoCoShim.FreeModel(handle);
        return true;
    }
}
