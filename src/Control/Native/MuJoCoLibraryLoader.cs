using System.Runtime.InteropServices;

namespace NativeTrustRegion.Control.Native;

/// <summary>
/// Finds and loads the native libraries of the control suite: first the MuJoCo runtime (by its soname, through the
/// system loader), then the shim <c>libntr_mujoco.so</c> from the assembly directory or from
/// <c>NTR_NATIVE_PATH</c> (a directory holding the shim, or the shim's full path).
/// </summary>
public static class MuJoCoLibraryLoader
{
    public const string MuJoCoLibraryFileName = "libmujoco.so.2.2.2";
    public const string ShimFileName = "libntr_mujoco.so";
    public const string NativePathVariable = "NTR_NATIVE_PATH";
    public const string InstallMuJoCoCommand = "sudo apt-get install libmujoco2.2.2 libmujoco-dev";
    public const string BuildShimCommand =
        "sudo apt-get install cmake gcc libmujoco2.2.2 libmujoco-dev && cmake -S . -B build/native -DCMAKE_BUILD_TYPE=Release && cmake --build build/native --target ntr_mujoco";

    /// <summary>Directories searched for the shim by default: the Control assembly's directory, then NTR_NATIVE_PATH.</summary>
    public static IReadOnlyList<string> DefaultShimCandidates()
    {
        var candidates = new List<string>
        {
            Path.Combine(AppContext.BaseDirectory, ShimFileName),
        };
        // Assembly.Location is empty inside a single-file publish (tools/publish-ntr.sh); AppContext.BaseDirectory above covers that case.
#pragma warning disable IL3000
        string? assemblyDirectory = Path.GetDirectoryName(typeof(MuJoCoLibraryLoader).Assembly.Location);
#pragma warning restore IL3000
        if (!string.IsNullOrEmpty(assemblyDirectory))
        {
            string besideAssembly = Path.Combine(assemblyDirectory, ShimFileName);
            if (!candidates.Contains(besideAssembly))
            {
                candidates.Insert(0, besideAssembly);
            }
        }
        string? nativePath = Environment.GetEnvironmentVariable(NativePathVariable);
        if (!string.IsNullOrWhiteSpace(nativePath))
        {
            candidates.Add(Directory.Exists(nativePath) ? Path.Combine(nativePath, ShimFileName) : nativePath);
        }
        return candidates;
    }

    /// <summary>
    /// Loads the MuJoCo runtime named <paramref name="muJoCoLibrary"/> and then the first existing shim among
    /// <paramref name="shimCandidates"/> (full file paths); returns the shim's handle.
    /// </summary>
    /// <exception cref="MuJoCoLibraryException">A library is missing or cannot be loaded; the message says how to fix it.</exception>
    public static IntPtr Load(IReadOnlyList<string> shimCandidates, string muJoCoLibrary = MuJoCoLibraryFileName)
    {
        if (!NativeLibrary.TryLoad(muJoCoLibrary, out _))
        {
            throw new MuJoCoLibraryException(
                muJoCoLibrary,
                $"The MuJoCo runtime library '{muJoCoLibrary}' could not be loaded, so the control suite cannot run. " +
                $"Install MuJoCo 2.2.2 with: {InstallMuJoCoCommand}");
        }

        foreach (string candidate in shimCandidates)
        {
            if (!File.Exists(candidate))
            {
                continue;
            }
            try
            {
                return NativeLibrary.Load(candidate);
            }
            catch (Exception exception) when (exception is DllNotFoundException or BadImageFormatException)
            {
                throw new MuJoCoLibraryException(
                    ShimFileName,
                    $"The MuJoCo shim '{ShimFileName}' was found at '{candidate}' but could not be loaded " +
                    $"({exception.Message}). Rebuild it from the repository root with: {BuildShimCommand}",
                    exception);
            }
        }

        string searched = shimCandidates.Count == 0 ? "(no locations)" : string.Join(", ", shimCandidates);
        string variable = Environment.GetEnvironmentVariable(NativePathVariable) is { Length: > 0 } value
            ? $"{NativePathVariable}={value}"
            : $"{NativePathVariable} is not set";
        throw new MuJoCoLibraryException(
            ShimFileName,
            $"The MuJoCo shim '{ShimFileName}' was not found (searched: {searched}; {variable}). " +
            "`dotnet build` builds it automatically when cmake and libmujoco-dev are installed; to build it by hand, " +
            $"run from the repository root: {BuildShimCommand} " +
            $"and then copy build/native/{ShimFileName} next to the NativeTrustRegion.Control assembly or set " +
            $"{NativePathVariable} to build/native.");
    }
}
