using NativeTrustRegion.Tests.Shared;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Randomness;
using NativeTrustRegion.Models.Diffusion;
using NativeTrustRegion.Models.Image;
using NativeTrustRegion.Models.Policy;
using Xunit.Abstractions;

namespace NativeTrustRegion.Models.Tests;

public class DiffusionTests(ITestOutputHelper output)
{
    private static readonly NoiseSchedule Schedule = NoiseSchedule.Linear();

    [Fact]
    public void LinearScheduleIsFloat32LinspaceAndAlphaBarIsTheProductOfOneMinusBeta()
    {
        Assert.Equal(1000, Schedule.TrainSteps);
        Assert.Equal(1e-4f, Schedule.Betas[0]);
        Assert.Equal(0.02f, Schedule.Betas[999]);
        var worstStored = 0.0;
        var worstExact = 0.0;
        double stored = 1, exact = 1;
        for (var t = 0; t < 1000; t++)
        {
            stored *= Schedule.Alphas[t];                      // the float32 alphas 1 − β, multiplied in double
            exact *= 1.0 - (1e-4 + t * (0.02 - 1e-4) / 999);   // the schedule in exact arithmetic
            Assert.Equal(1f - Schedule.Betas[t], Schedule.Alphas[t]);
            worstStored = Math.Max(worstStored, Math.Abs(Schedule.AlphaBars[t] / stored - 1));
            worstExact = Math.Max(worstExact, Math.Abs(Schedule.AlphaBars[t] / exact - 1));
        }
        output.WriteLine($"alpha-bar relative error: vs product of the float32 alphas {worstStored:G3}, vs exact linspace {worstExact:G3}; ᾱ_999 = {Schedule.AlphaBars[999]:G6}");
        Assert.True(worstStored < 1e-7, $"{worstStored}");
        Assert.True(worstExact < 1e-6, $"{worstExact}");
        Assert.Equal(4.0358e-5, Schedule.AlphaBars[999], 8);
        Assert.Equal(0.9999f, Schedule.AlphaBars[0]);
    }

    [Fact]
    public void DdimUsesLeadingSpacing()
    {
        var fifty = new DdimSampler(Schedule);
        Assert.Equal(50, fifty.Timesteps.Count);
        Assert.Equal(Enumerable.Range(0, 50).Select(k => 980 - 20 * k), fifty.Timesteps);
        Assert.Equal([950, 900, 850], new DdimSampler(Schedule, 20).Timesteps.Take(3));
        Assert.Equal(0, new DdimSampler(Schedule, 20).Timesteps[^1]);
    }

    [Fact]
    public void AddNoiseIsSqrtAlphaBarSignalPlusSqrtOneMinusAlphaBarNoise()
    {
        var g = new Generator(1);
        var x0 = Tensor.Randn([3, 2, 4], g);
        var noise = Tensor.Randn([3, 2, 4], g);
        int[] t = [0, 499, 999];
        var xt = Schedule.AddNoise(x0, noise, t).ToFloatArray();
        var a = x0.ToFloatArray();
        var e = noise.ToFloatArray();
        for (var i = 0; i < xt.Length; i++)
        {
            double ab = Schedule.AlphaBars[t[i / 8]];
            Assert.Equal(Math.Sqrt(ab) * a[i] + Math.Sqrt(1 - ab) * e[i], xt[i], 5);
        }
    }

    [Fact]
    public void DenoisingLossIsTheMeanSquaredErrorOfThePredictedNoiseForTheDraw()
    {
        var store = new ParameterStore(DType.F64);
        var model = new ImageUNet(store, TinyUNets.ThreeLevelImage with { Dropout = 0 });
        store.Allocate(1);
        var x0 = Tensor.Randn([4, 2, 8, 8], new Generator(2), DType.F64);
        var labels = Tensor.FromArray([0.0, 1.0, 2.0, 1.0], 4);
        var draw = NoiseDraw.Sample(Schedule, x0, new Generator(3));
        var again = NoiseDraw.Sample(Schedule, x0, new Generator(3));
        Assert.Equal(draw.Timesteps, again.Timesteps);
        Assert.Equal(draw.Noise.ToDoubleArray(), again.Noise.ToDoubleArray());
        Assert.All(draw.Timesteps, t => Assert.InRange(t, 0, 999));

        var loss = DenoisingLoss.Compute(model, Schedule, x0, labels, draw).Item();
        var predicted = model.PredictNoise(Schedule.AddNoise(x0, draw.Noise, draw.Timesteps),
            NoiseSchedule.TimestepTensor(draw.Timesteps, DType.F64, Device.Cpu), labels).ToDoubleArray();
        var target = draw.Noise.ToDoubleArray();
        var manual = predicted.Zip(target, (p, e) => (p - e) * (p - e)).Average();
        Assert.Equal(manual, loss, 12);
        Assert.InRange(loss, 0.1, 10);
    }

