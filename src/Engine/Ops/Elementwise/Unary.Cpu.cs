using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.InteropServices;
using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;

namespace NativeTrustRegion.Engine.Backends.Cpu;

public sealed partial class CpuBackend
{
    public void Unary(UnaryOp op, Tensor x, Tensor y)
    {
        if (x.DType == DType.BF16)
        {
            // contiguous x and y: widened (exact), the float32 function, y rounded to bf16 once
            var wy = BFloat16Widening.Scratch(y);
            UnaryForward<float>(op, BFloat16Widening.Widen(x), wy);
            BFloat16Widening.Narrow(wy, y);
            return;
        }
        DTypeDispatch.For(x.DType, UnaryForward<float>, UnaryForward<double>)(op, x, y);
    }

    public void UnaryBackward(UnaryOp op, Tensor x, Tensor y, Tensor dy, Tensor dx, bool accumulate)
    {
        if (x.DType == DType.BF16)
        {
            // the derivative from the stored (bf16) x and y, dx (accumulated in float32 when asked) rounded once
            var wdx = accumulate ? BFloat16Widening.Widen(dx) : BFloat16Widening.Scratch(dx);
            UnaryBackward<float>(op, BFloat16Widening.Widen(x), BFloat16Widening.Widen(y), BFloat16Widening.Widen(dy), wdx, accumulate);
            BFloat16Widening.Narrow(wdx, dx);
            return;
        }
        DTypeDispatch.For(x.DType, UnaryBackward<float>, UnaryBackward<double>)(op, x, y, dy, dx, accumulate);
    }

    public void Affine(Tensor x, double mul, double add, Tensor y)
    {
        DTypeDispatch.For(x.DType, Affine<float>, Affine<double>)(x, mul, add, y);
    }

    public void Clamp(Tensor x, double low, double high, Tensor y)
    {
        DTypeDispatch.For(x.DType, Clamp<float>, Clamp<double>)(x, low, high, y);
    }

    private static void UnaryForward<T>(UnaryOp op, Tensor x, Tensor y)
        where T : unmanaged, IFloatingPointIeee754<T> => ForBlocks<T>(x, y, (a, b) => Unary(op, a, b));

    private static void Affine<T>(Tensor x, double mul, double add, Tensor y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T m = T.CreateTruncating(mul), c = T.CreateTruncating(add);
        ForBlocks<T>(x, y, (a, b) =>
        {
            TensorPrimitives.Multiply(a, m, b);
            TensorPrimitives.Add(b, c, b);
        });
    }

    private static void Clamp<T>(Tensor x, double low, double high, Tensor y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T lo = T.CreateTruncating(low), hi = T.CreateTruncating(high);
        ForBlocks<T>(x, y, (a, b) => TensorPrimitives.Clamp(a, lo, hi, b));
    }

    public void ClampBackward(Tensor x, double low, double high, Tensor dy, Tensor dx, bool accumulate)
    {
        DTypeDispatch.For(x.DType, ClampBackward<float>, ClampBackward<double>)(x, low, high, dy, dx, accumulate);
    }

    private static void ClampBackward<T>(Tensor xt, double low, double high, Tensor dyt, Tensor dxt, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T lo = T.CreateTruncating(low), hi = T.CreateTruncating(high);
        CpuParallel.For((int)xt.Numel, 16384, (s, e) =>
        {
            var x = Data<T>(xt);
            var dy = Data<T>(dyt);
            var dx = Data<T>(dxt);
            for (var i = s; i < e; i++)
            {
                var pass = x[i] > lo && x[i] < hi ? dy[i] : T.Zero;
                dx[i] = accumulate ? dx[i] + pass : pass;
            }
        });
    }

    internal delegate void SpanAction<T>(ReadOnlySpan<T> x, Span<T> y);

    /// <summary>Applies a span function over contiguous x → y in parallel blocks.</summary>
    internal static void ForBlocks<T>(Tensor x, Tensor y, SpanAction<T> body)
        where T : unmanaged
    {
        var n = (int)x.Numel;
        var sx = (CpuStorage)x.Storage;
        var sy = (CpuStorage)y.Storage;
        int ox = (int)x.Offset, oy = (int)y.Offset;
        CpuParallel.For(n, 16384, (s, e) => body(sx.Span<T>().Slice(ox + s, e - s), sy.Span<T>().Slice(oy + s, e - s)));
    }

