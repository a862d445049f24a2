using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace NativeTrustRegion.Engine.Backends.Cuda;

/// <summary>
/// Compiles the embedded kernel sources with NVRTC (needs no GPU). Images are cached on disk under
/// $NTR_KERNEL_CACHE, else $XDG_CACHE_HOME/ntr/kernels, else ~/.cache/ntr/kernels, keyed by the SHA-256 of the
/// source and headers, the options, the NVRTC version and the target, so a changed kernel is never served stale.
/// </summary>
public sealed unsafe class KernelCompiler
{
    private KernelCompiler(int major, int minor, int[] archs, string cacheDirectory)
    {
        CacheDirectory = cacheDirectory;
        Major = major;
        Minor = minor;
        SupportedArchitectures = archs;
    }

    public int Major { get; }

    public int Minor { get; }

    public string Version => $"{Major}.{Minor}";

    /// <summary>The sm_XY numbers NVRTC can generate code for (e.g. 80, 90).</summary>
    public IReadOnlyList<int> SupportedArchitectures { get; }

    /// <summary>Options every kernel is compiled with (the target is added per call).</summary>
    public static IReadOnlyList<string> BaseOptions { get; } = ["--std=c++17", "-lineinfo", "-DNTR_NVRTC=1"];

    /// <summary>Where compiled images are cached.</summary>
    public string CacheDirectory { get; }

    /// <summary>$NTR_KERNEL_CACHE, else $XDG_CACHE_HOME/ntr/kernels, else ~/.cache/ntr/kernels.</summary>
    public static string DefaultCacheDirectory
    {
        get
        {
            var explicitDir = Environment.GetEnvironmentVariable("NTR_KERNEL_CACHE");
            if (!string.IsNullOrEmpty(explicitDir))
            {
                return explicitDir;
            }
            var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            var root = !string.IsNullOrEmpty(xdg) ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            return Path.Combine(root, "ntr", "kernels");
        }
    }

    /// <summary>Loads NVRTC; throws <see cref="CudaLibraryNotFoundException"/> naming what to install or set.</summary>
    public static KernelCompiler Open(string? cacheDirectory = null)
    {
        CudaLibraryLocator.Default.Load(CudaLibrary.Nvrtc);
        Nvrtc.Check(Nvrtc.nvrtcVersion(out var major, out var minor), "nvrtcVersion");
        int[] archs = [];
        try
        {
            Nvrtc.Check(Nvrtc.nvrtcGetNumSupportedArchs(out var count), "nvrtcGetNumSupportedArchs");
            archs = new int[count];
            fixed (int* p = archs)
            {
                Nvrtc.Check(Nvrtc.nvrtcGetSupportedArchs(p), "nvrtcGetSupportedArchs");
            }
        }
        catch (EntryPointNotFoundException)
        {
            archs = [];
        }
        return new KernelCompiler(major, minor, archs, cacheDirectory ?? DefaultCacheDirectory);
    }

    /// <summary>
    /// The best target for a GPU of compute capability major.minor: a CUBIN for it when NVRTC supports the
    /// architecture, else PTX for the newest supported one that is not newer (the driver compiles it at load).
    /// </summary>
    public string TargetFor(int major, int minor)
    {
        var arch = major * 10 + minor;
        if (SupportedArchitectures.Contains(arch))
        {
            return $"sm_{arch}";
        }
        var older = SupportedArchitectures.Where(a => a <= arch).DefaultIfEmpty(arch).Max();
        return $"compute_{older}";
    }

    /// <summary>Compiles one source for a target such as "sm_90" (CUBIN) or "compute_90" (PTX).</summary>
    public KernelCompilation Compile(KernelSource source, string target, IReadOnlyList<string>? extraOptions = null, bool useCache = true)
    {
        var options = OptionsFor(target).Concat(extraOptions ?? []).ToArray();
        var key = CacheKey(source, options, target);
        var extension = target.StartsWith("sm_", StringComparison.Ordinal) ? ".cubin" : ".ptx";
        var cachePath = Path.Combine(CacheDirectory, $"{source.Name}-{target}-{key[..32]}{extension}");
        var watch = Stopwatch.StartNew();
        if (useCache && File.Exists(cachePath))
        {
            try
            {
                return new KernelCompilation(source, target, true, "", File.ReadAllBytes(cachePath), true, watch.Elapsed);
            }
            catch (IOException)
            {
                // unreadable cache entry: compile again below
            }
        }
        var result = CompileUncached(source, target, options, watch);
        if (result.Succeeded && useCache)
        {
            TryWriteCache(cachePath, result.Image);
        }
        return result;
    }

    /// <summary>
    /// The base options plus the target. NVRTC 11.x crashes (SIGSEGV inside its in-process ptxas) when asked for an
    /// sm_90 CUBIN with -lineinfo, so line tables are kept only where they are safe: PTX targets, and CUBINs from NVRTC 12+.
    /// </summary>
    public IReadOnlyList<string> OptionsFor(string target)
    {
        var cubin = target.StartsWith("sm_", StringComparison.Ordinal);
        var options = BaseOptions.Where(o => !(cubin && Major < 12 && o == "-lineinfo"));
        return options.Append($"--gpu-architecture={target}").ToArray();
    }

