using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Randomness;
using NativeTrustRegion.Models.Layers;

namespace NativeTrustRegion.Models.Tests;

/// <summary>
/// ResnetBlock2D under bf16 mixed precision (every activation bf16: GroupNorm, SiLU, resampling, the convolutions with
/// their bias, the time-embedding add and the residual add; float32 statistics and parameters) against the same block
/// in float32, with and without
/// resampling: output, input gradient and parameter gradients within bf16 tolerance. The bound: a chain of about ten
/// bf16 roundings (2⁻⁸ relative each) through two normalisations, 2e-2 of the largest value (measured with every activation bf16: at most 8.0e-3, the parameter gradients of the Down block).
/// </summary>
public class ResnetBlock2DBf16Tests
{
    private const double Tolerance = 2e-2;

    private static double RelativeError(float[] reference, float[] actual) =>
        reference.Zip(actual).Max(p => Math.Abs(p.First - p.Second)) / reference.Max(Math.Abs);

    [Theory]
    [InlineData(ResnetResampling.None, 8)]
    [InlineData(ResnetResampling.Down, 12)]
    [InlineData(ResnetResampling.Up, 8)]
    public void Bf16BlockTracksTheFloat32Block(ResnetResampling resampling, int outChannels)
    {
        var store = new ParameterStore();
        var block = new ResnetBlock2D(store, "block", 8, outChannels, 16, 4, 1e-5, 0.0, resampling);
        store.Allocate(11);
        var x = Tensor.Randn([2, 8, 6, 6], new Generator(12));
        var temb = Tensor.Randn([2, 16], new Generator(13));
        var dy = Tensor.Randn(block.Forward(x, temb, null).Shape, new Generator(14));

        (float[] Y, float[] Dx, float[] DParams) Run(bool bf16)
        {
            store.Grad.Fill(0);
            var xi = x.Detach();
            xi.RequiresGrad = true;
            Tensor y;
            using (bf16 ? MixedPrecision.Bf16() : null)
            {
                y = block.Forward(xi, temb, null);
                // under bf16 the block gives bf16 (its whole activation stream is bf16); the comparison is in float32
                Assert.Equal(bf16 ? DType.BF16 : DType.F32, y.DType);
                y = Ops.Cast(y, DType.F32);
            }
            GradTape.Current.Backward(y, dy);
            return (y.ToFloatArray(), xi.Grad!.ToFloatArray(), store.Grad.ToFloatArray());
        }

        var fp32 = Run(false);
        var bf16 = Run(true);
        var errors = new[] { RelativeError(fp32.Y, bf16.Y), RelativeError(fp32.Dx, bf16.Dx), RelativeError(fp32.DParams, bf16.DParams) };
        Assert.True(errors.All(e => e <= Tolerance), $"bf16 vs fp32: y {errors[0]:E2}, dx {errors[1]:E2}, dparams {errors[2]:E2} (> {Tolerance})");
        Assert.True(errors[0] > 1e-5, $"bf16 output equals the float32 one to {errors[0]:E2}: the bf16 path did not run");
    }
}
