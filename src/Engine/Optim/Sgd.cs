namespace NativeTrustRegion.Engine.Optim;

/// <summary>Plain SGD on flat vectors: p ← p − lr·g (the inner step of the meta-learning baselines).</summary>
public static class Sgd
{
    public static void Step(Tensor parameters, Tensor gradient, double learningRate) =>
        VectorOps.Axpy(-learningRate, gradient, parameters);
}