    private string CacheKey(KernelSource source, string[] options, string target)
    {
        var text = $"{source.ContentHash()}\n{string.Join(' ', options)}\nnvrtc {Version}\n{target}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    private static void TryWriteCache(string path, byte[] image)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temp = $"{path}.{Environment.ProcessId}.tmp";
            File.WriteAllBytes(temp, image);
            File.Move(temp, path, overwrite: true);
        }
        catch (IOException)
        {
            // the cache is an optimisation; a read-only home folder must not stop training
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static KernelCompilation CompileUncached(KernelSource source, string target, string[] options, Stopwatch watch)
    {
        var headers = KernelSources.Headers;
        var pinned = new List<byte[]>();
        byte[] Z(string s)
        {
            var bytes = Encoding.UTF8.GetBytes(s + "\0");
            pinned.Add(bytes);
            return bytes;
        }
        byte[] ZBytes(byte[] b)
        {
            var bytes = new byte[b.Length + 1];
            b.CopyTo(bytes, 0);
            pinned.Add(bytes);
            return bytes;
        }
        var sourceBytes = ZBytes(source.Text);
        var nameBytes = Z(source.FileName);
        var headerTexts = headers.Select(h => ZBytes(h.Text)).ToArray();
        var headerNames = headers.Select(h => Z(h.FileName)).ToArray();
        var optionBytes = options.Select(Z).ToArray();
        var handles = pinned.Select(b => System.Runtime.InteropServices.GCHandle.Alloc(b, System.Runtime.InteropServices.GCHandleType.Pinned)).ToList();
        nint program = 0;
        try
        {
            var headerTextPtrs = stackalloc byte*[Math.Max(1, headers.Count)];
            var headerNamePtrs = stackalloc byte*[Math.Max(1, headers.Count)];
            for (var i = 0; i < headers.Count; i++)
            {
                headerTextPtrs[i] = (byte*)handles[pinned.IndexOf(headerTexts[i])].AddrOfPinnedObject();
                headerNamePtrs[i] = (byte*)handles[pinned.IndexOf(headerNames[i])].AddrOfPinnedObject();
            }
            var optionPtrs = stackalloc byte*[optionBytes.Length];
            for (var i = 0; i < optionBytes.Length; i++)
            {
                optionPtrs[i] = (byte*)handles[pinned.IndexOf(optionBytes[i])].AddrOfPinnedObject();
            }
            fixed (byte* src = sourceBytes)
            fixed (byte* name = nameBytes)
            {
                Nvrtc.Check(Nvrtc.nvrtcCreateProgram(out program, src, name, headers.Count, headerTextPtrs, headerNamePtrs), "nvrtcCreateProgram");
            }
            var compiled = Nvrtc.nvrtcCompileProgram(program, optionBytes.Length, optionPtrs);
            var log = ReadLog(program);
            if (compiled != Nvrtc.Success)
            {
                var reason = compiled == Nvrtc.ErrorCompilation ? log : $"{Nvrtc.ErrorName(compiled)} ({compiled})\n{log}";
                return new KernelCompilation(source, target, false, reason, [], false, watch.Elapsed);
            }
            var image = target.StartsWith("sm_", StringComparison.Ordinal) ? ReadCubin(program) : ReadPtx(program);
            return new KernelCompilation(source, target, true, log, image, false, watch.Elapsed);
        }
        finally
        {
            if (program != 0)
            {
                Nvrtc.nvrtcDestroyProgram(ref program);
            }
            foreach (var h in handles)
            {
                h.Free();
            }
        }
    }

    private static string ReadLog(nint program)
    {
        Nvrtc.Check(Nvrtc.nvrtcGetProgramLogSize(program, out var size), "nvrtcGetProgramLogSize");
        var buffer = new byte[(int)size];
        fixed (byte* p = buffer)
        {
            Nvrtc.Check(Nvrtc.nvrtcGetProgramLog(program, p), "nvrtcGetProgramLog");
        }
        return Encoding.UTF8.GetString(buffer).TrimEnd('\0').Trim();
    }

    private static byte[] ReadPtx(nint program)
    {
        Nvrtc.Check(Nvrtc.nvrtcGetPTXSize(program, out var size), "nvrtcGetPTXSize");
        var buffer = new byte[(int)size];  // includes the terminating NUL that cuModuleLoadData needs
        fixed (byte* p = buffer)
        {
            Nvrtc.Check(Nvrtc.nvrtcGetPTX(program, p), "nvrtcGetPTX");
        }
        return buffer;
    }

    private static byte[] ReadCubin(nint program)
    {
        Nvrtc.Check(Nvrtc.nvrtcGetCUBINSize(program, out var size), "nvrtcGetCUBINSize");
        var buffer = new byte[(int)size];
        fixed (byte* p = buffer)
        {
            Nvrtc.Check(Nvrtc.nvrtcGetCUBIN(program, p), "nvrtcGetCUBIN");
        }
        return buffer;
    }
}
