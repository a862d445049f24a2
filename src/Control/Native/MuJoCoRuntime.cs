using System.Reflection;
using System.Runtime.InteropServices;

namespace NativeTrustRegion.Control.Native;

/// <summary>
/// Process-wide native setup: loads the MuJoCo runtime and the shim once, points the assembly's P/Invoke resolver
/// at the shim and checks versions. Every public entry point into MuJoCo calls <see cref="EnsureLoaded"/> first.
/// </summary>
public static class MuJoCoRuntime
{
    private static readonly Lock Gate = new();
    private static IntPtr _shimHandle;
    private static MuJoCoLibraryException? _failure;

    /// <summary>True when the native libraries are present and usable (never throws).</summary>
    public static bool IsAvailable
    {
        get
        {
            try
            {
                EnsureLoaded();
                return true;
            }
            catch (MuJoCoLibraryException)
            {
                return false;
            }
        }
    }

    /// <summary>MuJoCo library version (222 for 2.2.2).</summary>
    public static int MuJoCoVersion
    {
        get
        {
            EnsureLoaded();
            return MuJoCoShim.MuJoCoVersion();
        }
    }

    /// <summary>Loads the libraries once; later calls return at once or rethrow the first failure.</summary>
    /// <exception cref="MuJoCoLibraryException">A library is missing, unloadable or of the wrong version.</exception>
    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (_shimHandle != IntPtr.Zero)
            {
                return;
            }
            if (_failure is not null)
            {
                throw _failure;
            }
            try
            {
                IntPtr handle = MuJoCoLibraryLoader.Load(MuJoCoLibraryLoader.DefaultShimCandidates());
                NativeLibrary.SetDllImportResolver(typeof(MuJoCoRuntime).Assembly, ResolveShim);
                _shimHandle = handle;
                CheckVersions();
            }
            catch (MuJoCoLibraryException exception)
            {
                _failure = exception;
                _shimHandle = IntPtr.Zero;
                throw;
            }
        }
    }

    private static IntPtr ResolveShim(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        return libraryName == MuJoCoShim.LibraryName ? _shimHandle : IntPtr.Zero;
    }

    private static void CheckVersions()
    {
        int abi = MuJoCoShim.AbiVersion();
        if (abi != MuJoCoShim.ExpectedAbiVersion)
        {
            throw new MuJoCoLibraryException(
                MuJoCoLibraryLoader.ShimFileName,
                $"The MuJoCo shim '{MuJoCoLibraryLoader.ShimFileName}' has ABI version {abi}, but this assembly expects " +
                $"{MuJoCoShim.ExpectedAbiVersion}. Rebuild it with: {MuJoCoLibraryLoader.BuildShimCommand}");
        }
        int headerVersion = MuJoCoShim.MuJoCoHeaderVersion();
        if (headerVersion != 222)
        {
            throw new MuJoCoLibraryException(
                MuJoCoLibraryLoader.ShimFileName,
                $"The MuJoCo shim was compiled against MuJoCo headers {headerVersion}, not 2.2.2 (222). Rebuild it with: " +
                MuJoCoLibraryLoader.BuildShimCommand);
        }
        int version = MuJoCoShim.MuJoCoVersion();
        if (version != 222)
        {
            throw new MuJoCoLibraryException(
                MuJoCoLibraryLoader.MuJoCoLibraryFileName,
                $"The loaded MuJoCo runtime reports version {version}, but the control suite is written for 2.2.2 " +
                $"(222). Install it with: {MuJoCoLibraryLoader.InstallMuJoCoCommand}");
        }
    }
}
