using System.Numerics;
using System.Numerics.Tensors;

namespace NativeTrustRegion.Engine.Backends.Cpu;

public sealed partial class CpuBackend
{
    public void Unary(UnaryOp op, Tensor x, Tensor y)
    {
        if (x.DType == DType.F32)
        {
            ForBlocks<float>(x, y, (a, b) => Unary(op, a, b));
        }
        else
        {
            ForBlocks<double>(x, y, (a, b) => Unary(op, a, b));
        }
    }

    public void UnaryBackward(UnaryOp op, Tensor x, Tensor y, Tensor dy, Tensor dx, bool accumulate)
    {
        if (x.DType == DType.F32)
        {
            UnaryBackward<float>(op, x, y, dy, dx, accumulate);
        }
        else
        {
            UnaryBackward<double>(op, x, y, dy, dx, accumulate);
        }
    }

    public void Affine(Tensor x, double mul, double add, Tensor y)
    {
        if (x.DType == DType.F32)
        {
            ForBlocks<float>(x, y, (a, b) =>
            {
                TensorPrimitives.Multiply(a, (float)mul, b);
                TensorPrimitives.Add(b, (float)add, b);
            });
        }
        else
        {
            ForBlocks<double>(x, y, (a, b) =>
            {
                TensorPrimitives.Multiply(a, mul, b);
                TensorPrimitives.Add(b, add, b);
            });
        }
    }

    public void Clamp(Tensor x, double low, double high, Tensor y)
    {
        if (x.DType == DType.F32)
        {
            ForBlocks<float>(x, y, (a, b) => TensorPrimitives.Clamp(a, (float)low, (float)high, b));
        }
        else
        {
            ForBlocks<double>(x, y, (a, b) => TensorPrimitives.Clamp(a, low, high, b));
        }
    }

    public void ClampBackward(Tensor x, double low, double high, Tensor dy, Tensor dx, bool accumulate)
    {
        if (x.DType == DType.F32)
        {
            ClampBackward<float>(x, low, high, dy, dx, accumulate);
        }
        else
        {
            ClampBackward<double>(x, low, high, dy, dx, accumulate);
        }
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
                for (var i = 0; i < x.Length; i++)
                {
                    var v = x[i];
                    y[i] = v / (T.One + T.Exp(-v));
                }
                break;
            case UnaryOp.Mish:
                for (var i = 0; i < x.Length; i++)
                {
                    y[i] = MishOf(x[i]);
                }
                break;
            default:
                throw new NotSupportedException($"unary op {op}");
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
