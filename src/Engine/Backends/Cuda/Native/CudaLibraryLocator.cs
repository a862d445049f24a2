using System.Runtime.InteropServices;

namespace NativeTrustRegion.Engine.Backends.Cuda;

/// <summary>
/// Finds and loads the CUDA libraries. Folders searched, in order: NTR_CUDA_LIB_PATH (colon-separated), the
/// NVIDIA wheel folders of Python environments (…/site-packages/nvidia/*/lib, e.g. /opt/torch/.venv), the CUDA
/// toolkit (/usr/local/cuda/lib64), the driver folders; then the system loader's default paths.
/// </summary>
public sealed class CudaLibraryLocator
{
    public const string PathVariable = "NTR_CUDA_LIB_PATH";

    private static readonly string[] PythonRoots = ["/opt/torch/.venv", "/usr/local", "/usr", "/opt/conda"];

    private readonly Dictionary<string, IntPtr> _loaded = new(StringComparer.Ordinal);
    private readonly object _lock = new();

    public CudaLibraryLocator(IReadOnlyList<string> searchDirectories, bool useSystemLoader = true)
    {
        SearchDirectories = searchDirectories;
        UseSystemLoader = useSystemLoader;
    }

    public IReadOnlyList<string> SearchDirectories { get; }

    public bool UseSystemLoader { get; }

    private static readonly Lazy<CudaLibraryLocator> DefaultLocator = new(() =>
    {
        var locator = FromEnvironment();
        locator._followsEmulation = true;
        return locator;
    });

    /// <summary>Whether this locator hands out the emulated device when it is asked for (the process-wide one does).</summary>
    private bool _followsEmulation;

    /// <summary>The process-wide locator (environment read once); with the emulated device it loads libntr_cuda_emulator.so.</summary>
    public static CudaLibraryLocator Default => DefaultLocator.Value;

