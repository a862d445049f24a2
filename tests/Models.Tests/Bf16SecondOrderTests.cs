using NativeTrustRegion.Tests.Shared;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Randomness;
using NativeTrustRegion.Models.Image;
using NativeTrustRegion.Models.Policy;

namespace NativeTrustRegion.Models.Tests;

/// <summary>
/// Second-order gradients (what FTML and VR-MCL differentiate) through the paper models with every activation bf16:
/// the Hessian-vector product of the MSE loss of a small image UNet (attention, ResNet resampling, dropout, class table)
/// and a small policy UNet (1-D convolutions, GroupNorm, Mish, FiLM, LayerNorm attention, transposed convolution) under
/// <see cref="MixedPrecision.Bf16"/> against the same product in float32, same weights, data and dropout mask. The
/// create-graph backward of each bf16 op is recomposed in float32 between recorded casts, so H·v differs only by the
/// bf16 rounding of activations and gradients. Bound: 0.15 of ‖H·v‖ (measured: image 3.7e-2, policy 7.4e-2, two to
/// three times the first-order gradient's own bf16 difference, 2.4e-2 and 2.9e-2, in these 8- and 16-channel models
/// whose GroupNorms average 8 to 32 values); a wrong or missing term of a composed backward gives an error of order 1.
/// And not equal: the bf16 path ran. About 2 s.
/// </summary>
public class Bf16SecondOrderTests
{
    private const double Tolerance = 0.15;

    [Fact]
    public void ImageUNetHessianVectorProductInBf16TracksFloat32()
    {
        var config = TinyUNets.TwoLevelImage with { Dropout = 0.1 };
        var g = new Generator(4);
        var x = Tensor.Randn([2, 2, 8, 8], g);
        var target = Tensor.Randn([2, 2, 8, 8], g);
        var t = Tensor.FromArray([17f, 640f], 2);
        var labels = Tensor.FromArray([2f, 0f], 2);
        // the same dropout mask in both runs: the generator restarts from one seed before each forward
        var (error, gradient) = Compare(store => new ImageUNet(store, config), model =>
        {
            ((ImageUNet)model).DropoutGenerator = new Generator(9);
            return Ops.MseLoss(model.PredictNoise(x, t, labels), target);
        });
        Assert.True(error <= Tolerance && error > 1e-6, $"image UNet H·v: bf16 vs float32 differ by {error:E2} of its norm (the gradient by {gradient:E2})");
    }

    [Fact]
    public void PolicyUNetHessianVectorProductInBf16TracksFloat32()
    {
        var config = TinyUNets.Policy;
        var g = new Generator(6);
        var actions = Tensor.Randn([3, 4, 2], g);
        var observations = Tensor.Randn([3, 2, 3], g);
        var target = Tensor.Randn([3, 4, 2], g);
        var t = Tensor.FromArray([3f, 250f, 999f], 3);
        var (error, gradient) = Compare(store => new PolicyUNet(store, config), model => Ops.MseLoss(model.PredictNoise(actions, t, observations), target));
        Assert.True(error <= Tolerance && error > 1e-6, $"policy UNet H·v: bf16 vs float32 differ by {error:E2} of its norm (the gradient by {gradient:E2})");
    }

    /// <summary>
    /// ‖H·v_bf16 − H·v_fp32‖ / ‖H·v_fp32‖ (Euclidean) for one random direction v, and the same for the first-order
    /// gradient g (the bf16 rounding's size in this model, for the message).
    /// </summary>
    private static (double HessianVector, double Gradient) Compare(Func<ParameterStore, IDenoiser> build, Func<IDenoiser, Tensor> loss)
    {
        var store = new ParameterStore();
        var model = build(store);
        store.Allocate(3);
        var v = Tensor.Randn([(int)store.Count], new Generator(77));
        try
        {
            var fp32 = HessianVectorProduct(store, () => loss(model), v, bf16: false);
            var bf16 = HessianVectorProduct(store, () => loss(model), v, bf16: true);
            var norm = Norm(fp32.Hv);
            Assert.True(norm > 1e-3, $"H·v is ~0 (norm {norm:E2}): the comparison would be vacuous");
            return (Norm(fp32.Hv.Zip(bf16.Hv, (a, b) => a - b).ToArray()) / norm, Norm(fp32.G.Zip(bf16.G, (a, b) => a - b).ToArray()) / Norm(fp32.G));
        }
        finally
        {
            GradTape.Current.Clear();
        }
    }

    private static double Norm(double[] x) => Math.Sqrt(x.Sum(a => a * a));

    private static (double[] Hv, double[] G) HessianVectorProduct(ParameterStore store, Func<Tensor> loss, Tensor v, bool bf16)
    {
        using var scope = TensorScope.Begin();
        using var precision = bf16 ? MixedPrecision.Bf16() : null;
        var leaves = store.Parameters.Select(p => p.Value).ToArray();
        var gradients = GradTape.Current.Gradients(loss(), leaves);
        var g = gradients.SelectMany(t => t.ToDoubleArray()).ToArray();
        var inner = store.Parameters.Select((p, i) => Ops.SumAll(Ops.Mul(gradients[i], ParameterStore.ViewIn(v, p)))).Aggregate(Ops.Add);
        store.ZeroGrad();
        GradTape.Current.Backward(inner);
        return (store.Grad.ToDoubleArray(), g);
    }
}
