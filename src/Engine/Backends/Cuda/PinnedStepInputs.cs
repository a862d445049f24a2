using System.Runtime.InteropServices;

namespace NativeTrustRegion.Engine.Backends.Cuda;

/// <summary>
/// The per-step inputs of a captured training step (the batch, noising coefficients, timesteps, generator offset
/// shifts, optimizer scalars): fixed device tensors the graph reads, filled before each launch from page-locked
/// host memory. Double-buffered: the host writes step i+1's values into one half while the copies of step i may
/// still be queued from the other; a half is reused only after the event recorded behind its copies completed, so
/// in steady state (the host at most one step ahead) the host never waits, and nothing waits inside a step.
/// </summary>
public sealed unsafe class PinnedStepInputs : IStagedStepInputs
{
    private readonly CudaBackend _backend;
    private readonly Dictionary<string, Input> _inputs = new(StringComparer.Ordinal);
    private readonly PinnedHostAllocation[] _halves = new PinnedHostAllocation[2];
    private readonly CudaEventHandle[] _copied = new CudaEventHandle[2];
    private readonly long _bytes;
    private int _next;
    private int _open = -1;

    private sealed record Input(Tensor Device, long HostOffset, long Bytes);

    /// <param name="inputs">Each input's name, shape and element type (F64 inputs also carry raw 64-bit integers).</param>
    public PinnedStepInputs(CudaBackend backend, IEnumerable<(string Name, int[] Shape, DType DType)> inputs)
    {
        _backend = backend;
        long offset = 0;
        foreach (var (name, shape, dtype) in inputs)
        {
            var device = Tensor.ZerosUnscoped(shape, dtype, backend.Device);
            var bytes = device.Numel * dtype.SizeOf();
            _inputs.Add(name, new Input(device, offset, bytes));
            offset += (bytes + 63) & ~63L;
        }
        _bytes = Math.Max(64, offset);
        var context = backend.Context;
        context.MakeCurrent();
        for (var i = 0; i < 2; i++)
        {
            CudaDriver.Check(CudaDriver.cuMemHostAlloc(out var p, (nuint)_bytes, CudaDriver.HostAllocPortable), "cuMemHostAlloc");
            _halves[i] = new PinnedHostAllocation(context.Handle, p, _bytes);
            CudaDriver.Check(CudaDriver.cuEventCreate(out var e, CudaDriver.EventDisableTiming), "cuEventCreate");
            _copied[i] = new CudaEventHandle(context.Handle, e);
        }
    }

    /// <summary>The fixed device tensor of input <paramref name="name"/> (what the captured step reads).</summary>
    public Tensor this[string name] => Find(name).Device;

    /// <summary>Starts writing the next step's values: takes the free half (waiting only if its copies, two steps back, are still queued).</summary>
    public void Begin()
    {
        if (_open >= 0)
        {
            throw new InvalidOperationException("PinnedStepInputs.Begin called twice without Submit");
        }
        _open = _next;
        _next ^= 1;
        CudaDriver.Check(CudaDriver.cuEventSynchronize(_copied[_open].DangerousGetHandle()), "cuEventSynchronize");
    }

    /// <summary>The page-locked host span of input <paramref name="name"/> in the half being written.</summary>
    public Span<T> Host<T>(string name)
        where T : unmanaged
    {
        if (_open < 0)
        {
            throw new InvalidOperationException("call PinnedStepInputs.Begin before writing a step's inputs");
        }
        var input = Find(name);
        var element = input.Device.DType.SizeOf();
        if (sizeof(T) != element && typeof(T) != typeof(byte))
        {
            throw new ArgumentException($"input '{name}' holds {input.Device.DType} ({element} bytes per element); write it as a {element}-byte type, not {typeof(T).Name}");
        }
        var p = (byte*)_halves[_open].DangerousGetHandle() + input.HostOffset;
        return new Span<T>(p, (int)(input.Bytes / sizeof(T)));
    }

    /// <summary>Queues the copies of every input of the written half into the device tensors, behind the work queued so far.</summary>
    public void Submit()
    {
        if (_open < 0)
        {
            throw new InvalidOperationException("PinnedStepInputs.Submit called without Begin");
        }
        _backend.Context.MakeCurrent();
        var stream = _backend.Context.Stream;
        var half = (byte*)_halves[_open].DangerousGetHandle();
        foreach (var input in _inputs.Values)
        {
            CudaDriver.Check(CudaDriver.cuMemcpyHtoDAsync(_backend.Ptr(input.Device), half + input.HostOffset, (nuint)input.Bytes, stream), "cuMemcpyHtoDAsync_v2");
        }
        CudaDriver.Check(CudaDriver.cuEventRecord(_copied[_open].DangerousGetHandle(), stream), "cuEventRecord");
        _open = -1;
    }

    private Input Find(string name) =>
        _inputs.TryGetValue(name, out var input)
            ? input
            : throw new KeyNotFoundException($"no step input '{name}' (declared: {string.Join(", ", _inputs.Keys)})");

    public void Dispose()
    {
        _backend.Context.Synchronize();
        foreach (var e in _copied)
        {
            e?.Dispose();
        }
        foreach (var h in _halves)
        {
            h?.Dispose();
        }
    }
}
