using NativeTrustRegion.Engine.Optim;

namespace NativeTrustRegion.Engine.Backends.Cuda;

/// <summary>
/// The back-end-neutral <see cref="IStepCapture"/> over this back end's CUDA graphs, pinned staging and staged updates
/// (<see cref="CudaGraph"/>, <see cref="PinnedStepInputs"/>, <see cref="PinnedLossRing"/>, the staged Adam and the
/// device-side penalty and clipping); the updates themselves implement the interface directly.
/// </summary>
public sealed partial class CudaBackend : IStepCapture
{
    IStagedStepInputs IStepCapture.CreateStepInputs(IEnumerable<(string Name, int[] Shape, DType DType)> inputs) => new PinnedStepInputs(this, inputs);

    IStepValueRing IStepCapture.CreateValueRing(int capacity, int width) => new PinnedLossRing(this, capacity, width);

    ICapturedStep? IStepCapture.TryCapture(Action body, IReadOnlyDictionary<ulong, Tensor>? randomShifts, out string? refusal)
    {
        try
        {
            refusal = null;
            return CudaGraph.Capture(this, body, randomShifts);
        }
        catch (CudaGraphCaptureException e)
        {
            refusal = e.Message;
            return null;
        }
    }

    int IStepCapture.StagedAdamScalarCount => StagedAdamScalarCount;

    void IStepCapture.WriteStagedAdamScalars(AdamStep step, DType dtype, Span<byte> destination) => WriteStagedAdamScalars(step, dtype, destination);
}
