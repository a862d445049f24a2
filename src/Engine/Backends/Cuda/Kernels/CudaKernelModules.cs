namespace NativeTrustRegion.Engine.Backends.Cuda;

/// <summary>
/// The loaded kernel modules of one GPU, one per kernels/*.cu file, loaded on first use. A module comes from a
/// prebuilt fatbin when one matching the embedded source is found (folder $NTR_KERNELS_FATBIN, else
/// kernels-fatbin/ next to the assembly; each &lt;name&gt;.fatbin with a &lt;name&gt;.sha256 holding
/// <see cref="KernelSource.ContentHash"/>), else from NVRTC for the GPU's architecture (cached on disk).
/// </summary>
internal sealed unsafe class CudaKernelModules : IDisposable
{
    public const string FatbinVariable = "NTR_KERNELS_FATBIN";

    private readonly CudaContext _context;
    private readonly Dictionary<string, CudaModuleHandle> _modules = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Module, string Kernel, int DType), nint> _functions = new();
    private readonly List<string> _loadLog = new();
    private KernelCompiler? _compiler;

    public CudaKernelModules(CudaContext context)
    {
        _context = context;
    }

    /// <summary>One line per loaded module saying where its image came from.</summary>
    public IReadOnlyList<string> LoadLog => _loadLog;

    public static string FatbinDirectory =>
        Environment.GetEnvironmentVariable(FatbinVariable) is { Length: > 0 } dir ? dir : Path.Combine(AppContext.BaseDirectory, "kernels-fatbin");

    /// <summary>The kernel `name` (with "_f32"/"_f64"/"_bf16" appended when <paramref name="dtype"/> is given) of a module.</summary>
    public nint Function(string module, string name, DType? dtype = null)
    {
        var key = (module, name, dtype is null ? -1 : (int)dtype.Value);
        if (_functions.TryGetValue(key, out var function))
        {
            return function;
        }
        var handle = Module(module);
        var fullName = dtype switch
        {
            null => name,
            DType.F32 => name + "_f32",
            DType.BF16 => name + "_bf16",
            _ => name + "_f64",
        };
        if (dtype == DType.BF16 && CudaDriver.cuModuleGetFunction(out _, handle.DangerousGetHandle(), fullName) != CudaDriver.Success)
        {
            throw BFloat16Kernels.Unsupported($"{module}.{name}");
        }
        CudaDriver.Check(CudaDriver.cuModuleGetFunction(out function, handle.DangerousGetHandle(), fullName), $"cuModuleGetFunction({module}.{fullName})");
        _functions[key] = function;
        return function;
    }

    private CudaModuleHandle Module(string name)
    {
        if (_modules.TryGetValue(name, out var module))
        {
            return module;
        }
        var source = KernelSources.Module(name);
        _context.MakeCurrent();
        // The emulated device loads PTX only (it reads each kernel's shared memory and launch bound from it).
        module = (CudaEmulation.IsActive ? null : TryLoadFatbin(source)) ?? LoadCompiled(source);
        _modules[name] = module;
        return module;
    }

    private CudaModuleHandle? TryLoadFatbin(KernelSource source)
    {
        var dir = FatbinDirectory;
        var image = Path.Combine(dir, source.Name + ".fatbin");
        var hashFile = Path.Combine(dir, source.Name + ".sha256");
        if (!File.Exists(image))
        {
            return null;
        }
        if (!File.Exists(hashFile) || File.ReadAllText(hashFile).Trim() != source.ContentHash())
        {
            _loadLog.Add($"{source.Name}: ignored stale fatbin {image} (its .sha256 does not match the embedded source); compiling with NVRTC");
            return null;
        }
        var bytes = File.ReadAllBytes(image);
        fixed (byte* p = bytes)
        {
            var result = CudaDriver.cuModuleLoadData(out var handle, p);
            if (result != CudaDriver.Success)
            {
                _loadLog.Add($"{source.Name}: fatbin {image} did not load ({CudaDriver.ErrorName(result)}); compiling with NVRTC");
                return null;
            }
            _loadLog.Add($"{source.Name}: fatbin {image}");
            return new CudaModuleHandle(_context.Handle, handle);
        }
    }

    private CudaModuleHandle LoadCompiled(KernelSource source)
    {
        _compiler ??= KernelCompiler.Open();
        var target = CudaEmulation.IsActive ? $"compute_{_context.Info.ComputeMajor}{_context.Info.ComputeMinor}" : _compiler.TargetFor(_context.Info.ComputeMajor, _context.Info.ComputeMinor);
        var compiled = _compiler.Compile(source, target);
        if (!compiled.Succeeded)
        {
            throw new CudaException($"NVRTC {_compiler.Version} could not compile kernels/{source.FileName} for {target}:\n{compiled.Log}");
        }
        fixed (byte* p = compiled.Image)
        {
            CudaDriver.Check(CudaDriver.cuModuleLoadData(out var handle, p), $"cuModuleLoadData({source.FileName}, {target})");
            _loadLog.Add($"{source.Name}: NVRTC {_compiler.Version} {target}{(compiled.FromCache ? " (disk cache)" : "")}");
            return new CudaModuleHandle(_context.Handle, handle);
        }
    }

    public void Dispose()
    {
        foreach (var m in _modules.Values)
        {
            m.Dispose();
        }
        _modules.Clear();
        _functions.Clear();
    }
}
