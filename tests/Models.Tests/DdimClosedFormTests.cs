using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Randomness;
using NativeTrustRegion.Models.Diffusion;

namespace NativeTrustRegion.Models.Tests;

/// <summary>
/// The DDIM transition checked against formulas written out here, not against an exact noise oracle (under which any
/// transition returns the data): one step with η = 0 as an Euler step of the probability-flow ODE in
/// (x/√ᾱ, √((1−ᾱ)/ᾱ)) coordinates, one step with η = 1 and unit stride as the DDPM posterior mean plus its standard
/// deviation times a fixed noise draw, the x̂₀ clipping, and a 50- and 1000-step trajectory on 1-D Gaussian data whose
/// exact ε-prediction is known in closed form. ᾱ is recomputed here in double precision from the linear β schedule.
/// </summary>
public sealed class DdimClosedFormTests
{
    private static readonly NoiseSchedule Schedule = NoiseSchedule.Linear();

    /// <summary>β_t = linspace(1e-4, 0.02, 1000) and ᾱ_t = ∏_{s≤t}(1 − β_s), in double.</summary>
    private static double Beta(int t) => 1e-4 + t * (0.02 - 1e-4) / 999;

    private static double AlphaBar(int t)
    {
        var product = 1.0;
        for (var s = 0; s <= t; s++)
        {
            product *= 1 - Beta(s);
        }
        return product;
    }

    /// <summary>σ-coordinate of the probability-flow ODE: √((1−ᾱ)/ᾱ); 0 "after" the last step (ᾱ = 1).</summary>
    private static double Sigma(double alphaBar) => Math.Sqrt((1 - alphaBar) / alphaBar);

    private static Tensor F64(params double[] values) => Tensor.FromArray(values, values.Length);

