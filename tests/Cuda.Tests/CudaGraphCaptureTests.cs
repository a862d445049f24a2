using System.Runtime.InteropServices;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Backends.Cuda;
using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Cuda.Tests;

/// <summary>
/// The rules of <see cref="CudaGraph"/> capture as the back end enforces them, and the pieces a captured training step
/// is built from: generator offset shifts read from device memory, Adam scalars staged in device memory, the pinned
/// loss ring and the pool's hold on a live graph's buffers. Runs on the emulated device (and on a real GPU with
/// NTR_CUDA_TESTS_REAL_GPU=1).
/// </summary>
[Collection(CudaTestDevice.Collection)]
public class CudaGraphCaptureTests
{
    [SkippableFact]
    public void AHostReadInsideACaptureIsRefusedWithTheReasonAndTheFix()
    {
        var gpu = GpuParityTests.RequireGpu();
        var x = Tensor.FromArray(new float[] { 1, 2, 3, 4 }, 4).To(gpu.Device);
        using (TensorScope.Begin())
        {
            Ops.Affine(x, 2, 1);
        }
        using (TensorScope.Begin())
        {
            var e = Assert.Throws<CudaGraphCaptureException>(() => CudaGraph.Capture(gpu, () => Ops.Affine(x, 2, 1).ToDoubleArray()));
            Assert.StartsWith("reading a tensor on the host (Item, ToArray", e.Message, StringComparison.Ordinal);
            Assert.Contains("inside a CUDA graph capture", e.Message, StringComparison.Ordinal);
            Assert.Contains("Fix: keep the value on the device", e.Message, StringComparison.Ordinal);
        }
        // the capture was abandoned cleanly: the stream runs eager work again
        Assert.False(gpu.IsCapturing);
        Assert.Equal(new double[] { 3, 5, 7, 9 }, Ops.Affine(x, 2, 1).ToDoubleArray());
    }

    [SkippableFact]
    public void UploadsAllocationsAndSynchronisationInsideACaptureAreRefused()
    {
        var gpu = GpuParityTests.RequireGpu();
        var x = Tensor.FromArray(new float[] { 1, 2, 3 }, 3).To(gpu.Device);
        using var scope = TensorScope.Begin();
        var upload = Assert.Throws<CudaGraphCaptureException>(() => CudaGraph.Capture(gpu, () => gpu.CopyFromHost<float>(new float[] { 5, 6, 7 }, x)));
        Assert.Contains("copying host data into", upload.Message, StringComparison.Ordinal);
        Assert.Contains("replay this step's values at every later step", upload.Message, StringComparison.Ordinal);
        var sync = Assert.Throws<CudaGraphCaptureException>(() => CudaGraph.Capture(gpu, gpu.Synchronize));
        Assert.StartsWith("waiting for the device (Synchronize)", sync.Message, StringComparison.Ordinal);
        // a shape the pool has never seen: its buffer would need cuMemAlloc inside the capture
        var cold = Tensor.Zeros([7919], device: gpu.Device);
        var alloc = Assert.Throws<CudaGraphCaptureException>(() => CudaGraph.Capture(gpu, () => Ops.Affine(cold, 2, 1)));
        Assert.Contains("run the step once eagerly with the same shapes before capturing", alloc.Message, StringComparison.Ordinal);
        Assert.Equal(new double[] { 1, 2, 3 }, x.ToDoubleArray());
    }

    [SkippableFact]
    public void AReplayedNormalFillDrawsTheCountersOfItsStagedShift()
    {
        var gpu = GpuParityTests.RequireGpu();
        const ulong seed = 0x5EED;
        var generator = new Generator(seed, 100);
        var shift = Tensor.ZerosUnscoped([1], DType.F64, gpu.Device);
        using var scope = TensorScope.Begin();
        using (TensorScope.Begin())
        {
            Tensor.Randn([37], new Generator(seed, 100), DType.F32, gpu.Device);
        }
        using (TensorScope.Begin())
        {
            var refused = Assert.Throws<CudaGraphCaptureException>(() => CudaGraph.Capture(gpu, () => Tensor.Randn([37], generator, DType.F32, gpu.Device)));
            Assert.Contains($"seed {seed}", refused.Message, StringComparison.Ordinal);
            Assert.Contains("every replay would draw the same numbers", refused.Message, StringComparison.Ordinal);
        }
        generator.Restore(100);
        Tensor? y = null;
        using var graph = CudaGraph.Capture(gpu, () => y = Tensor.Randn([37], generator, DType.F32, gpu.Device), new Dictionary<ulong, Tensor> { [seed] = shift });
        foreach (var k in new ulong[] { 0, 37, 1_000_003 })
        {
            gpu.CopyFromHost<double>([BitConverter.UInt64BitsToDouble(k)], shift);
            graph.Launch();
            var expected = Tensor.Randn([37], new Generator(seed, 100 + k), DType.F32, gpu.Device).ToFloatArray();
            Assert.Equal(expected, y!.ToFloatArray());
        }
    }