    private static void Unary<T>(UnaryOp op, ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (op)
        {
            case UnaryOp.Exp: TensorPrimitives.Exp(x, y); break;
            case UnaryOp.Log: TensorPrimitives.Log(x, y); break;
            case UnaryOp.Sqrt: TensorPrimitives.Sqrt(x, y); break;
            case UnaryOp.Square: TensorPrimitives.Multiply(x, x, y); break;
            case UnaryOp.Reciprocal: TensorPrimitives.Divide(T.One, x, y); break;
            case UnaryOp.Abs: TensorPrimitives.Abs(x, y); break;
            case UnaryOp.Relu: TensorPrimitives.Max(x, T.Zero, y); break;
            case UnaryOp.Sigmoid: TensorPrimitives.Sigmoid(x, y); break;
            case UnaryOp.Tanh: TensorPrimitives.Tanh(x, y); break;
            case UnaryOp.SiLU:
                // x·σ(x), vectorised: y may alias x, so σ goes to a scratch buffer first
                {
                    var rented = ArrayPool<T>.Shared.Rent(x.Length);
                    var sg = rented.AsSpan(0, x.Length);
                    TensorPrimitives.Sigmoid(x, sg);
                    TensorPrimitives.Multiply(x, sg, y);
                    ArrayPool<T>.Shared.Return(rented);
                }
                break;
            case UnaryOp.Mish:
                // x·tanh(softplus(x)) = x·n/(n + 2) with n = eˣ(eˣ + 2); for x > 20 it is x to float precision
                {
                    var rented = ArrayPool<T>.Shared.Rent(x.Length);
                    var ex = rented.AsSpan(0, x.Length);
                    TensorPrimitives.Min(x, T.CreateTruncating(20), ex);
                    TensorPrimitives.Exp<T>(ex, ex);
                    FixMish(x, ex, y);
                    ArrayPool<T>.Shared.Return(rented);
                }
                break;
            default:
                throw new NotSupportedException($"unary op {op}");
        }
    }

