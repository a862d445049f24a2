using System.Runtime.InteropServices;

namespace NativeTrustRegion.Control.Native;

/// <summary>Model sizes as reported by the shim (mirrors <c>ntr_sizes</c> in ntr_mujoco.h, field for field).</summary>
[StructLayout(LayoutKind.Sequential)]
public readonly struct MuJoCoModelSizes
{
    public readonly int Nq;
    public readonly int Nv;
    public readonly int Nu;
    public readonly int Nbody;
    public readonly int Njnt;
    public readonly int Ngeom;
    public readonly int Nsite;
    public readonly int Neq;
    public readonly int Nmocap;
    public readonly int Nkey;
}
