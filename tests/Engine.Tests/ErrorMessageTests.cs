using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Engine.Tests;

/// <summary>Wrong shapes, dtype mixes and device mixes raise exceptions naming the op, the shapes and the fix.</summary>
public class ErrorMessageTests
{
    private sealed class OtherDeviceStorage(DType dtype, long length) : Storage(dtype, length)
    {
        public override Device Device => Device.Cuda(3);

        public override IBackend Backend => BackendRegistry.CpuBackend;
    }

    [Fact]
    public void ShapeMismatchNamesOpShapesAndFix()
    {
        var a = Tensor.Zeros([2, 3]);
        var b = Tensor.Zeros([4, 3]);
        var e = Assert.Throws<TensorOpException>(() => a + b);
        Assert.Equal("Add", e.Op);
        Assert.Contains("[2, 3]", e.Message);
        Assert.Contains("[4, 3]", e.Message);
        Assert.Contains("Fix:", e.Message);
    }

    [Fact]
    public void MatMulInnerDimensionMismatch()
    {
        var e = Assert.Throws<TensorOpException>(() => Ops.MatMul(Tensor.Zeros([2, 3]), Tensor.Zeros([4, 5])));
        Assert.Contains("MatMul", e.Message);
        Assert.Contains("[2, 3]", e.Message);
        Assert.Contains("[4, 5]", e.Message);
    }

    [Fact]
    public void ConvChannelMismatch()
    {
        var e = Assert.Throws<TensorOpException>(() => Ops.Conv2d(Tensor.Zeros([1, 3, 8, 8]), Tensor.Zeros([4, 2, 3, 3]), null, 1, 1));
        Assert.Contains("Conv2d", e.Message);
        Assert.Contains("[1, 3, 8, 8]", e.Message);
        Assert.Contains("[4, 2, 3, 3]", e.Message);
    }

    [Fact]
    public void DTypeMixIsRejected()
    {
        var e = Assert.Throws<TensorOpException>(() => Tensor.Zeros([2], DType.F32) * Tensor.Zeros([2], DType.F64));
        Assert.Contains("dtype mismatch", e.Message);
        Assert.Contains("F32", e.Message);
        Assert.Contains("F64", e.Message);
        Assert.Contains(".To(DType)", e.Message);
    }

    [Fact]
    public void DeviceMixIsRejected()
    {
        var cpu = Tensor.Zeros([2, 2]);
        var elsewhere = new Tensor(new OtherDeviceStorage(DType.F32, 4), [2, 2]);
        var e = Assert.Throws<TensorOpException>(() => Ops.MatMul(cpu, elsewhere));
        Assert.Contains("device mismatch", e.Message);
        Assert.Contains("cuda:3", e.Message);
        Assert.Contains(".To(Device)", e.Message);
    }

    [Fact]
    public void GroupNormGroupsMustDivideChannels()
    {
        var e = Assert.Throws<TensorOpException>(() => Ops.GroupNorm(Tensor.Zeros([1, 6, 2, 2]), 4, null, null));
        Assert.Contains("GroupNorm", e.Message);
        Assert.Contains("[1, 6, 2, 2]", e.Message);
    }

    [Fact]
    public void ReshapeToWrongSize()
    {
        var e = Assert.Throws<TensorOpException>(() => Tensor.Zeros([2, 3]).Reshape(4, 2));
        Assert.Contains("[2, 3]", e.Message);
        Assert.Contains("[4, 2]", e.Message);
    }

    [Fact]
    public void EmbeddingIdOutOfRange()
    {
        var table = Tensor.Zeros([3, 2]);
        var e = Assert.Throws<TensorOpException>(() => Ops.Embedding(table, Tensor.FromArray(new float[] { 0, 5 }, 2)));
        Assert.Contains("id 5", e.Message);
        Assert.Contains("[0, 3)", e.Message);
    }

    [Fact]
    public void UsingATensorAfterItsScopeFails()
    {
        Tensor leaked;
        using (TensorScope.Begin())
        {
            leaked = Tensor.Randn([4], new Generator(1));
        }
        using (TensorScope.Begin())
        {
            // the buffer is lent again, so the stale tensor must not read it
            _ = Tensor.Zeros([4]);
            var e = Assert.Throws<InvalidOperationException>(() => leaked.ToFloatArray());
            Assert.Contains("TensorScope", e.Message);
            Assert.Contains("Keep", e.Message);
        }
    }

    [Fact]
    public void BackwardWithoutGradientExplains()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Autograd.GradTape.Current.Backward(Tensor.Zeros([1])));
        Assert.Contains("requires a gradient", e.Message);
    }
}
