using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Engine;

public partial interface IBackend
{
    /// <summary>Normalises each row of x [R, D] over D; writes y and per-row mean and rstd ([R]).</summary>
    void LayerNormForward(Tensor x, Tensor? gamma, Tensor? beta, double eps, Tensor y, Tensor mean, Tensor rstd);

    /// <summary>dx (+)=; dgamma and dbeta are always accumulated (the caller zeroes fresh ones).</summary>
    void LayerNormBackward(Tensor x, Tensor dy, Tensor mean, Tensor rstd, Tensor? gamma, Tensor? dx, bool accumulateDx, Tensor? dgamma, Tensor? dbeta);
}

/// <summary>LayerNorm over the last dimension (PyTorch semantics).</summary>
public static partial class Ops
{
    public static Tensor LayerNorm(Tensor x, Tensor? gamma, Tensor? beta, double eps = 1e-5)
    {
        const string op = "LayerNorm";
        x.EnsureAlive(op);
        var d = x.Shape[^1];
        if ((gamma is not null && (gamma.Rank != 1 || gamma.Shape[0] != d)) || (beta is not null && (beta.Rank != 1 || beta.Shape[0] != d)))
        {
            throw new TensorOpException(op, $"affine parameters must be [{d}] for input {TensorOpException.Format(x.Shape)}", "give gamma and beta one value per feature of the last dimension");
        }
        if (gamma is not null)
        {
            CheckNormalizationParameter(op, x, gamma, "gamma");
        }
        if (beta is not null)
        {
            CheckNormalizationParameter(op, x, beta, "beta");
        }
        var xc = x.Contiguous();
        var rows = (int)(x.Numel / Math.Max(1, d));
        var y = Tensor.EmptyLike(xc);
        var statistics = NormalizationParameterType(x.DType);
        var mean = Tensor.Empty([rows], statistics, x.Device);
        var rstd = Tensor.Empty([rows], statistics, x.Device);
        x.Backend.LayerNormForward(xc.Reshape(rows, d), gamma?.Contiguous(), beta?.Contiguous(), eps, y.Reshape(rows, d), mean, rstd);
        return GradTape.ShouldRecord(x, gamma, beta) ? GradTape.Record(new LayerNormNode(xc.Reshape(rows, d), x, gamma, beta, eps, mean, rstd), y) : y;
    }

    private sealed class LayerNormNode(Tensor x2, Tensor x, Tensor? gamma, Tensor? beta, double eps, Tensor mean, Tensor rstd) : Node(Present(x, gamma, beta))
    {
        public override string Name => "LayerNorm";

        public override void Backward(Tensor g, GradSink grads)
        {
            var dy = g.Contiguous().Reshape(x2.Shape);
            Tensor? dx = null, dgamma = null, dbeta = null;
            var accX = false;
            if (GradSink.Needs(x))
            {
                dx = grads.Destination(x, out accX).Reshape(x2.Shape);
            }
            if (gamma is not null && GradSink.Needs(gamma))
            {
                dgamma = grads.Destination(gamma, out var acc);
                if (!acc)
                {
                    dgamma.Fill(0);
                }
            }
            if (beta is not null && GradSink.Needs(beta))
            {
                dbeta = grads.Destination(beta, out var acc);
                if (!acc)
                {
                    dbeta.Fill(0);
                }
            }
            x.Backend.LayerNormBackward(x2, dy, mean, rstd, gamma?.Contiguous(), dx, accX, dgamma, dbeta);
        }

        public override void BackwardWithGraph(Tensor g, GradSink grads) =>
            BackwardByComposition(g, grads, () => Cast(ComposedLayerNorm(Cast(x, NormalizationParameterType(x.DType)), gamma, beta, eps), x.DType));
    }
}