    private static void AssertClose(double[] expected, double[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])), $"[{i}] expected {expected[i]:R}, got {actual[i]:R}");
        }
    }

    [Theory]
    [InlineData(50, 980)]   // the first step of the paper's 50-step sampler: 980 → 960
    [InlineData(50, 500)]
    [InlineData(10, 300)]   // stride 100: 300 → 200
    public void EtaZeroStepIsAnEulerStepOfTheProbabilityFlowOde(int steps, int t)
    {
        var sampler = new DdimSampler(Schedule, steps, clipRange: 0);
        var previous = t - 1000 / steps;
        double[] x = [0.7, -1.3, 0.05, 2.2], eps = [0.4, -0.9, 1.6, -0.2];
        using var scope = TensorScope.Begin();
        var actual = sampler.Step(F64(eps), t, F64(x)).ToDoubleArray();
        // x_prev/√ᾱ_prev = x_t/√ᾱ_t + (σ_prev − σ_t)·ε̂  (Song et al., DDIM, eq. 14)
        double abT = AlphaBar(t), abPrev = AlphaBar(previous);
        var expected = x.Select((xi, i) => Math.Sqrt(abPrev) * (xi / Math.Sqrt(abT) + (Sigma(abPrev) - Sigma(abT)) * eps[i])).ToArray();
        AssertClose(expected, actual, 1e-5);
    }

    [Fact]
    public void EtaOneWithUnitStrideIsTheDdpmPosteriorWithAFixedNoiseDraw()
    {
        const int t = 400;
        var sampler = new DdimSampler(Schedule, steps: 1000, clipRange: 0, eta: 1.0);
        double[] x = [0.3, -0.8, 1.1], eps = [-0.5, 0.2, 0.9];
        using var scope = TensorScope.Begin();
        var actual = sampler.Step(F64(eps), t, F64(x), new Generator(77)).ToDoubleArray();
        var z = Tensor.Randn([3], new Generator(77), DType.F64, Device.Cpu).ToDoubleArray();
        // q(x_{t−1} | x_t, x̂₀) of DDPM (Ho et al., eqs. 6–7): mean √ᾱ_{t−1}β_t/(1−ᾱ_t)·x̂₀ + √α_t(1−ᾱ_{t−1})/(1−ᾱ_t)·x_t,
        // variance β̃_t = (1−ᾱ_{t−1})/(1−ᾱ_t)·β_t
        double abT = AlphaBar(t), abPrev = AlphaBar(t - 1), beta = Beta(t);
        var posteriorStd = Math.Sqrt((1 - abPrev) / (1 - abT) * beta);
        var expected = x.Select((xi, i) =>
        {
            var x0 = (xi - Math.Sqrt(1 - abT) * eps[i]) / Math.Sqrt(abT);
            var mean = Math.Sqrt(abPrev) * beta / (1 - abT) * x0 + Math.Sqrt(1 - beta) * (1 - abPrev) / (1 - abT) * xi;
            return mean + posteriorStd * z[i];
        }).ToArray();
        AssertClose(expected, actual, 1e-5);
        // the noise term matters: the deterministic step differs by exactly σ·z
        var deterministic = new DdimSampler(Schedule, steps: 1000, clipRange: 0).Step(F64(eps), t, F64(x)).ToDoubleArray();
        Assert.True(Math.Abs(actual[0] - deterministic[0]) > 1e-3);
    }

    [Fact]
    public void EtaHalfUsesTheDdimVarianceWithAStrideAndAFixedNoiseDraw()
    {
        const int t = 600, previous = 580;
        var sampler = new DdimSampler(Schedule, steps: 50, clipRange: 0, eta: 0.5);
        double[] x = [1.2, -0.4], eps = [0.3, 0.7];
        using var scope = TensorScope.Begin();
        var actual = sampler.Step(F64(eps), t, F64(x), new Generator(5)).ToDoubleArray();
        var z = Tensor.Randn([2], new Generator(5), DType.F64, Device.Cpu).ToDoubleArray();
        // σ = η·√((1−ᾱ_prev)/(1−ᾱ_t))·√(1 − ᾱ_t/ᾱ_prev) (DDIM eq. 16); x_prev = √ᾱ_prev·x̂₀ + √(1−ᾱ_prev−σ²)·ε̂ + σ·z (eq. 12)
        double abT = AlphaBar(t), abPrev = AlphaBar(previous);
        var sigma = 0.5 * Math.Sqrt((1 - abPrev) / (1 - abT)) * Math.Sqrt(1 - abT / abPrev);
        var expected = x.Select((xi, i) =>
            Math.Sqrt(abPrev) * (xi - Math.Sqrt(1 - abT) * eps[i]) / Math.Sqrt(abT) + Math.Sqrt(1 - abPrev - sigma * sigma) * eps[i] + sigma * z[i]).ToArray();
        AssertClose(expected, actual, 1e-5);
    }

    [Fact]
    public void ClippedStepUsesTheClippedCleanEstimateButTheUnclippedNoise()
    {
        const int t = 700, previous = 680;
        var sampler = new DdimSampler(Schedule, steps: 50, clipRange: 1.0);
        double[] x = [0.9, -0.95, 0.1], eps = [-1.5, 1.5, 0.1];
        using var scope = TensorScope.Begin();
        var actual = sampler.Step(F64(eps), t, F64(x)).ToDoubleArray();
        double abT = AlphaBar(t), abPrev = AlphaBar(previous);
        var expected = x.Select((xi, i) =>
        {
            var x0 = Math.Clamp((xi - Math.Sqrt(1 - abT) * eps[i]) / Math.Sqrt(abT), -1, 1);
            return Math.Sqrt(abPrev) * x0 + Math.Sqrt(1 - abPrev) * eps[i];
        }).ToArray();
        // the first two clean estimates lie outside [−1, 1] (so clipping is exercised), the third inside
        Assert.True(Math.Abs((x[0] - Math.Sqrt(1 - abT) * eps[0]) / Math.Sqrt(abT)) > 1);
        AssertClose(expected, actual, 1e-5);
        // the last step (ᾱ_prev = 1) returns the clipped clean estimate itself
        var last = sampler.Step(F64(eps), 0, F64(x)).ToDoubleArray();
        var ab0 = AlphaBar(0);
        AssertClose(x.Select((xi, i) => Math.Clamp((xi - Math.Sqrt(1 - ab0) * eps[i]) / Math.Sqrt(ab0), -1, 1)).ToArray(), last, 1e-5);
    }

    /// <summary>1-D data x₀ ~ N(μ, s²): x_t ~ N(√ᾱ·μ, ᾱs² + 1 − ᾱ) and E[ε | x_t] = √(1−ᾱ)·(x_t − √ᾱ·μ)/(ᾱs² + 1 − ᾱ).</summary>
    private sealed class GaussianDataDenoiser(NoiseSchedule schedule, double mu, double s) : IDenoiser
    {
        public string Name => "exact ε of 1-D Gaussian data";

        public ParameterStore Parameters { get; } = new(DType.F64);

        public IReadOnlyList<int> SampleShape { get; } = [1];

        public IReadOnlyList<int>? ConditionShape => null;

        public IReadOnlyList<ParameterBlock> Blocks => [];

        public bool Training { get; set; }

        public Generator DropoutGenerator { get; set; } = new(0);

        public Tensor PredictNoise(Tensor xt, Tensor timesteps, Tensor? condition)
        {
            var t = timesteps.ToDoubleArray();
            var x = xt.ToDoubleArray();
            var eps = x.Select((xi, i) =>
            {
                double ab = schedule.AlphaBar((int)t[i]);
                return Math.Sqrt(1 - ab) * (xi - Math.Sqrt(ab) * mu) / (ab * s * s + 1 - ab);
            }).ToArray();
            return Tensor.FromSpan((ReadOnlySpan<double>)eps, xt.Shape, xt.DType, xt.Device);
        }
    }

    private const double Mu = 0.3, S = 0.2;

    private static readonly double[] InitialNoise = [-1.7, -0.4, 0.0, 0.9, 2.1];

    private static double[] Sample(int steps)
    {
        using var scope = TensorScope.Begin();
        return new DdimSampler(Schedule, steps, clipRange: 0)
            .Sample(new GaussianDataDenoiser(Schedule, Mu, S), null, Tensor.FromArray((double[])InitialNoise.Clone(), InitialNoise.Length, 1)).ToDoubleArray();
    }

    [Theory]
    [InlineData(50)]
    [InlineData(1000)]
    public void TrajectoryOnGaussianDataMatchesAnIndependentRecursion(int steps)
    {
        var actual = Sample(steps);
        // the recursion in x̄ = x/√ᾱ, σ = √((1−ᾱ)/ᾱ): there ε̂ = σ·(x̄ − μ)/(s² + σ²) and each step is x̄ += (σ_prev − σ)·ε̂
        var stride = 1000 / steps;
        var bar = InitialNoise.Select(x => x / Math.Sqrt(AlphaBar((steps - 1) * stride))).ToArray();
        for (var k = steps - 1; k >= 0; k--)
        {
            var sigma = Sigma(AlphaBar(k * stride));
            var sigmaPrev = k == 0 ? 0 : Sigma(AlphaBar((k - 1) * stride));
            for (var i = 0; i < bar.Length; i++)
            {
                bar[i] += (sigmaPrev - sigma) * sigma * (bar[i] - Mu) / (S * S + sigma * sigma);
            }
        }
        AssertClose(bar, actual, 1e-4);
    }

    [Fact]
    public void TrajectoryOnGaussianDataConvergesToTheExactProbabilityFlowMapAtFirstOrder()
    {
        // the exact probability-flow map of Gaussian data (x̄ − μ ∝ √(s² + σ²)): x₀ = μ + s·(x̄_T − μ)/√(s² + σ_T²)
        double Error(int steps)
        {
            var abT = AlphaBar((steps - 1) * (1000 / steps));
            var sigmaT = Sigma(abT);
            var exact = InitialNoise.Select(x => Mu + S * (x / Math.Sqrt(abT) - Mu) / Math.Sqrt(S * S + sigmaT * sigmaT)).ToArray();
            return exact.Zip(Sample(steps), (e, a) => Math.Abs(e - a)).Max();
        }
        double coarse = Error(50), fine = Error(1000);
        // DDIM is a first-order solver: 20× more steps shrink the error at least 10×, to under 5% of the data's std
        Assert.True(fine < coarse / 10, $"50 steps: {coarse:G3}, 1000 steps: {fine:G3}");
        Assert.True(fine < 0.05 * S, $"1000 steps: max |x₀ − exact| = {fine:G3}");
    }
}
