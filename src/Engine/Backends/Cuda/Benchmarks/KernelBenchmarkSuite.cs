using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Engine.Backends.Cuda.Benchmarks;

/// <summary>
/// The custom kernels timed with CUDA events on the paper's shapes (image UNet at batch 128, policy net FiLM,
/// the fused Fisher + Adam over 39.8M parameters), each against the fewest bytes it must move (inputs read once,
/// outputs written once) or the flops it must do. Inputs are random (never zeros). Ceilings are measured too:
/// a device-to-device copy (bandwidth) and large cuBLAS TF32 and BF16 GEMMs (tensor-core rates); bf16 mixed precision's
/// weight cast and a bf16 convolution at image-paper's shape.
/// </summary>
public sealed class KernelBenchmarkSuite(CudaBackend gpu, int warmup, int repeats)
{
    private const int FisherParameters = 39_800_000;

    public IEnumerable<KernelBenchmarkResult> Run()
    {
        using var timer = new CudaEventTimer(gpu);
        var d = gpu.Device;
        Tensor R(params int[] shape) => Tensor.Randn(shape, new Generator(17), device: d);
        double Time(Action body) => timer.MedianMilliseconds(body, warmup, repeats);

        // ceilings
        {
            var a = R(256 << 20);  // 1 GiB of float32
            var b = Tensor.EmptyLike(a);
            yield return new("copy (ceiling)", "1 GiB d2d", Time(() => gpu.Copy(a, b)), 2.0 * a.Numel * 4, 0);
            var x = R(4096, 4096);
            var w = R(4096, 4096);
            var y = Tensor.EmptyLike(x);
            yield return new("gemm TF32 (ceiling)", "4096^3", Time(() => gpu.Gemm(false, false, 4096, 4096, 4096, 1, x, 0, w, 0, 0, y, 0, 1)), 3.0 * x.Numel * 4, 2.0 * 4096 * 4096 * 4096);
            // the rate --precision bf16 multiplies at: bf16 operands and output, float32 accumulation
            var xb = Ops.Cast(x, DType.BF16);
            var wb = Ops.Cast(w, DType.BF16);
            var yb = Tensor.EmptyLike(xb);
            yield return new("gemm BF16 (ceiling)", "4096^3", Time(() => gpu.Gemm(false, false, 4096, 4096, 4096, 1, xb, 0, wb, 0, 0, yb, 0, 1)), 3.0 * x.Numel * 2, 2.0 * 4096 * 4096 * 4096);
        }

        // bf16 mixed precision's extra traffic: the cast of image-paper's 37.4M weights (read 4 bytes, write 2) each step
        {
            var weights = R(37_447_171);
            var shadow = Tensor.Empty(weights.Shape, DType.BF16, d);
            yield return new("cast f32→bf16", "37.4M", Time(() => gpu.Cast(weights, shadow)), 6.0 * weights.Numel, 0);
        }

        // image-paper's busiest convolution at batch 128 in bf16 (cuDNN BFLOAT16 tensors, FLOAT compute)
        {
            var x = Ops.Cast(R(128, 256, 16, 16), DType.BF16);
            var w = Ops.Cast(Ops.Affine(R(256, 256, 3, 3), 0.02, 0), DType.BF16);
            var g = new ConvGeometry(128, 256, 16, 16, 256, 3, 3, 1, 1, 1, 1);
            var y = Tensor.Empty([128, 256, 16, 16], DType.BF16, d);
            var flops = 2.0 * 128 * 256 * 16 * 16 * 256 * 9;
            yield return new("conv2d 3x3 forward BF16", "[128,256,16,16]→256", Time(() => gpu.Conv2dForward(x, w, null, y, g)), 2.0 * (2 * x.Numel + w.Numel), flops);
        }

        foreach (var shape in new[] { new[] { 128, 256, 16, 16 }, new[] { 128, 128, 32, 32 } })
        {
            var label = $"[{string.Join(",", shape)}] G32";
            var x = R(shape);
            var dy = R(shape);
            var y = Tensor.EmptyLike(x);
            var dx = Tensor.EmptyLike(x);
            var c = shape[1];
            var gamma = R(c);
            var beta = R(c);
            var dgamma = Tensor.Zeros([c], device: d);
            var dbeta = Tensor.Zeros([c], device: d);
            var scale = R(shape[0], c);
            var shift = R(shape[0], c);
            var dscale = Tensor.Zeros([shape[0], c], device: d);
            var dshift = Tensor.Zeros([shape[0], c], device: d);
            var mean = Tensor.Empty([shape[0] * 32], device: d);
            var rstd = Tensor.Empty([shape[0] * 32], device: d);
            double bytes = x.Numel * 4;
            yield return new("groupnorm forward", label, Time(() => gpu.GroupNormForward(x, gamma, beta, 32, 1e-5, y, mean, rstd)), 2 * bytes, 0);
            yield return new("groupnorm backward", label, Time(() => gpu.GroupNormBackward(x, dy, mean, rstd, gamma, 32, dx, false, dgamma, dbeta, true)), 3 * bytes, 0);
            yield return new("groupnorm+film+silu forward", label, Time(() => gpu.GroupNormSiLUForward(x, gamma, beta, scale, shift, 32, 1e-5, y, mean, rstd)), 2 * bytes, 0);
            yield return new("groupnorm+film+silu backward", label, Time(() => gpu.GroupNormSiLUBackward(x, dy, mean, rstd, gamma, beta, scale, shift, 32, dx, false, dgamma, dbeta, dscale, dshift)), 3 * bytes, 0);
            yield return new("silu forward", label, Time(() => gpu.Unary(UnaryOp.SiLU, x, y)), 2 * bytes, 0);
            yield return new("add (same shape)", label, Time(() => gpu.Binary(BinaryOp.Add, x, dy, y)), 3 * bytes, 0);
            var half = R(shape[0], c, shape[2] / 2, shape[3] / 2);
            yield return new("upsample 2x forward", label, Time(() => gpu.UpsampleNearest2xForward(half, y)), 1.25 * bytes, 0);
        }

        foreach (var tokens in new[] { 64, 256 })
        {
            int b = 128, h = 32, dim = 8;
            var q = R(b, h, tokens, dim);
            var k = R(b, h, tokens, dim);
            var v = R(b, h, tokens, dim);
            var o = Tensor.EmptyLike(q);
            var lse = Tensor.Empty([b, h, tokens], device: d);
            var dO = R(b, h, tokens, dim);
            var dq = Tensor.EmptyLike(q);
            var dk = Tensor.EmptyLike(q);
            var dv = Tensor.EmptyLike(q);
            var flops = 4.0 * b * h * tokens * tokens * dim;
            var label = $"B{b} H{h} N{tokens} d{dim}";
            var scale = 1 / Math.Sqrt(dim);
            yield return new("attention forward", label, Time(() => gpu.AttentionForward(q, k, v, scale, o, lse)), 4.0 * q.Numel * 4, flops);
            gpu.AttentionForward(q, k, v, scale, o, lse);
            yield return new("attention backward", label, Time(() => gpu.AttentionBackward(q, k, v, o, lse, dO, scale, dq, false, dk, false, dv, false)), 8.0 * q.Numel * 4, 2.5 * flops);
        }

        {
            var x = R(256, 1024, 2);
            var s = R(256, 1024);
            var bb = R(256, 1024);
            var y = Tensor.EmptyLike(x);
            var dx = Tensor.EmptyLike(x);
            var ds = Tensor.EmptyLike(s);
            var db = Tensor.EmptyLike(s);
            double bytes = x.Numel * 4;
            yield return new("film forward", "[256,1024,2]", Time(() => gpu.FiLMForward(x, s, bb, y)), 3 * bytes, 0);
            yield return new("film backward", "[256,1024,2]", Time(() => gpu.FiLMBackward(x, s, x, dx, false, ds, false, db, false)), 3 * bytes + 3 * s.Numel * 4, 0);
        }

        {
            const int p = FisherParameters;
            var param = R(p);
            var grad = Ops.Affine(R(p), 1e-3, 0);
            var m = Tensor.Zeros([p], device: d);
            var v = Tensor.Zeros([p], device: d);
            var step = new AdamStep(1e-4, 0.9, 0.999, 1e-8, 0, 1);
            yield return new("adam", "39.8M", Time(() => gpu.AdamUpdate(param, grad, m, v, step)), 28.0 * p, 0);
            var mse = Tensor.Empty([], device: d);
            yield return new("mse forward", "39.8M", Time(() => gpu.MseForward(param, grad, mse)), 8.0 * p, 0);
            foreach (var k in new[] { 1, 3, 5, 9 })
            {
                var dirs = Ops.Affine(R(k, p), 1 / Math.Sqrt(p), 0);
                var rho = Enumerable.Repeat(1.0, k).ToArray();
                var anchors = new double[k];
                // pass 1 reads θ and k directions; pass 2 reads θ, g, m, v and k directions and writes θ, g, m, v
                var bytes = (36.0 + 8.0 * k) * p;
                yield return new($"fused rank-1 Fisher + Adam k={k}", "39.8M", Time(() => gpu.Rank1FisherAdam(param, grad, m, v, dirs, rho, anchors, 1e-3, step)), bytes, 0);
            }
        }
    }
}
