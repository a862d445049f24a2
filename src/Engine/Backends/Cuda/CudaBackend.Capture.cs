namespace NativeTrustRegion.Engine.Backends.Cuda;

public sealed partial class CudaBackend
{
    private CudaGraphCaptureState? _capture;

    /// <summary>Whether a <see cref="CudaGraph"/> capture is recording this back end's stream now.</summary>
    public bool IsCapturing => _capture is not null;

    /// <summary>The kernels only a capture launches (the shifted random fills and dropout masks), by module.</summary>
    private static readonly (string Module, string Kernel)[] CaptureOnlyKernels =
        [("random", "fill_normal_shifted"), ("random", "fill_uniform_shifted"), ("dropout", "dropout_shifted")];

    internal void BeginCapture(CudaGraphCaptureState state)
    {
        // look the capture-only kernels up before recording: no module load or function lookup happens mid-capture
        foreach (var (module, kernel) in CaptureOnlyKernels)
        {
            Kernels.Function(module, kernel, DType.F32);
            Kernels.Function(module, kernel, DType.F64);
        }
        if (_capture is not null)
        {
            throw new CudaGraphCaptureException("starting a second capture", "one capture is already recording this back end's stream", "capture one graph at a time");
        }
        _capture = state;
        _pool.RentObserver = state.Hold;
    }

    internal void EndCapture()
    {
        _capture = null;
        _pool.RentObserver = null;
    }

    private void RefuseHostRead() =>
        RefuseWhileCapturing("reading a tensor on the host (Item, ToArray, ToDoubleArray, Dot, a loss value)",
            "the value does not exist until the graph is launched, and a capture cannot wait for the device",
            "keep the value on the device (write it into a fixed tensor the graph owns) and read it after launching, e.g. through a PinnedLossRing, or run this step eagerly");

    private void RefuseWhileCapturing(string what, string why, string fix)
    {
        if (_capture is not null)
        {
            throw new CudaGraphCaptureException(what, why, fix);
        }
    }
}