    /// <summary>y = x·n/(n + 2) with n = e(e + 2), e = exp(min(x, 20)); y = x where x > 20.</summary>
    private static void FixMish<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> e, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var two = T.CreateTruncating(2);
        var limit = T.CreateTruncating(20);
        for (var i = 0; i < x.Length; i++)
        {
            var v = x[i];
            var n = e[i] * (e[i] + two);
            y[i] = v > limit ? v : v * n / (n + two);
        }
    }

    /// <summary>Replaces e = exp(min(x, 20)) by Mish'(x) = tanh(sp) + x·sech²(sp)·σ(x).</summary>
    private static void MishDerivativeFromExp<T>(ReadOnlySpan<T> x, Span<T> e)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var two = T.CreateTruncating(2);
        var limit = T.CreateTruncating(20);
        for (var i = 0; i < x.Length; i++)
        {
            if (x[i] > limit)
            {
                e[i] = T.One;
                continue;
            }
            var ex = e[i];
            var n = ex * (ex + two);
            var tanhSp = n / (n + two);
            var sigmoid = ex / (T.One + ex);
            e[i] = tanhSp + x[i] * (T.One - tanhSp * tanhSp) * sigmoid;
        }
    }

    internal static T MishOf<T>(T v)
        where T : IFloatingPointIeee754<T>
    {
        if (v > T.CreateTruncating(20))
        {
            return v;
        }
        var e = T.Exp(v);
        var n = e * (e + T.CreateTruncating(2));
        return v * n / (n + T.CreateTruncating(2));
    }

    private static void UnaryBackward<T>(UnaryOp op, Tensor xt, Tensor yt, Tensor dyt, Tensor dxt, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var n = (int)xt.Numel;
        if (op is UnaryOp.SiLU or UnaryOp.Mish)
        {
            CpuParallel.For(n, 16384, (s, e) =>
            {
                var x = Data<T>(xt).Slice(s, e - s);
                var dy = Data<T>(dyt).Slice(s, e - s);
                var dx = Data<T>(dxt).Slice(s, e - s);
                var rented = ArrayPool<T>.Shared.Rent(x.Length);
                var d = rented.AsSpan(0, x.Length);
                {
                    if (op == UnaryOp.SiLU)
                    {
                        // σ(x)·(1 + x·(1 − σ(x))), times dy (plus dx) in the same pass for float
                        TensorPrimitives.Sigmoid(x, d);
                        if (typeof(T) == typeof(float) && Vector256.IsHardwareAccelerated)
                        {
                            SiLUBackwardFromSigmoid(MemoryMarshal.Cast<T, float>(x), MemoryMarshal.Cast<T, float>(d), MemoryMarshal.Cast<T, float>(dy),
                                MemoryMarshal.Cast<T, float>(dx), accumulate);
                            ArrayPool<T>.Shared.Return(rented);
                            return;
                        }
                        for (var i = 0; i < d.Length; i++)
                        {
                            d[i] = d[i] * (T.One + x[i] * (T.One - d[i]));
                        }
                    }
                    else
                    {
                        TensorPrimitives.Min(x, T.CreateTruncating(20), d);
                        TensorPrimitives.Exp<T>(d, d);
                        MishDerivativeFromExp(x, d);
                    }
                    if (accumulate)
                    {
                        TensorPrimitives.MultiplyAdd(dy, d, dx, dx);
                    }
                    else
                    {
                        TensorPrimitives.Multiply(dy, d, dx);
                    }
                }
                ArrayPool<T>.Shared.Return(rented);
            });
            return;
        }
        CpuParallel.For(n, 16384, (s, e) =>
        {
            var x = Data<T>(xt).Slice(s, e - s);
            var y = Data<T>(yt).Slice(s, e - s);
            var dy = Data<T>(dyt).Slice(s, e - s);
            var dx = Data<T>(dxt).Slice(s, e - s);
            var two = T.CreateTruncating(2);
            var half = T.CreateTruncating(0.5);
            for (var i = 0; i < x.Length; i++)
            {
                var v = x[i];
                var d = op switch
                {
                    UnaryOp.Exp => y[i],
                    UnaryOp.Log => T.One / v,
                    UnaryOp.Sqrt => half / y[i],
                    UnaryOp.Square => two * v,
                    UnaryOp.Reciprocal => -y[i] * y[i],
                    UnaryOp.Abs => v > T.Zero ? T.One : v < T.Zero ? -T.One : T.Zero,
                    UnaryOp.Relu => v > T.Zero ? T.One : T.Zero,
                    UnaryOp.Sigmoid => y[i] * (T.One - y[i]),
                    UnaryOp.Tanh => T.One - y[i] * y[i],
                    UnaryOp.SiLU => SiLUDerivative(v),
                    UnaryOp.Mish => MishDerivative(v),
                    _ => throw new NotSupportedException($"unary op {op}"),
                };
                dx[i] = accumulate ? dx[i] + dy[i] * d : dy[i] * d;
            }
        });
    }

    /// <summary>
    /// dx (+)= dy·σ·(1 + x·(1 − σ)) from σ = sigmoid(x), eight floats at a time: the operations and their order of the
    /// scalar formula in the same order (products and sums, no fused multiply-add).
    /// </summary>
    private static void SiLUBackwardFromSigmoid(ReadOnlySpan<float> x, ReadOnlySpan<float> sigmoid, ReadOnlySpan<float> dy, Span<float> dx, bool accumulate)
    {
        var n = x.Length;
        if (sigmoid.Length < n || dy.Length < n || dx.Length < n)
        {
            throw new ArgumentException("SiLU backward spans of different lengths");
        }
        ref var xr = ref MemoryMarshal.GetReference(x);
        ref var sr = ref MemoryMarshal.GetReference(sigmoid);
        ref var gr = ref MemoryMarshal.GetReference(dy);
        ref var dr = ref MemoryMarshal.GetReference(dx);
        var one = Vector256.Create(1f);
        var i = 0;
        for (; i + 8 <= n; i += 8)
        {
            var sg = Vector256.LoadUnsafe(ref sr, (nuint)i);
            var v = Vector256.LoadUnsafe(ref gr, (nuint)i) * (sg * (one + Vector256.LoadUnsafe(ref xr, (nuint)i) * (one - sg)));
            if (accumulate)
            {
                v = Vector256.LoadUnsafe(ref dr, (nuint)i) + v;
            }
            v.StoreUnsafe(ref dr, (nuint)i);
        }
        for (; i < n; i++)
        {
            var sg = Unsafe.Add(ref sr, i);
            var v = Unsafe.Add(ref gr, i) * (sg * (1f + Unsafe.Add(ref xr, i) * (1f - sg)));
            Unsafe.Add(ref dr, i) = accumulate ? Unsafe.Add(ref dr, i) + v : v;
        }
    }

    internal static T SiLUDerivative<T>(T v)
        where T : IFloatingPointIeee754<T>
    {
        var s = T.One / (T.One + T.Exp(-v));
        return s * (T.One + v * (T.One - s));
    }

    internal static T MishDerivative<T>(T v)
        where T : IFloatingPointIeee754<T>
    {
        if (v > T.CreateTruncating(20))
        {
            return T.One;
        }
        // d/dx x*tanh(sp(x)) = tanh(sp) + x * sech^2(sp) * sigmoid(x)
        var e = T.Exp(v);
        var n = e * (e + T.CreateTruncating(2));
        var tanhSp = n / (n + T.CreateTruncating(2));
        var sigmoid = e / (T.One + e);
        return tanhSp + v * (T.One - tanhSp * tanhSp) * sigmoid;
    }
}
