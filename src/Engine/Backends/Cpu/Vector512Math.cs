using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NativeTrustRegion.Engine.Backends.Cpu;

/// <summary>
/// Element functions on 512-bit vectors of float32 or float64 for kernels written once for both (the float64 build is
/// what the gradient checks run): the type tests fold away when the JIT specialises the kernel.
/// </summary>
internal static class Vector512Math
{
    /// <summary>a·b + c, fused (one rounding).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> MultiplyAdd<T>(Vector512<T> a, Vector512<T> b, Vector512<T> c)
    {
        if (typeof(T) == typeof(float))
        {
            return Vector512.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        }
        if (typeof(T) == typeof(double))
        {
            return Vector512.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        }
        throw Unsupported<T>();
    }

    /// <summary>e^x: <see cref="FastExp"/> for float32 (exponentials dominate the float32 kernels that use this), the runtime's for float64.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Exp<T>(Vector512<T> x)
    {
        if (typeof(T) == typeof(float))
        {
            return FastExp.Exp(x.AsSingle()).As<float, T>();
        }
        if (typeof(T) == typeof(double))
        {
            return Vector512.Exp(x.AsDouble()).As<double, T>();
        }
        throw Unsupported<T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Log<T>(Vector512<T> x)
    {
        if (typeof(T) == typeof(float))
        {
            return Vector512.Log(x.AsSingle()).As<float, T>();
        }
        if (typeof(T) == typeof(double))
        {
            return Vector512.Log(x.AsDouble()).As<double, T>();
        }
        throw Unsupported<T>();
    }

    /// <summary>1 / (1 + e^−x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Sigmoid<T>(Vector512<T> x) => Vector512<T>.One / (Vector512<T>.One + Exp(-x));

    private static NotSupportedException Unsupported<T>() => new($"these vector kernels compute in float32 or float64, not {typeof(T).Name}");
}
