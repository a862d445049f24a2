using System.Numerics;

namespace NativeTrustRegion.Engine.Backends.Cpu;

/// <summary>
/// Row-major GEMM entry points: <see cref="Single{T}"/> runs on the calling thread; <see cref="Parallel{T}"/> splits
/// the rows of C into fixed blocks across threads (bit-identical for any timing).
/// <para>
/// Kernels: float32 runs the engine's own AVX-512 kernel (<see cref="Avx512Sgemm"/>) where the CPU has AVX-512F,
/// whatever core type OpenBLAS picked, and OpenBLAS's sgemm otherwise; float64 runs OpenBLAS's dgemm. The managed
/// kernels stand in when OpenBLAS is absent. NTR_BLAS=openblas sends float32 to OpenBLAS too; NTR_BLAS=managed uses
/// the managed kernels for everything.
/// </para>
/// </summary>
public static unsafe class Gemm
{
    /// <summary>The float32 kernel: "avx512 (engine)", "openblas" or "managed (reason)".</summary>
    public static string Implementation => Float32Kernel switch
    {
        GemmKernel.Avx512 => "avx512 (engine)",
        GemmKernel.OpenBlas => "openblas",
        _ => OpenBlas.IsAvailable ? "managed (forced)" : $"managed ({OpenBlas.UnavailableReason})",
    };

    /// <summary>OpenBLAS's kernel family ("Haswell", "SkylakeX", …), or null when it is not loaded.</summary>
    public static string? OpenBlasCore => OpenBlas.CoreName;

    /// <summary>The float32 kernel and, where OpenBLAS is loaded, its kernel family (which float64 uses), for reports.</summary>
    public static string Description
    {
        get
        {
            var blas = OpenBlas.IsAvailable ? $"openblas ({OpenBlas.CoreName ?? "?"} kernels)" : null;
            return Float32Kernel switch
            {
                GemmKernel.Avx512 => blas is null ? "avx512 (engine) float32" : $"avx512 (engine) float32, {blas} float64",
                GemmKernel.OpenBlas => blas!,
                _ => Implementation,
            };
        }
    }

    /// <summary>Whether this CPU can run the engine's AVX-512 float32 kernel (it has AVX-512F).</summary>
    public static bool Avx512KernelSupported => Avx512Sgemm.IsSupported;

    /// <summary>Forces the managed kernels even when OpenBLAS is present (tests compare the two).</summary>
    public static bool ForceManaged { get; set; }

    /// <summary>Overrides the float32 kernel choice for this process (tests and benchmarks compare kernels); null: the default.</summary>
    public static GemmKernel? Float32Override { get; set; }

    /// <summary>The float32 kernel <see cref="Single{T}"/> uses now.</summary>
    public static GemmKernel Float32Kernel
    {
        get
        {
            if (ForceManaged)
            {
                return GemmKernel.Managed;
            }
            if (Float32Override is { } forced)
            {
                return forced switch
                {
                    GemmKernel.Avx512 when !Avx512Sgemm.IsSupported => throw new InvalidOperationException("the AVX-512 GEMM kernel needs a CPU with AVX-512F; this one has none"),
                    GemmKernel.OpenBlas when !OpenBlas.IsAvailable => throw new InvalidOperationException($"OpenBLAS is not loaded: {OpenBlas.UnavailableReason}"),
                    _ => forced,
                };
            }
            return DefaultFloat32Kernel.Value;
        }
    }

    private static readonly Lazy<GemmKernel> DefaultFloat32Kernel = new(() =>
        ChooseFloat32Kernel(Environment.GetEnvironmentVariable("NTR_BLAS"), Avx512Sgemm.IsSupported, () => OpenBlas.IsAvailable));

    /// <summary>
    /// What is wrong with the NTR_BLAS environment variable (the message names the valid values), or null when it is
    /// unset or valid. Loads nothing: the command line checks it before any work, so a bad value never starts a run.
    /// </summary>
    public static string? EnvironmentProblem()
    {
        try
        {
            ChooseFloat32Kernel(Environment.GetEnvironmentVariable("NTR_BLAS"), avx512: false, openBlasLoaded: () => true);
            return null;
        }
        catch (InvalidOperationException e)
        {
            return e.Message;
        }
    }