    [SkippableFact]
    public void StagedAdamScalarsReplayTheEagerAdamStepsBitForBit()
    {
        var gpu = GpuParityTests.RequireGpu();
        const int n = 1000;
        var g = new Generator(7);
        var p0 = Tensor.Randn([n], g);
        var grad = Tensor.Randn([n], g).To(gpu.Device);
        var (p, m, v) = (p0.To(gpu.Device), Tensor.Zeros([n], device: gpu.Device), Tensor.Zeros([n], device: gpu.Device));
        var (pe, me, ve) = (p0.To(gpu.Device), Tensor.Zeros([n], device: gpu.Device), Tensor.Zeros([n], device: gpu.Device));
        var scalars = Tensor.ZerosUnscoped([CudaBackend.StagedAdamScalarCount], DType.F32, gpu.Device);
        var constants = new AdamStep(1e-3, 0.9, 0.999, 1e-8, 0.01, 1);
        using var graph = CudaGraph.Capture(gpu, () => gpu.AdamUpdateStaged(p, grad, m, v, constants, scalars));
        var staged = new byte[CudaBackend.StagedAdamScalarCount * sizeof(float)];
        for (var t = 1; t <= 4; t++)
        {
            var step = new AdamStep(1e-3 * t, 0.9, 0.999, 1e-8, 0.01, t);
            CudaBackend.WriteStagedAdamScalars(step, DType.F32, staged);
            gpu.CopyFromHost<float>(MemoryMarshal.Cast<byte, float>(staged), scalars);
            graph.Launch();
            gpu.AdamUpdate(pe, grad, me, ve, step);
        }
        Assert.Equal(pe.ToFloatArray(), p.ToFloatArray());
        Assert.Equal(me.ToFloatArray(), m.ToFloatArray());
        Assert.Equal(ve.ToFloatArray(), v.ToFloatArray());
        // four different steps really happened: the parameters moved from the start
        Assert.NotEqual(p0.ToFloatArray(), p.ToFloatArray());
    }

    [SkippableTheory]
    [InlineData(0.5)]    // the norm (about 7.1 for 50 standard normals) is above: the gradient is scaled
    [InlineData(1000.0)] // below: unchanged
    public void ClippingOnTheDeviceInAGraphEqualsTheEagerClipBitForBit(double maxNorm)
    {
        var gpu = GpuParityTests.RequireGpu();
        var g0 = Tensor.Randn([50], new Generator(11));
        var eager = g0.To(gpu.Device);
        var norm = Engine.Optim.GradientClipping.ClipGlobalNorm(eager, maxNorm);
        var graphed = Tensor.ZerosUnscoped([50], DType.F32, gpu.Device);
        using (TensorScope.Begin())
        {
            gpu.ClipGradientNormOnDevice(Tensor.ZerosLike(graphed), maxNorm);
        }
        using var scope = TensorScope.Begin();
        using var graph = CudaGraph.Capture(gpu, () => gpu.ClipGradientNormOnDevice(graphed, maxNorm));
        graphed.CopyFrom(g0.To(gpu.Device));
        graph.Launch();
        Assert.Equal(eager.ToFloatArray(), graphed.ToFloatArray());
        Assert.Equal(norm > maxNorm, !g0.ToFloatArray().SequenceEqual(graphed.ToFloatArray()));
    }

    [SkippableFact]
    public void ALiveGraphKeepsItsPooledBuffersThroughATrim()
    {
        var gpu = GpuParityTests.RequireGpu();
        var x = Tensor.FromArray(new float[] { 1, -2, 3, 0.5f, 8 }, 5).To(gpu.Device);
        var output = Tensor.ZerosUnscoped([5], DType.F32, gpu.Device);
        using (TensorScope.Begin())
        {
            Ops.SiLU(Ops.Affine(x, 3, -1));
        }
        CudaGraph graph;
        using (TensorScope.Begin())
        {
            // the intermediates go back to the pool when the scope ends; the graph still uses them at every replay
            graph = CudaGraph.Capture(gpu, () => output.CopyFrom(Ops.SiLU(Ops.Affine(x, 3, -1))));
        }
        using (graph)
        {
            gpu.Pool.Trim();
            gpu.CopyFromHost<float>(new float[] { 0, 1, 2, 3, 4 }, x);
            graph.Launch();
            static double Silu(double v) => v / (1 + Math.Exp(-v));
            var got = output.ToDoubleArray();
            for (var i = 0; i < 5; i++)
            {
                Assert.Equal(Silu(3.0 * i - 1), got[i], 5);
            }
        }
    }

    [SkippableFact]
    public void ThePinnedLossRingReturnsEveryQueuedLossInOrder()
    {
        var gpu = GpuParityTests.RequireGpu();
        using var ring = new PinnedLossRing(gpu, 3);
        var loss = Tensor.ZerosUnscoped([], DType.F64, gpu.Device);
        void Queue(double value)
        {
            loss.Fill(value);
            ring.Queue(loss);
        }
        Queue(1.5);
        Queue(-2);
        Queue(3.25);
        var full = Assert.Throws<InvalidOperationException>(() => ring.Queue(loss));
        Assert.Contains("call Drain at least every 3 steps", full.Message, StringComparison.Ordinal);
        Assert.Equal(new[] { 1.5, -2, 3.25 }, ring.Drain());
        Queue(4);
        Queue(5);
        Assert.Equal(2, ring.Pending);
        Assert.Equal(new double[] { 4, 5 }, ring.Drain());
        Assert.Empty(ring.Drain());
    }
}
