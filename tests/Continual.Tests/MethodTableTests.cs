using System.Reflection;
using NativeTrustRegion.Continual.Methods;
using NativeTrustRegion.Continual.Training;

namespace NativeTrustRegion.Continual.Tests;

/// <summary>
/// The method table against the code: every method class has a row, ids and display names are unique, the paper's six
/// are in Table 1's order, and each row's list of hyperparameters is what the method really reads — changing any
/// other property leaves a two-task run bit-identical, changing a listed one changes it.
/// </summary>
public class MethodTableTests
{
    [Fact]
    public void EveryMethodClassHasARowAndEveryRowCreatesItsId()
    {
        var classes = typeof(IContinualMethod).Assembly.GetTypes()
            .Where(t => typeof(IContinualMethod).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .ToHashSet();
        Assert.True(classes.Count >= 10, $"expected the method classes of the Continual assembly, found {classes.Count}");
        var created = MethodTable.Methods.Select(m => (m.Id, Method: m.Create())).ToList();
        foreach (var (id, method) in created)
        {
            Assert.Equal(id, method.Id);
        }
        var missing = classes.Except(created.Select(c => c.Method.GetType())).Select(t => t.Name).ToList();
        Assert.True(missing.Count == 0, $"method classes without a row in MethodTable: {string.Join(", ", missing)}");
    }

    [Fact]
    public void IdsAndDisplayNamesAreUnique()
    {
        Assert.Equal(MethodTable.Methods.Count, MethodTable.Methods.Select(m => m.Id).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(MethodTable.Methods.Count, MethodTable.Methods.Select(m => m.DisplayName).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Equal(MethodTable.Methods.Select(m => m.Id), MethodTable.All);
    }

    [Fact]
    public void PaperMethodsAreTableOnesSixInItsOrder()
    {
        Assert.Equal(["finetune", "ewc", "replay", "ftml", "vrmcl", "trust-region"], MethodTable.PaperMethods);
        Assert.Equal(["Finetuning", "EWC (rank-1)", "Replay", "FTML", "VRMCL", "Trust Region"], MethodTable.PaperMethods.Select(MethodTable.DisplayName));
    }

    [Fact]
    public void LookupNamesTheKnownMethodsForAnUnknownId()
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => MethodTable.Get("trust_region"));
        Assert.Contains("unknown method 'trust_region'", e.Message);
        Assert.Contains("trust-region", e.Message);
        Assert.Equal("Trust Region", MethodTable.DisplayName("trust-region"));
        Assert.Equal("some-old-method", MethodTable.DisplayName("some-old-method"));
    }

    [Fact]
    public void ListedHyperparametersArePropertiesOfTheRecord()
    {
        var names = typeof(Hyperparameters).GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name).ToHashSet();
        foreach (var m in MethodTable.Methods)
        {
            Assert.NotEmpty(m.Hyperparameters);
            Assert.Equal(m.Hyperparameters.Count, m.Hyperparameters.Distinct().Count());
            Assert.All(m.Hyperparameters, h => Assert.True(names.Contains(h), $"{m.Id} lists '{h}', which is not a property of Hyperparameters"));
        }
    }

    public static IEnumerable<object[]> Ids() => MethodTable.All.Select(id => new object[] { id });

    /// <summary>The test's settings: small, and with every knob where a change shows (clipping and clamping active).</summary>
    private static Hyperparameters Reference => new()
    {
        BatchSize = 6,
        LearningRate = 1e-2,
        // two decayed updates of three: the third step's rate is halved
        LearningRateDecayFraction = 0.5,
        GradientClip = 0.05,
        EwcLambda = 50,
        FisherSamples = 8,
        ReplayPoolPerTask = 8,
        ReplayDdimSteps = 3,
        ReplayGenerationBatch = 3,
        ReplayRatio = 0.5,
        DistillationWeight = 0.7,
        InnerLearningRate = 1e-2,
        LearningRateLearningRate = 1e-2,
        MerInnerLearningRate = 1e-2,
        LaMamlInitialLearningRate = 1e-2,
        LaMamlGradientClamp = 1e-3,
        CMamlOuterLearningRate = 1e-2,
    };

