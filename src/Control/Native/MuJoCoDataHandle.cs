using Microsoft.Win32.SafeHandles;

namespace NativeTrustRegion.Control.Native;

/// <summary>Owns an <c>mjData*</c>; released with <c>mj_deleteData</c> through the shim.</summary>
internal sealed class MuJoCoDataHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public MuJoCoDataHandle()
        : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle()
    {
        MuJoCoShim.FreeData(handle);
        return true;
    }
}
