namespace NativeTrustRegion.Engine;

/// <summary>
/// Casts float32 ↔ bfloat16, forward (bit-exact on both devices: the same round-to-nearest-even formula) and backward
/// (the gradient cast back). Parity only: a rounding has no central-difference derivative (<see cref="OpCase.StraightThroughGradient"/>).
/// </summary>
internal sealed class CastCases : IOpCaseSource
{
    public IEnumerable<OpCase> Cases()
    {
        const string kernel = "Cast/Cast";
        var exact = (OpCase c) => c with { Checks = OpChecks.Parity, Tolerance = OpTolerance.Exact, StraightThroughGradient = true };
        yield return exact(OpCase.Autograd(kernel, "cast f32→bf16→f32 [4099]", t => Ops.Cast(Ops.Cast(t[0], DType.BF16), DType.F32), new([4099], 1400, 3)));
        yield return exact(OpCase.Autograd(kernel, "cast f32→bf16→f32 of a transposed view [37,29]ᵀ",
            t => Ops.Cast(Ops.Cast(t[0].Transpose(0, 1), DType.BF16), DType.F32), new([37, 29], 1401, 1e-3)));
        yield return exact(OpCase.Autograd(kernel, "cast f32→bf16→f32 of subnormal values [2048]", t => Ops.Cast(Ops.Cast(t[0], DType.BF16), DType.F32), new([2048], 1402, 1e-39)));
        yield return exact(OpCase.Autograd(kernel, "cast f32→bf16→f32 of values up to ~2e38 [2048]", t => Ops.Cast(Ops.Cast(t[0], DType.BF16), DType.F32), new([2048], 1403, 5e37)));
        // the way back from a bf16 product: cast and bias in one buffer (bias gradient: a sum, float32 on both devices)
        yield return OpCase.Autograd(kernel, "cast bf16→f32 with bias along axis 1 [6,40,9]",
            t => Ops.CastAddBias(Ops.Cast(t[0], DType.BF16), DType.F32, t[1], 1), new([6, 40, 9], 1404), new([40], 1405)) with
        {
            Checks = OpChecks.Parity,
            Tolerance = OpTolerance.Float32,
            StraightThroughGradient = true,
        };
        // the benchmark: mixed precision's per-step copy of image-paper's 37,447,171 float32 weights into bf16
        yield return OpCase.Autograd(kernel, "cast image-paper weights f32→bf16 [37447171]", t => Ops.Cast(t[0], DType.BF16), new([37447171], 1408)) with
        {
            Checks = OpChecks.Benchmark,
        };
        yield return OpCase.Autograd(kernel, "cast to the input's own dtype with bias along the last axis [3,4,5]", t => Ops.CastAddBias(t[0], t[0].DType, t[1], -1), new([3, 4, 5], 1406), new([5], 1407));
    }
}
