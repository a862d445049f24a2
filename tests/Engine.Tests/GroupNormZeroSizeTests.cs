using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Engine.Tests;

/// <summary>
/// GroupNorm over an input with a zero-size dimension (issue 11's defect 5): the parameter gradients are sums over no
/// elements, so exactly zero (or the accumulated value unchanged), never NaN from the forward's 0/0 statistics and
/// never the contents of a buffer nothing wrote (the CUDA back end launches nothing, GroupNormLaunchPlan).
/// </summary>
public class GroupNormZeroSizeTests
{
    [Theory]
    [InlineData(new[] { 2, 4, 0 })]     // spatial size 0
    [InlineData(new[] { 2, 4, 0, 3 })]  // one spatial dim 0
    [InlineData(new[] { 0, 4, 3, 3 })]  // empty batch
    public void BackwardGivesZeroParameterGradientsOrLeavesAccumulatedOnes(int[] shape)
    {
        var x = Tensor.Zeros(shape, DType.F64);
        var dy = Tensor.Zeros(shape, DType.F64);
        var gamma = Tensor.FromArray(new[] { 1.5, -2.0, 0.5, 3.0 }, 4);
        var beta = Tensor.FromArray(new[] { 0.1, 0.2, 0.3, 0.4 }, 4);
        var y = Tensor.Zeros(shape, DType.F64);
        var mean = Tensor.Zeros([shape[0] * 2], DType.F64);
        var rstd = Tensor.Zeros([shape[0] * 2], DType.F64);
        x.Backend.GroupNormForward(x, gamma, beta, 2, 1e-5, y, mean, rstd);

        // stale values where the gradients go: overwritten with zeros, or kept when accumulating
        var dgamma = Tensor.FromArray(new[] { 7.0, 7.0, 7.0, 7.0 }, 4);
        var dbeta = Tensor.FromArray(new[] { 9.0, 9.0, 9.0, 9.0 }, 4);
        var dx = Tensor.Zeros(shape, DType.F64);
        x.Backend.GroupNormBackward(x, dy, mean, rstd, gamma, 2, dx, false, dgamma, dbeta, accumulateParams: false);
        Assert.Equal(new double[4], dgamma.ToDoubleArray());
        Assert.Equal(new double[4], dbeta.ToDoubleArray());

        var accGamma = Tensor.FromArray(new[] { 7.0, -1.0, 2.5, 0.0 }, 4);
        var accBeta = Tensor.FromArray(new[] { 9.0, 1.0, -3.0, 4.0 }, 4);
        x.Backend.GroupNormBackward(x, dy, mean, rstd, gamma, 2, dx, true, accGamma, accBeta, accumulateParams: true);
        Assert.Equal(new[] { 7.0, -1.0, 2.5, 0.0 }, accGamma.ToDoubleArray());
        Assert.Equal(new[] { 9.0, 1.0, -3.0, 4.0 }, accBeta.ToDoubleArray());
    }

    [Fact]
    public void AutogradThroughAnEmptyGroupNormGivesZeroGradients()
    {
        var x = Tensor.Zeros([3, 4, 0], DType.F64);
        x.RequiresGrad = true;
        var gamma = Tensor.FromArray(new[] { 1.0, 2.0, 3.0, 4.0 }, 4);
        gamma.RequiresGrad = true;
        var beta = Tensor.FromArray(new[] { 0.0, 0.0, 0.0, 0.0 }, 4);
        beta.RequiresGrad = true;
        // a loss that also reaches gamma and beta directly, so the backward runs and their gradients are known
        var loss = Ops.SumAll(Ops.GroupNorm(x, 2, gamma, beta)) + Ops.SumAll(Ops.Mul(gamma, beta));
        GradTape.Current.Backward(loss);
        Assert.Equal(new[] { 0.0, 0.0, 0.0, 0.0 }, gamma.Grad!.ToDoubleArray());
        Assert.Equal(new[] { 1.0, 2.0, 3.0, 4.0 }, beta.Grad!.ToDoubleArray());
    }
}
