using System.Runtime.InteropServices;

namespace NativeTrustRegion.Engine.Backends.Cpu;

/// <summary>
/// P/Invoke to OpenBLAS (Debian: libopenblas0-pthread, soname libopenblas.so.0). The library is used
/// single-threaded; the engine splits work across threads itself so results do not depend on timing. float32 GEMMs
/// use it only where the CPU lacks AVX-512F or NTR_BLAS=openblas (see <see cref="Gemm"/>); NTR_BLAS=managed forces
/// the managed kernels.
/// <para>
/// Kernel choice: OpenBLAS 0.3.21 (Debian 12) picks its AVX2 "Haswell" kernels on AMD Zen 4 and Zen 5 even though
/// they run AVX-512, and some machine images set OPENBLAS_CORETYPE on purpose because older OpenBLAS builds compute
/// wrong results or crash with the kernels they would pick. So the engine never changes the core type by itself:
/// NTR_OPENBLAS_CORETYPE=SkylakeX (an explicit opt-in, measured ~1.5x faster GEMMs on a Zen 5 for the engine's shapes,
/// ~3x for small ones; check `ntr bench cpu-vs-pytorch` and the gradient tests on your CPU first) sets
/// OPENBLAS_CORETYPE before the library loads. <see cref="CoreName"/> says what OpenBLAS chose.
/// </para>
/// </summary>
internal static unsafe partial class OpenBlas
{
    private const string Library = "openblas";
    private const int RowMajor = 101;
    private const int NoTrans = 111;
    private const int Trans = 112;

    private static readonly Lazy<bool> Loaded = new(Load);

    static OpenBlas()
    {
        NativeLibraryResolution.Register(Library, Resolve);
    }

    public static bool IsAvailable => Loaded.Value;

    /// <summary>Why OpenBLAS is not used, when it is not.</summary>
    public static string? UnavailableReason { get; private set; }

    /// <summary>The kernel family OpenBLAS uses ("Haswell", "SkylakeX", …), or null when it is not loaded.</summary>
    public static string? CoreName
    {
        get
        {
            if (!IsAvailable)
            {
                return null;
            }
            try
            {
                return Marshal.PtrToStringUTF8(openblas_get_corename())?.Trim();
            }
            catch (EntryPointNotFoundException)
            {
                return null;
            }
        }
    }

    private static IntPtr Resolve()
    {
        ApplyRequestedCoreType();
        foreach (var candidate in new[] { "libopenblas.so.0", "libopenblas.so", "/usr/lib/x86_64-linux-gnu/libopenblas.so.0", "libopenblas.dylib" })
        {
            if (NativeLibrary.TryLoad(candidate, out var handle))
            {
                return handle;
            }
        }
        return IntPtr.Zero;
    }

    /// <summary>
    /// Sets OPENBLAS_CORETYPE in the native environment before the library loads, only when NTR_OPENBLAS_CORETYPE asks
    /// for a core type; otherwise OpenBLAS's own choice (or the machine's OPENBLAS_CORETYPE) stands.
    /// </summary>
    private static void ApplyRequestedCoreType()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        var chosen = Environment.GetEnvironmentVariable("NTR_OPENBLAS_CORETYPE");
        if (string.IsNullOrWhiteSpace(chosen))
        {
            return;
        }
        try
        {
            setenv("OPENBLAS_CORETYPE", chosen.Trim(), 1);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // no libc entry point: OpenBLAS picks its own kernels
        }
    }

    private static bool Load()
    {
        if (string.Equals(Environment.GetEnvironmentVariable("NTR_BLAS"), "managed", StringComparison.OrdinalIgnoreCase))
        {
            UnavailableReason = "NTR_BLAS=managed";
            return false;
        }
        try
        {
            openblas_set_num_threads(1);
            return true;
        }
        catch (DllNotFoundException)
        {
            UnavailableReason = "libopenblas.so.0 not found (install: apt-get install libopenblas0-pthread)";
            return false;
        }
        catch (EntryPointNotFoundException e)
        {
            UnavailableReason = $"OpenBLAS entry point missing: {e.Message}";
            return false;
        }
    }

    public static void Sgemm(bool ta, bool tb, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc) =>
        cblas_sgemm(RowMajor, ta ? Trans : NoTrans, tb ? Trans : NoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);

    public static void Dgemm(bool ta, bool tb, int m, int n, int k, double alpha, double* a, int lda, double* b, int ldb, double beta, double* c, int ldc) =>
        cblas_dgemm(RowMajor, ta ? Trans : NoTrans, tb ? Trans : NoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);

    [LibraryImport(Library)]
    private static partial void openblas_set_num_threads(int n);

    [LibraryImport(Library)]
    private static partial IntPtr openblas_get_corename();

    [LibraryImport("libc.so.6", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);

    [LibraryImport(Library)]
    private static partial void cblas_sgemm(int order, int transA, int transB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc);

    [LibraryImport(Library)]
    private static partial void cblas_dgemm(int order, int transA, int transB, int m, int n, int k, double alpha, double* a, int lda, double* b, int ldb, double beta, double* c, int ldc);
}
