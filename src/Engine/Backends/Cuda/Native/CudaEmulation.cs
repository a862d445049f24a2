using System.Runtime.InteropServices;

namespace NativeTrustRegion.Engine.Backends.Cuda;

/// <summary>
/// The emulated CUDA device: libntr_cuda_emulator.so (built from kernels/emulator by the Engine's build, shipped next
/// to the assembly) answers to the imports "cuda", "cublas" and "cudnn" when <see cref="CudaEmulationRequest"/> says
/// so; NVRTC stays the real one (kernels are still compiled to PTX for compute_90, which the emulator parses for each
/// kernel's shared memory and launch bound). The choice is fixed when the driver is first loaded.
/// </summary>
public static partial class CudaEmulation
{
    public const string LibraryFileName = "libntr_cuda_emulator.so";

    private static int _active = -1;

    /// <summary>Whether the CUDA libraries resolve to the emulator (decided once, when the driver is first loaded).</summary>
    public static bool IsActive
    {
        get
        {
            if (_active < 0)
            {
                _active = CudaEmulationRequest.IsRequested ? 1 : 0;
            }
            return _active == 1;
        }
    }

    /// <summary>Fixes the choice for this process; throws when a real GPU driver was already chosen and the emulator is now asked for.</summary>
    internal static bool Decide()
    {
        var requested = CudaEmulationRequest.IsRequested;
        var active = IsActive;
        if (requested && !active)
        {
            throw new CudaException("the emulated CUDA device was asked for (--device cuda-emulated or NTR_CUDA_EMULATED=1) after this process had already loaded the real CUDA driver; " +
                                    "a real GPU and the emulator cannot be mixed in one process. Fix: choose cuda-emulated (or set NTR_CUDA_EMULATED=1) before any CUDA use, in a process of its own");
        }
        return active;
    }

    /// <summary>
    /// The emulator library in the application's folder (where the build copies it beside the assemblies; a
    /// single-file publish extracts native libraries there too).
    /// </summary>
    public static string LibraryPath => Path.Combine(AppContext.BaseDirectory, LibraryFileName);

    /// <summary>Loads the emulator for one of the libraries it stands in for, or throws a clear error.</summary>
    internal static IntPtr Load(CudaLibrary library)
    {
        var path = LibraryPath;
        if (!File.Exists(path))
        {
            throw new CudaLibraryNotFoundException($"the emulated CUDA device library {LibraryFileName} was not found at {path}. It is built by `dotnet build src/Engine` " +
                                                   "(CMake and g++; see src/Engine/Native/CudaEmulator.targets). Fix: build the Engine with cmake and g++ installed (tools/setup-system.sh), " +
                                                   "or run on a real GPU without --device cuda-emulated / NTR_CUDA_EMULATED");
        }
        var handle = NativeLibrary.Load(path);
        var probe = library.ImportName switch
        {
            "cublas" => "cublasCreate_v2",
            "cudnn" => "cudnnCreate",
            _ => "cuInit",
        };
        if (!NativeLibrary.TryGetExport(handle, probe, out _))
        {
            throw new CudaLibraryNotFoundException($"the emulated CUDA device has no {library.DisplayName} stand-in ({path} does not export {probe}): " +
                                                   $"kernels/emulator/{(library.ImportName == "cublas" ? "cublas" : "cudnn")}_standin.cpp is not part of this build, so GEMMs and convolutions " +
                                                   "cannot run emulated. Fix: build a version that includes the stand-ins, or run these ops on the CPU or a real GPU");
        }
        return handle;
    }

    /// <summary>The emulator's description of the last failure on this thread (kernel, block, thread, address), or null.</summary>
    internal static string? LastError()
    {
        if (!IsActive)
        {
            return null;
        }
        try
        {
            var p = ntrEmuLastError();
            var text = p == 0 ? null : Marshal.PtrToStringUTF8(p);
            return string.IsNullOrEmpty(text) ? null : text;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    [LibraryImport("cuda")]
    private static partial nint ntrEmuLastError();
}
