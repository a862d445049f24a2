using System.Runtime.InteropServices;

namespace NativeTrustRegion.Engine.Distributed;

/// <summary>
/// The collective over NCCL on GPUs (libnccl.so.2, as shipped in the nvidia-nccl-cu12 Python wheel; found on the
/// usual library paths or in NTR_CUDA_LIB_PATH): ncclGetUniqueId on rank 0, the 128-byte id passed to every rank
/// (through MPI, or a file for `ntr run --gpus N`), ncclCommInitRank, ncclAllReduce / ncclBroadcast on device
/// memory on the run's CUDA stream, ncclCommDestroy. NCCL reduces device buffers only: the host-span operations of
/// <see cref="ICollective"/> (a loss, a stop flag, a partial sum) go through a small device copy on the rank's GPU;
/// tensors on the GPU are reduced in place (<see cref="TensorAllReduce"/>).
/// WRITTEN BUT NEVER RUN: no GPU was available when it was written; the first GPU session must test it.
/// </summary>
public sealed unsafe class NcclCollective : ICollective
{
    /// <summary>sizeof(ncclUniqueId).</summary>
    public const int UniqueIdBytes = 128;

    private const int NcclFloat32 = 7;
    private const int NcclFloat64 = 8;
    private const int NcclSum = 0;
    private const int NcclAvg = 4;

    private static readonly Lazy<nint> Library = new(LoadLibrary);

    private readonly nint _comm;
    private readonly nint _stream;
    private bool _disposed;

    private readonly Device _device;

    private NcclCollective(nint comm, int rank, int size, nint stream, Device device)
    {
        _device = device;
        _comm = comm;
        Rank = rank;
        Size = size;
        _stream = stream;
    }

    public int Rank { get; }

    public int Size { get; }

    public string Transport => "nccl";

    /// <summary>A fresh communicator id (rank 0 makes it; every rank then passes it to <see cref="Create"/>).</summary>
    public static byte[] NewUniqueId()
    {
        var get = (delegate* unmanaged<byte*, int>)Export("ncclGetUniqueId");
        var id = new byte[UniqueIdBytes];
        fixed (byte* p = id)
        {
            Check(get(p), "ncclGetUniqueId");
        }
        return id;
    }

    /// <summary>
    /// Joins the communicator <paramref name="uniqueId"/> as <paramref name="rank"/> of <paramref name="size"/>; operations
    /// run on <paramref name="stream"/> (a CUstream; the current CUDA context must be this rank's GPU,
    /// <paramref name="device"/>, where host spans are staged).
    /// </summary>
    public static NcclCollective Create(ReadOnlySpan<byte> uniqueId, int rank, int size, nint stream, Device device)
    {
        if (uniqueId.Length != UniqueIdBytes)
        {
            throw new ArgumentException($"an NCCL unique id has {UniqueIdBytes} bytes, not {uniqueId.Length}");
        }
        var id = default(UniqueId);
        uniqueId.CopyTo(new Span<byte>(id.Bytes, UniqueIdBytes));
        var init = (delegate* unmanaged<nint*, int, UniqueId, int, int>)Export("ncclCommInitRank");
        nint comm;
        Check(init(&comm, size, id, rank), "ncclCommInitRank");
        return new NcclCollective(comm, rank, size, stream, device);
    }

    /// <summary>In-place sum (or mean, <paramref name="average"/>: ncclAvg) of <paramref name="count"/> elements at a device address.</summary>
    public void AllReduceDevice(nint devicePointer, long count, DType dtype, bool average)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var allReduce = (delegate* unmanaged<void*, void*, nuint, int, int, nint, nint, int>)Export("ncclAllReduce");
        Check(allReduce((void*)devicePointer, (void*)devicePointer, (nuint)count, NcclType(dtype), average ? NcclAvg : NcclSum, _comm, _stream), "ncclAllReduce");
    }

    public void BroadcastDevice(nint devicePointer, long count, DType dtype, int root)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var broadcast = (delegate* unmanaged<void*, void*, nuint, int, int, nint, nint, int>)Export("ncclBroadcast");
        Check(broadcast((void*)devicePointer, (void*)devicePointer, (nuint)count, NcclType(dtype), root, _comm, _stream), "ncclBroadcast");
    }

    public void AllReduceSum(Span<float> data)
    {
        var staged = Stage(data.ToArray().Select(v => (double)v).ToArray(), DType.F32, (p, n) => AllReduceDevice(p, n, DType.F32, average: false));
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (float)staged[i];
        }
    }

    public void AllReduceSum(Span<double> data) => Stage(data.ToArray(), DType.F64, (p, n) => AllReduceDevice(p, n, DType.F64, average: false)).CopyTo(data);

    public void Broadcast(Span<float> data, int root)
    {
        var staged = Stage(data.ToArray().Select(v => (double)v).ToArray(), DType.F32, (p, n) => BroadcastDevice(p, n, DType.F32, root));
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (float)staged[i];
        }
    }

    public void Broadcast(Span<double> data, int root) => Stage(data.ToArray(), DType.F64, (p, n) => BroadcastDevice(p, n, DType.F64, root)).CopyTo(data);

    /// <summary>Copies host values to this rank's GPU, runs <paramref name="operation"/> on the device copy, and reads it back (the read waits for the stream).</summary>
    private double[] Stage(double[] values, DType dtype, Action<nint, long> operation)
    {
        var device = Tensor.ZerosUnscoped([values.Length], dtype, _device);
        device.CopyFrom(Tensor.FromSpan((ReadOnlySpan<double>)values, [values.Length], dtype, Device.Cpu));
        var storage = (Backends.Cuda.CudaStorage)device.Storage;
        operation((nint)(storage.Pointer + (ulong)(device.Offset * dtype.SizeOf())), values.Length);
        return device.ToDoubleArray();
    }

    private static int NcclType(DType dtype) => dtype switch
    {
        DType.F32 => NcclFloat32,
        DType.F64 => NcclFloat64,
        _ => throw new NotSupportedException($"no NCCL type for {dtype}"),
    };

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            var destroy = (delegate* unmanaged<nint, int>)Export("ncclCommDestroy");
            Check(destroy(_comm), "ncclCommDestroy");
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct UniqueId
    {
        public fixed byte Bytes[UniqueIdBytes];
    }

    private static nint Export(string name) => NativeLibrary.GetExport(Library.Value, name);

    private static void Check(int result, string call)
    {
        if (result != 0)
        {
            var text = (delegate* unmanaged<int, byte*>)Export("ncclGetErrorString");
            throw new InvalidOperationException($"{call} failed: NCCL error {result} ({Marshal.PtrToStringUTF8((nint)text(result))})");
        }
    }

    private static nint LoadLibrary()
    {
        var folders = (Environment.GetEnvironmentVariable("NTR_CUDA_LIB_PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        foreach (var candidate in folders.Select(f => Path.Combine(f, "libnccl.so.2")).Append("libnccl.so.2"))
        {
            if (NativeLibrary.TryLoad(candidate, out var handle))
            {
                return handle;
            }
        }
        throw new DllNotFoundException("libnccl.so.2 not found. Fix: install NCCL (e.g. pip's nvidia-nccl-cu12) and add its lib folder to NTR_CUDA_LIB_PATH.");
    }
}