    public static CudaLibraryLocator FromEnvironment()
    {
        var dirs = new List<string>();
        var env = Environment.GetEnvironmentVariable(PathVariable);
        if (!string.IsNullOrWhiteSpace(env))
        {
            dirs.AddRange(env.Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }
        var roots = new List<string>(PythonRoots);
        var venv = Environment.GetEnvironmentVariable("VIRTUAL_ENV");
        if (!string.IsNullOrEmpty(venv))
        {
            roots.Insert(0, venv);
        }
        var home = Environment.GetEnvironmentVariable("HOME");
        if (!string.IsNullOrEmpty(home))
        {
            roots.Add(Path.Combine(home, ".local"));
        }
        foreach (var root in roots)
        {
            dirs.AddRange(WheelLibraryFolders(root));
        }
        dirs.AddRange(["/usr/local/cuda/lib64", "/usr/local/cuda/targets/x86_64-linux/lib", "/usr/local/nvidia/lib64", "/usr/lib/x86_64-linux-gnu", "/usr/lib64"]);
        return new CudaLibraryLocator(dirs.Distinct(StringComparer.Ordinal).ToArray());
    }

    /// <summary>site-packages/nvidia/*/lib folders under a Python prefix (lib/python3.*/site-packages or dist-packages).</summary>
    public static IEnumerable<string> WheelLibraryFolders(string prefix)
    {
        var libDir = Path.Combine(prefix, "lib");
        if (!Directory.Exists(libDir))
        {
            yield break;
        }
        string[] pythons;
        try
        {
            pythons = Directory.GetDirectories(libDir, "python3*");
        }
        catch (IOException)
        {
            yield break;
        }
        catch (UnauthorizedAccessException)
        {
            yield break;
        }
        Array.Sort(pythons, StringComparer.Ordinal);
        foreach (var python in pythons)
        {
            foreach (var packages in new[] { "site-packages", "dist-packages" })
            {
                var nvidia = Path.Combine(python, packages, "nvidia");
                if (!Directory.Exists(nvidia))
                {
                    continue;
                }
                var subs = Directory.GetDirectories(nvidia);
                Array.Sort(subs, StringComparer.Ordinal);
                // cu13 first: it holds cuBLAS and NVRTC for CUDA 13
                foreach (var sub in subs.OrderBy(s => Path.GetFileName(s) == "cu13" ? 0 : 1))
                {
                    var lib = Path.Combine(sub, "lib");
                    if (Directory.Exists(lib))
                    {
                        yield return lib;
                    }
                }
            }
        }
    }

    /// <summary>The full path of the first soname found in the search folders, or null.</summary>
    public string? FindFile(CudaLibrary library)
    {
        foreach (var soname in library.Sonames)
        {
            foreach (var dir in SearchDirectories)
            {
                var path = Path.Combine(dir, soname);
                if (File.Exists(path))
                {
                    return path;
                }
            }
        }
        return null;
    }

    /// <summary>
    /// Loads the library (and its companions) or throws <see cref="CudaLibraryNotFoundException"/>. With the emulated
    /// device (<see cref="CudaEmulation"/>), the driver, cuBLAS and cuDNN are libntr_cuda_emulator.so.
    /// </summary>
    public IntPtr Load(CudaLibrary library)
    {
        lock (_lock)
        {
            if (_loaded.TryGetValue(library.ImportName, out var cached))
            {
                return cached;
            }
            if (IsEmulated(library))
            {
                var emulator = CudaEmulation.Load(library);
                _loaded[library.ImportName] = emulator;
                return emulator;
            }
            var handle = TryLoad(library, out var loadErrors);
            if (handle == IntPtr.Zero)
            {
                throw new CudaLibraryNotFoundException(DescribeMissing(library, loadErrors));
            }
            _loaded[library.ImportName] = handle;
            return handle;
        }
    }

    /// <summary>The handle, or IntPtr.Zero when the library cannot be loaded (used by the DllImport resolver).</summary>
    public IntPtr TryLoad(CudaLibrary library) => TryLoadCached(library);

    private IntPtr TryLoadCached(CudaLibrary library)
    {
        lock (_lock)
        {
            if (_loaded.TryGetValue(library.ImportName, out var cached))
            {
                return cached;
            }
            if (IsEmulated(library))
            {
                try
                {
                    var emulator = CudaEmulation.Load(library);
                    _loaded[library.ImportName] = emulator;
                    return emulator;
                }
                catch (CudaLibraryNotFoundException)
                {
                    return IntPtr.Zero;
                }
            }
            var handle = TryLoad(library, out _);
            if (handle != IntPtr.Zero)
            {
                _loaded[library.ImportName] = handle;
            }
            return handle;
        }
    }

    /// <summary>Whether this library is stood in for by the emulator (the driver, cuBLAS, cuDNN; never NVRTC).</summary>
    private bool IsEmulated(CudaLibrary library) =>
        _followsEmulation && library.ImportName is ("cuda" or "cublas" or "cudnn") && CudaEmulation.Decide();

    private IntPtr TryLoad(CudaLibrary library, out List<string> errors)
    {
        errors = new List<string>();
        var path = FindFile(library);
        if (path is not null)
        {
            LoadCompanions(library, Path.GetDirectoryName(path)!);
            try
            {
                return NativeLibrary.Load(path);
            }
            catch (DllNotFoundException e)
            {
                errors.Add($"{path}: {e.Message}");
            }
            catch (BadImageFormatException e)
            {
                errors.Add($"{path}: {e.Message}");
            }
        }
        if (UseSystemLoader)
        {
            foreach (var soname in library.Sonames)
            {
                if (NativeLibrary.TryLoad(soname, out var handle))
                {
                    return handle;
                }
            }
        }
        return IntPtr.Zero;
    }

    /// <summary>
    /// Loads the companions found next to the library by full path, so that the library's own dlopen of them by
    /// soname finds them already loaded even when the folder is not on the loader path.
    /// </summary>
    private static void LoadCompanions(CudaLibrary library, string directory)
    {
        foreach (var pattern in library.CompanionPatterns)
        {
            string[] files;
            try
            {
                files = Directory.GetFiles(directory, pattern);
            }
            catch (IOException)
            {
                continue;
            }
            Array.Sort(files, StringComparer.Ordinal);
            foreach (var file in files)
            {
                NativeLibrary.TryLoad(file, out _);
            }
        }
    }

    /// <summary>The message for a library that was not found: which library, where we looked, what to set.</summary>
    public string DescribeMissing(CudaLibrary library, IReadOnlyList<string>? loadErrors = null)
    {
        var searched = SearchDirectories.Count == 0 ? "(no folders)" : string.Join(", ", SearchDirectories);
        var errors = loadErrors is { Count: > 0 } ? $" Load errors: {string.Join("; ", loadErrors)}." : "";
        return $"{library.DisplayName} library not found: tried {string.Join(", ", library.Sonames)} in {searched}" +
               (UseSystemLoader ? " and the system loader's default paths" : "") + $".{errors} " +
               $"Fix: set {PathVariable} to the folder(s) holding it, colon-separated (e.g. {PathVariable}=/opt/torch/.venv/lib/python3.12/site-packages/nvidia/cu13/lib:" +
               $"/opt/torch/.venv/lib/python3.12/site-packages/nvidia/cudnn/lib); {library.DisplayName} comes from {library.Hint}.";
    }

    /// <summary>Makes the engine's imports of the CUDA libraries resolve through the default locator.</summary>
    internal static void RegisterImportResolvers()
    {
        foreach (var library in CudaLibrary.All)
        {
            NativeLibraryResolution.Register(library.ImportName, () => Default.TryLoad(library));
        }
    }
}