    private static readonly PropertyInfo[] Knobs = typeof(Hyperparameters).GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanWrite).ToArray();

    /// <summary>Values no method could read without its run changing or failing: NaN, −1, the flipped flag.</summary>
    private static object Invalid(PropertyInfo p, object value) => value switch
    {
        double => double.NaN,
        int => -1,
        bool b => !b,
        Enum e => Enum.ToObject(e.GetType(), 999),
        _ => throw new NotSupportedException(p.Name),
    };

    /// <summary>A valid value different from the reference's.</summary>
    private static object Different(PropertyInfo p, object value) => value switch
    {
        double d => d == 0 ? 1e-4 : d * 0.3,
        int i => 2 * i + 1,
        bool b => !b,
        Enum e => Enum.GetValues(e.GetType()).Cast<object>().First(v => !v.Equals(e)),
        _ => throw new NotSupportedException(p.Name),
    };

    private static Hyperparameters With(Hyperparameters h, IEnumerable<PropertyInfo> knobs, Func<PropertyInfo, object, object> change)
    {
        // records are immutable through init accessors; reflection sets them on a clone
        var copy = h with { };
        foreach (var p in knobs)
        {
            p.SetValue(copy, change(p, p.GetValue(h)!));
        }
        return copy;
    }

    /// <summary>Losses of every step, the final weights and the method's saved state after a two-task run of three steps per task.</summary>
    private static string[] Run(string id, Hyperparameters hyper)
    {
        var harness = new MethodHarness(hyper);
        var method = MethodTable.Create(id);
        var trace = new List<string>();
        for (var task = 0; task < harness.Stream.Count; task++)
        {
            method.BeginTask(harness.Context, task);
            for (var s = 1; s <= 3; s++)
            {
                // as the experiment runner does before every update
                harness.Context.Optimizer.LearningRate = LearningRateSchedule.At(hyper, s, 3);
                trace.Add(Exact(method.Step(harness.Context, task, s).Loss));
            }
            method.EndTask(harness.Context, task);
        }
        trace.AddRange(harness.Context.Parameters.Data.ToDoubleArray().Select(Exact));
        // the checkpointed state too (replay pool, Fisher estimates, learned rates): A-GEM's pool moves the weights only when a projection happens
        var state = method.SaveState();
        foreach (var key in state.Tensors.Keys.Order(StringComparer.Ordinal))
        {
            trace.AddRange(state.Tensors[key].ToDoubleArray().Select(Exact));
        }
        foreach (var key in state.Values.Keys.Order(StringComparer.Ordinal))
        {
            trace.Add($"{key}={state.Values[key]}");
        }
        return trace.ToArray();
    }

    private static string Exact(double v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [MemberData(nameof(Ids))]
    public void HyperparametersNotListedDoNotChangeTheRun(string id)
    {
        var listed = MethodTable.Get(id).Hyperparameters.ToHashSet();
        var unlisted = Knobs.Where(p => !listed.Contains(p.Name)).ToArray();
        var reference = Run(id, Reference);
        Assert.All(reference.Where(v => !v.Contains('=')), v => Assert.True(double.IsFinite(double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)), v));
        Assert.Equal(reference, Run(id, With(Reference, unlisted, Invalid)));
        Assert.Equal(reference, Run(id, With(Reference, unlisted, Different)));
    }

    /// <summary>
    /// Read, but only for speed: replay generation draws its noise from one seeded stream, so the generation batch
    /// changes how many samples go through the model at once and never the samples (checked here).
    /// </summary>
    private static readonly HashSet<string> ThroughputOnly = [nameof(Hyperparameters.ReplayGenerationBatch)];

    [Theory]
    [MemberData(nameof(Ids))]
    public void EveryListedHyperparameterChangesTheRun(string id)
    {
        var reference = Run(id, Reference);
        var unchanged = new List<string>();
        foreach (var name in MethodTable.Get(id).Hyperparameters)
        {
            var p = Knobs.Single(k => k.Name == name);
            var same = Run(id, With(Reference, [p], Different)).SequenceEqual(reference);
            if (same != ThroughputOnly.Contains(name))
            {
                unchanged.Add(name);
            }
        }
        Assert.True(unchanged.Count == 0,
            $"{id}: listed hyperparameters that do not change its run, or throughput knobs that do: {string.Join(", ", unchanged)}");
    }
}
