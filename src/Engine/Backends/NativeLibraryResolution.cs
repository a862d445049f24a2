using System.Reflection;
using System.Runtime.InteropServices;

namespace NativeTrustRegion.Engine;

/// <summary>
/// The engine assembly's single DllImport resolver (.NET allows one per assembly): every native binding
/// (OpenBLAS, the CUDA libraries) registers how to find its library by the logical name its imports use.
/// </summary>
internal static class NativeLibraryResolution
{
    private static readonly object Lock = new();
    private static readonly Dictionary<string, Func<IntPtr>> Resolvers = new(StringComparer.Ordinal);
    private static bool _installed;

    /// <summary>Routes imports of <paramref name="libraryName"/> to <paramref name="resolve"/> (IntPtr.Zero: not found).</summary>
    public static void Register(string libraryName, Func<IntPtr> resolve)
    {
        lock (Lock)
        {
            Resolvers[libraryName] = resolve;
            if (!_installed)
            {
                NativeLibrary.SetDllImportResolver(typeof(NativeLibraryResolution).Assembly, Resolve);
                _installed = true;
            }
        }
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        Func<IntPtr>? resolve;
        lock (Lock)
        {
            Resolvers.TryGetValue(name, out resolve);
        }
        return resolve?.Invoke() ?? IntPtr.Zero;
    }
}