    /// <summary>
    /// The float32 kernel for an NTR_BLAS value: unset or empty: the AVX-512 kernel where the CPU has it, else OpenBLAS,
    /// else managed; "openblas": OpenBLAS (managed if it is not loaded); "managed": managed.
    /// </summary>
    internal static GemmKernel ChooseFloat32Kernel(string? ntrBlas, bool avx512, Func<bool> openBlasLoaded)
    {
        var requested = ntrBlas?.Trim();
        if (string.IsNullOrEmpty(requested))
        {
            return avx512 ? GemmKernel.Avx512 : openBlasLoaded() ? GemmKernel.OpenBlas : GemmKernel.Managed;
        }
        if (requested.Equals("managed", StringComparison.OrdinalIgnoreCase))
        {
            return GemmKernel.Managed;
        }
        if (requested.Equals("openblas", StringComparison.OrdinalIgnoreCase))
        {
            return openBlasLoaded() ? GemmKernel.OpenBlas : GemmKernel.Managed;
        }
        throw new InvalidOperationException($"NTR_BLAS={requested} is not a GEMM choice: set NTR_BLAS=openblas (OpenBLAS for float32 too), NTR_BLAS=managed (the managed kernels), or unset it (the engine's AVX-512 kernel where the CPU has AVX-512F, else OpenBLAS)");
    }

    public static void Single<T>(bool ta, bool tb, int m, int n, int k, T alpha, ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc)
        where T : unmanaged, INumber<T>
    {
        if (m == 0 || n == 0)
        {
            return;
        }
        CheckExtent("A", a.Length, ta ? k : m, ta ? m : k, lda);
        CheckExtent("B", b.Length, tb ? n : k, tb ? k : n, ldb);
        CheckExtent("C", c.Length, m, n, ldc);
        if (typeof(T) == typeof(float))
        {
            var kernel = Float32Kernel;
            if (kernel == GemmKernel.Avx512)
            {
                fixed (T* pa = a)
                fixed (T* pb = b)
                fixed (T* pc = c)
                {
                    Avx512Sgemm.Run(ta, tb, m, n, k, float.CreateTruncating(alpha), (float*)pa, lda, (float*)pb, ldb, float.CreateTruncating(beta), (float*)pc, ldc);
                }
                return;
            }
            if (kernel == GemmKernel.OpenBlas && k > 0)
            {
                fixed (T* pa = a)
                fixed (T* pb = b)
                fixed (T* pc = c)
                {
                    OpenBlas.Sgemm(ta, tb, m, n, k, float.CreateTruncating(alpha), (float*)pa, lda, (float*)pb, ldb, float.CreateTruncating(beta), (float*)pc, ldc);
                }
                return;
            }
        }
        else if (!ForceManaged && OpenBlas.IsAvailable && k > 0)
        {
            fixed (T* pa = a)
            fixed (T* pb = b)
            fixed (T* pc = c)
            {
                OpenBlas.Dgemm(ta, tb, m, n, k, double.CreateTruncating(alpha), (double*)pa, lda, (double*)pb, ldb, double.CreateTruncating(beta), (double*)pc, ldc);
            }
            return;
        }
        ManagedGemm.Run(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    /// <summary>A row-major [rows, cols] matrix with leading dimension ld must fit in the span (native code reads by pointer).</summary>
    private static void CheckExtent(string name, int length, int rows, int cols, int ld)
    {
        if (rows > 0 && cols > 0 && (ld < cols || (long)(rows - 1) * ld + cols > length))
        {
            throw new ArgumentException($"GEMM operand {name}: a [{rows}, {cols}] matrix with leading dimension {ld} does not fit in {length} elements");
        }
    }

    /// <summary>
    /// Like <see cref="Single{T}"/> but with the rows of C split into blocks that threads share. The blocks depend only
    /// on the shape (at most <see cref="MaxRowBlocks"/>, whole multiples of <see cref="RowAlignment"/> rows), never on
    /// the thread count: OpenBLAS computes the rows of a block's ragged tail with other kernels (another summation
    /// order), so a split that followed the thread count would change results with it.
    /// </summary>
    public static void Parallel<T>(bool ta, bool tb, int m, int n, int k, T alpha, T[] a, int aOffset, int lda, T[] b, int bOffset, int ldb, T beta, T[] c, int cOffset, int ldc)
        where T : unmanaged, INumber<T>
    {
        var work = (long)m * n * Math.Max(k, 1);
        var blocks = (int)Math.Clamp(work / 2_000_000, 1, MaxRowBlocks);
        var rowsPer = (m + blocks - 1) / blocks;
        rowsPer = Math.Min(m, (rowsPer + RowAlignment - 1) / RowAlignment * RowAlignment);
        CpuParallel.For(m, Math.Max(1, rowsPer), (r0, r1) =>
        {
            var rows = r1 - r0;
            var aSpan = ta ? a.AsSpan(aOffset + r0) : a.AsSpan(aOffset + r0 * lda);
            Single(ta, tb, rows, n, k, alpha, aSpan, lda, b.AsSpan(bOffset), ldb, beta, c.AsSpan(cOffset + r0 * ldc), ldc);
        });
    }

    /// <summary>Most row blocks of a parallel GEMM (enough for the machines the engine runs on; fixed for determinism).</summary>
    public const int MaxRowBlocks = 8;

    /// <summary>Row blocks start at multiples of this (OpenBLAS's widest single-precision row unroll).</summary>
    private const int RowAlignment = 32;
}
