using System.Runtime.InteropServices;

namespace NativeTrustRegion.Engine.Backends.Cpu;

/// <summary>
/// P/Invoke to OpenBLAS (Debian: libopenblas0-pthread, soname libopenblas.so.0). The library is used
/// single-threaded; the engine splits work across threads itself so results do not depend on timing.
/// Set NTR_BLAS=managed to force the managed kernels.
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

    private static IntPtr Resolve()
    {
        foreach (var candidate in new[] { "libopenblas.so.0", "libopenblas.so", "/usr/lib/x86_64-linux-gnu/libopenblas.so.0", "libopenblas.dylib" })
        {
            if (NativeLibrary.TryLoad(candidate, out var handle))
            {
                return handle;
            }
        }
        return IntPtr.Zero;
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
    private static partial void cblas_sgemm(int order, int transA, int transB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc);

    [LibraryImport(Library)]
    private static partial void cblas_dgemm(int order, int transA, int transB, int m, int n, int k, double alpha, double* a, int lda, double* b, int ldb, double beta, double* c, int ldc);
}
