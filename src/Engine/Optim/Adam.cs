using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Engine.Optim;

/// <summary>
/// Adam over a flat parameter vector: moments m and v are flat buffers of the same layout, so one kernel launch
/// updates every parameter. Defaults follow PyTorch (betas 0.9/0.999, eps 1e-8).
/// </summary>
public sealed class Adam
{
    public Adam(ParameterStore store, double learningRate, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8, double weightDecay = 0)
    {
        Store = store;
        LearningRate = learningRate;
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        WeightDecay = weightDecay;
        M = store.NewFlat();
        V = store.NewFlat();
    }

    public ParameterStore Store { get; }

    public double LearningRate { get; set; }

    public double Beta1 { get; }

    public double Beta2 { get; }

    public double Epsilon { get; }

    public double WeightDecay { get; }

    /// <summary>First moment (flat, parameter layout).</summary>
    public Tensor M { get; }

    /// <summary>Second moment (flat, parameter layout).</summary>
    public Tensor V { get; }

    /// <summary>Number of steps taken (the t of the bias corrections).</summary>
    public long StepCount { get; set; }

    public AdamStep NextStep() => new(LearningRate, Beta1, Beta2, Epsilon, WeightDecay, StepCount + 1);

    /// <summary>Applies the gradient currently in the store's flat gradient buffer.</summary>
    public void Step() => Step(Store.Grad);

    /// <summary>Applies <paramref name="grad"/> (a flat vector of the store's layout) to the bound parameters.</summary>
    public void Step(Tensor grad)
    {
        var step = NextStep();
        using var profiled = Autograd.OpProfiler.Measure("Adam update");
        Store.Data.Backend.AdamUpdate(Store.Data, grad, M, V, step);
        StepCount++;
    }

    /// <summary>Forgets the moments and the step count (the authors re-create Adam at every task).</summary>
    public void Reset()
    {
        M.Fill(0);
        V.Fill(0);
        StepCount = 0;
    }
}
