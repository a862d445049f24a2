using System.Runtime.InteropServices;

namespace NativeTrustRegion.Engine.Distributed;

/// <summary>
/// The collective over MPI on the CPU, by P/Invoke into Debian's OpenMPI (libmpi.so.40): MPI_Init, MPI_Comm_rank/size,
/// MPI_Allreduce (in place, MPI_SUM) and MPI_Bcast on MPI_COMM_WORLD. In OpenMPI the handles MPI_COMM_WORLD,
/// MPI_FLOAT, MPI_DOUBLE and MPI_SUM are the addresses of the global objects ompi_mpi_comm_world, ompi_mpi_float,
/// ompi_mpi_double and ompi_mpi_op_sum, read with dlsym; MPI_IN_PLACE is (void*)1. The library is opened with
/// RTLD_GLOBAL so that OpenMPI's plugins, which it loads itself, find its symbols. One instance per process
/// (MPI_Init once); launch with `mpirun -np N ntr ...`.
/// </summary>
public sealed unsafe class MpiCollective : ICollective
{
    private const string Library = "libmpi.so.40";
    private static readonly nint InPlace = 1;

    private readonly delegate* unmanaged<void*, void*, int, nint, nint, nint, int> _allreduce;
    private readonly delegate* unmanaged<void*, int, nint, int, nint, int> _bcast;
    private readonly delegate* unmanaged<int> _finalize;
    private readonly nint _world;
    private readonly nint _float;
    private readonly nint _double;
    private readonly nint _sum;
    private bool _disposed;

    private MpiCollective(nint library)
    {
        nint Export(string name) => NativeLibrary.TryGetExport(library, name, out var address)
            ? address
            : throw new DllNotFoundException($"{Library} has no symbol {name}: it is not OpenMPI 4.x. Fix: install Debian's libopenmpi3 (tools/setup-system.sh).");
        var init = (delegate* unmanaged<int*, byte***, int>)Export("MPI_Init");
        var rank = (delegate* unmanaged<nint, int*, int>)Export("MPI_Comm_rank");
        var size = (delegate* unmanaged<nint, int*, int>)Export("MPI_Comm_size");
        _allreduce = (delegate* unmanaged<void*, void*, int, nint, nint, nint, int>)Export("MPI_Allreduce");
        _bcast = (delegate* unmanaged<void*, int, nint, int, nint, int>)Export("MPI_Bcast");
        _finalize = (delegate* unmanaged<int>)Export("MPI_Finalize");
        _world = Export("ompi_mpi_comm_world");
        _float = Export("ompi_mpi_float");
        _double = Export("ompi_mpi_double");
        _sum = Export("ompi_mpi_op_sum");
        Check(init(null, null), "MPI_Init");
        int r, s;
        Check(rank(_world, &r), "MPI_Comm_rank");
        Check(size(_world, &s), "MPI_Comm_size");
        Rank = r;
        Size = s;
    }

    public int Rank { get; }

    public int Size { get; }

    public string Transport => "mpi";

    /// <summary>Initialises MPI (once per process) and joins MPI_COMM_WORLD.</summary>
    public static MpiCollective Initialize()
    {
        var handle = Dl.Open(Library);
        if (handle == 0)
        {
            throw new DllNotFoundException($"cannot load {Library} ({Dl.LastError()}). Fix: install Debian's OpenMPI (openmpi-bin, libopenmpi3; tools/setup-system.sh) and launch with mpirun.");
        }
        return new MpiCollective(handle);
    }

    public void AllReduceSum(Span<float> data) => AllReduce(MemoryMarshal.AsBytes(data), sizeof(float), _float);

    public void AllReduceSum(Span<double> data) => AllReduce(MemoryMarshal.AsBytes(data), sizeof(double), _double);

    public void Broadcast(Span<float> data, int root) => Bcast(MemoryMarshal.AsBytes(data), sizeof(float), _float, root);

    public void Broadcast(Span<double> data, int root) => Bcast(MemoryMarshal.AsBytes(data), sizeof(double), _double, root);

    /// <summary>MPI counts are ints: longer buffers go in chunks of at most 2^30 elements.</summary>
    private const int Chunk = 1 << 30;

    private void AllReduce(Span<byte> bytes, int elementSize, nint type)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        fixed (byte* p = bytes)
        {
            long n = bytes.Length / elementSize;
            for (long start = 0; start < n; start += Chunk)
            {
                var count = (int)Math.Min(Chunk, n - start);
                Check(_allreduce((void*)InPlace, p + start * elementSize, count, type, _sum, _world), "MPI_Allreduce");
            }
        }
    }

    private void Bcast(Span<byte> bytes, int elementSize, nint type, int root)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (root < 0 || root >= Size)
        {
            throw new ArgumentOutOfRangeException(nameof(root), $"root {root} is not a rank of this run (0 … {Size - 1})");
        }
        fixed (byte* p = bytes)
        {
            long n = bytes.Length / elementSize;
            for (long start = 0; start < n; start += Chunk)
            {
                var count = (int)Math.Min(Chunk, n - start);
                Check(_bcast(p + start * elementSize, count, type, root, _world), "MPI_Bcast");
            }
        }
    }

    private static void Check(int code, string call)
    {
        if (code != 0)
        {
            throw new InvalidOperationException($"{call} failed with MPI error {code}");
        }
    }

    /// <summary>MPI_Finalize; every rank must call it (MPI allows no re-initialisation afterwards).</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            Check(_finalize(), "MPI_Finalize");
        }
    }

    private static class Dl
    {
        private const int RtldNow = 2;
        private const int RtldGlobal = 0x100;

        [DllImport("libc", EntryPoint = "dlopen")]
        private static extern nint DlOpen([MarshalAs(UnmanagedType.LPUTF8Str)] string file, int mode);

        [DllImport("libc", EntryPoint = "dlerror")]
        private static extern nint DlError();

        public static nint Open(string file) => DlOpen(file, RtldNow | RtldGlobal);

        public static string LastError() => Marshal.PtrToStringUTF8(DlError()) ?? "unknown error";
    }
}