    [Fact]
    public void DdimWithTheExactNoiseOracleRecoversImages()
    {
        var g = new Generator(4);
        var x0 = Tensor.Rand([6, 3, 8, 8], g, -0.95, 0.95);
        var oracle = new NoiseOracle(Schedule, x0);
        var sampler = new DdimSampler(Schedule);
        var sample = sampler.Sample(oracle, null, 6, new Generator(5));
        var error = MaxAbsDifference(sample, x0);
        output.WriteLine($"DDIM-50 with the noise oracle, float32 images in [-0.95, 0.95]: max |x̂ − x₀| = {error:G3}, {oracle.Calls} oracle calls");
        Assert.Equal(50, oracle.Calls);
        Assert.True(error < 1e-4, $"max error {error}");
    }

    [Fact]
    public void DdimWithTheExactNoiseOracleRecoversActionChunksAndClipsToTheActionRange()
    {
        var g = new Generator(6);
        var actions = Tensor.Rand([5, 8, 4], g, -1, 1);
        var sample = new DdimSampler(Schedule, steps: 10).Sample(new NoiseOracle(Schedule, actions), null, 5, new Generator(7));
        var error = MaxAbsDifference(sample, actions);
        output.WriteLine($"DDIM-10 with the noise oracle, action chunks [5, 8, 4] in [-1, 1]: max error {error:G3}");
        Assert.True(error < 1e-4, $"max error {error}");

        // Targets outside [-1, 1] come back clipped: x̂₀ is clamped at every step and the last step returns it.
        var wide = Tensor.Rand([2, 8, 4], g, -3, 3);
        var clipped = new DdimSampler(Schedule, steps: 10).Sample(new NoiseOracle(Schedule, wide), null, 2, new Generator(8)).ToFloatArray();
        Assert.All(clipped, v => Assert.InRange(v, -1f, 1f));
        var expected = wide.ToFloatArray().Select(v => Math.Clamp(v, -1f, 1f)).ToArray();
        Assert.True(clipped.Zip(expected, (a, b) => Math.Abs(a - b)).Max() < 1e-3);
    }

    [Fact]
    public void DdimWithEtaZeroIsDeterministicForAFixedSeed()
    {
        var store = new ParameterStore();
        var model = new ImageUNet(store, TinyUNets.ThreeLevelImage);
        store.Allocate(11);
        var labels = Tensor.FromArray([0f, 1f, 2f], 3);
        var sampler = new DdimSampler(Schedule, steps: 10);
        model.Training = true;
        var a = sampler.Sample(model, labels, 3, new Generator(21)).ToFloatArray();
        var b = sampler.Sample(model, labels, 3, new Generator(21)).ToFloatArray();
        var c = sampler.Sample(model, labels, 3, new Generator(22)).ToFloatArray();
        Assert.True(model.Training, "the sampler restores the model's mode");
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.All(a, v => Assert.InRange(v, -1f, 1f));

        var policyStore = new ParameterStore();
        var policy = new PolicyUNet(policyStore, TinyUNets.Policy);
        policyStore.Allocate(12);
        var observations = Tensor.Randn([2, 2, 3], new Generator(13));
        var p1 = sampler.Sample(policy, observations, 2, new Generator(31)).ToFloatArray();
        var p2 = sampler.Sample(policy, observations, 2, new Generator(31)).ToFloatArray();
        Assert.Equal(p1, p2);
        Assert.Equal(2 * 4 * 2, p1.Length);
    }

    [Fact]
    public void DdimWithPositiveEtaNeedsAGeneratorAndStillRecoversWithTheOracle()
    {
        var x0 = Tensor.Rand([2, 1, 4, 4], new Generator(9), -0.5, 0.5);
        var sampler = new DdimSampler(Schedule, steps: 25, eta: 1.0);
        Assert.Throws<ArgumentNullException>(() => sampler.Sample(new NoiseOracle(Schedule, x0), null, Tensor.Randn([2, 1, 4, 4], new Generator(1))));
        var sample = sampler.Sample(new NoiseOracle(Schedule, x0), null, 2, new Generator(10));
        Assert.True(MaxAbsDifference(sample, x0) < 1e-4);
    }

    private static double MaxAbsDifference(Tensor a, Tensor b) =>
        a.ToDoubleArray().Zip(b.ToDoubleArray(), (u, v) => Math.Abs(u - v)).Max();
}
