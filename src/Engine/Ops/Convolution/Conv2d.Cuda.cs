namespace NativeTrustRegion.Engine.Backends.Cuda;

public sealed partial class CudaBackend
{
    private readonly Dictionary<(ConvGeometry, DType, bool, bool), ConvolutionPlan> _convolutionPlans = new();

    private ConvolutionPlan Plan(ConvGeometry g, DType dtype)
    {
        var key = (g, dtype, Tf32, DeterministicConvolutions);
        if (!_convolutionPlans.TryGetValue(key, out var plan))
        {
            _ = CudnnHandle;
            plan = new ConvolutionPlan(g, dtype, Tf32, DeterministicConvolutions);
            _convolutionPlans[key] = plan;
        }
        return plan;
    }

    public void Conv2dForward(Tensor x, Tensor w, Tensor? bias, Tensor y, ConvGeometry g)
    {
        Context.MakeCurrent();
        Plan(g, x.DType).Forward(CudnnHandle, this, Ptr(x), Ptr(w), Ptr(y), 0);
        if (bias is not null)
        {
            // y += bias[k] broadcast over n, p, q
            var b = new Tensor(bias.Storage, y.Shape, [0, bias.Strides[0], 0, 0], bias.Offset);
            Binary(BinaryOp.Add, y, b, y);
        }
    }

    public void Conv2dBackwardData(Tensor dy, Tensor w, Tensor dx, ConvGeometry g, bool accumulate)
    {
        Context.MakeCurrent();
        Plan(g, dy.DType).BackwardData(CudnnHandle, this, Ptr(dy), Ptr(w), Ptr(dx), accumulate ? 1 : 0);
    }

    public void Conv2dBackwardFilter(Tensor x, Tensor dy, Tensor dw, ConvGeometry g, bool accumulate)
    {
        Context.MakeCurrent();
        Plan(g, x.DType).BackwardFilter(CudnnHandle, this, Ptr(x), Ptr(dy), Ptr(dw), accumulate ? 1 : 0);
    }
}
