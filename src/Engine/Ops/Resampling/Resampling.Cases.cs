namespace NativeTrustRegion.Engine;

/// <summary>Nearest 2x upsampling, 2x2 average pooling and bilinear resizing (up, down, odd ratios, to Inception's 299x299).</summary>
internal sealed class ResamplingCases : IOpCaseSource
{
    public IEnumerable<OpCase> Cases()
    {
        yield return OpCase.Autograd("Resampling/Resampling", "upsample nearest 2x [2,3,5,7]", t => Ops.UpsampleNearest2x(t[0]), new([2, 3, 5, 7], 114)) with { Tolerance = OpTolerance.Exact };
        yield return OpCase.Autograd("Resampling/Resampling", "avgpool 2x2 [2,3,6,8]", t => Ops.AvgPool2x2(t[0]), new([2, 3, 6, 8], 115)) with { Tolerance = OpTolerance.Exact };
        // bf16 storage, float32 math, one rounding (resampling inside the bf16 image UNet)
        yield return OpCase.Autograd("Resampling/Resampling", "upsample nearest 2x bf16 [2,8,5,7]", t => Ops.Cast(Ops.UpsampleNearest2x(Ops.Cast(t[0], DType.BF16)), DType.F32),
            new([2, 8, 5, 7], 1628)) with { Checks = OpChecks.Parity, Tolerance = OpTolerance.Bf16 };
        yield return OpCase.Autograd("Resampling/Resampling", "avgpool 2x2 bf16 [2,8,6,8]", t => Ops.Cast(Ops.AvgPool2x2(Ops.Cast(t[0], DType.BF16)), DType.F32),
            new([2, 8, 6, 8], 1629)) with { Checks = OpChecks.Parity, Tolerance = OpTolerance.Bf16 };
        // rows of whole CPU vectors (eight source columns) and a tail, at the image models' 8x8 and 16x16 sizes
        yield return OpCase.Autograd("Resampling/Resampling", "upsample nearest 2x [2,3,8,8] and [.,.,3,20]", t => Ops.Concat([Ops.UpsampleNearest2x(t[0]).Reshape(-1), Ops.UpsampleNearest2x(t[1]).Reshape(-1)], 0),
            new([2, 3, 8, 8], 1620), new([2, 3, 3, 20], 1621)) with { Checks = OpChecks.Parity, Tolerance = OpTolerance.Exact };
        yield return OpCase.Autograd("Resampling/Resampling", "avgpool 2x2 [2,3,16,16] and [.,.,4,40]", t => Ops.Concat([Ops.AvgPool2x2(t[0]).Reshape(-1), Ops.AvgPool2x2(t[1]).Reshape(-1)], 0),
            new([2, 3, 16, 16], 1622), new([2, 3, 4, 40], 1623)) with { Checks = OpChecks.Parity, Tolerance = OpTolerance.Exact };
        yield return OpCase.Autograd("Resampling/ResizeBilinear", "resize bilinear [2,3,16,16]→[37,29]", t => Ops.ResizeBilinear(t[0], 37, 29), new([2, 3, 16, 16], 126)) with { Checks = OpChecks.Parity };
        yield return OpCase.Autograd("Resampling/ResizeBilinear", "resize bilinear [2,3,32,32]→[299,299]", t => Ops.ResizeBilinear(t[0], 299, 299), new([2, 3, 32, 32], 127)) with { Checks = OpChecks.Parity };
        // the benchmark: image-paper's nearest 2x upsampling to 32x32 at training batch 128, and the FID Inception's input resize for 16 images
        yield return OpCase.Autograd("Resampling/Resampling", "upsample nearest 2x image-paper [128,256,16,16]", t => Ops.UpsampleNearest2x(t[0]), new([128, 256, 16, 16], 209))
            with { Checks = OpChecks.Benchmark };
        yield return OpCase.Autograd("Resampling/ResizeBilinear", "resize bilinear inception input [16,3,32,32]→[299,299]", t => Ops.ResizeBilinear(t[0], 299, 299), new([16, 3, 32, 32], 210))
            with { Checks = OpChecks.Benchmark };
        yield return OpCase.Autograd("Resampling/ResizeBilinear", "resize bilinear [1,2,20,24]→[7,9]", t => Ops.ResizeBilinear(t[0], 7, 9), new([1, 2, 20, 24], 128)) with { Checks = OpChecks.Parity };
        (int H, int W, int OutH, int OutW)[] small = [(4, 5, 7, 3), (3, 4, 10, 9), (9, 8, 2, 5), (1, 3, 4, 1)];
        foreach (var s in small)
        {
            yield return OpCase.Autograd("Resampling/ResizeBilinear", $"resize bilinear [2,2,{s.H},{s.W}]→[{s.OutH},{s.OutW}]", t => Ops.ResizeBilinear(t[0], s.OutH, s.OutW),
                new([2, 2, s.H, s.W], 2000 + (ulong)(s.H * 10 + s.W)));
        }
    }
}
