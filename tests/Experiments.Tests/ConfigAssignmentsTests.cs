using System.Text.Json.Nodes;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Experiments.Cluster;
using NativeTrustRegion.Experiments.Configuration;
using NativeTrustRegion.Experiments.Running;

namespace NativeTrustRegion.Experiments.Tests;

/// <summary>`--set KEY=VALUE` / `--lambda`: exactly the named field changes, the rest of config.json stays as the preset's.</summary>
public sealed class ConfigAssignmentsTests
{
    private static readonly ExperimentConfig Preset = ExperimentPresets.Demo("trust-region");

    /// <summary>The leaves of config.json that differ between two configurations, as dotted paths.</summary>
    private static List<string> ChangedFields(ExperimentConfig a, ExperimentConfig b)
    {
        var changed = new List<string>();
        void Walk(JsonNode? x, JsonNode? y, string path)
        {
            if (x is JsonObject ox && y is JsonObject oy)
            {
                foreach (var name in ox.Select(kv => kv.Key).Union(oy.Select(kv => kv.Key)))
                {
                    Walk(ox[name], oy[name], path.Length == 0 ? name : $"{path}.{name}");
                }
            }
            else if (!JsonNode.DeepEquals(x, y))
            {
                changed.Add(path);
            }
        }
        Walk(JsonNode.Parse(a.ToJson()), JsonNode.Parse(b.ToJson()), "");
        return changed;
    }

    [Theory]
    [InlineData("hyper.ewc_lambda=200", "hyper.ewc_lambda")]
    [InlineData("ewc_lambda=200", "hyper.ewc_lambda")]
    [InlineData("replay_ratio=0.25", "hyper.replay_ratio")]
    [InlineData("hyper.reset_optimizer_per_task=false", "hyper.reset_optimizer_per_task")]
    [InlineData("evaluation.samples_per_task=17", "evaluation.samples_per_task")]
    [InlineData("steps_per_task=7", "steps_per_task")]
    [InlineData("model_preset=image-tiny", "model_preset")]
    [InlineData("control.demonstration_directory=/data/demos", "control.demonstration_directory")]
    [InlineData("control.policy_sequence_length=16", "control.policy_sequence_length")]
    public void OneAssignmentChangesExactlyItsField(string assignment, string field)
    {
        var changed = ConfigAssignments.Apply(Preset, [assignment]);
        Assert.Equal([field], ChangedFields(Preset, changed));
    }

    [Fact]
    public void ValuesArriveWithTheirTypesAndLaterAssignmentsWin()
    {
        var c = ConfigAssignments.Apply(Preset, ["ewc_lambda=200", "hyper.replay_pool_per_task=32", "task_classes=[[9,8],[7]]", "hyper.ewc_lambda=12.5"]);
        Assert.Equal(12.5, c.Hyper.EwcLambda);
        Assert.Equal(32, c.Hyper.ReplayPoolPerTask);
        Assert.Equal(new[] { new[] { 9, 8 }, new[] { 7 } }, c.TaskClasses);
        // recorded: config.json of the run holds the new values and reads back equal
        var back = ExperimentConfig.FromJson(c.ToJson(), "test");
        Assert.Equal(12.5, back.Hyper.EwcLambda);
        Assert.Empty(ChangedFields(c, back));
    }

    [Theory]
    [InlineData("ewc_lambda=abc", "ewc_lambda takes a number")]
    [InlineData("ewc_lambda=NaN", "ewc_lambda takes a number")]
    [InlineData("hyper.batch_size=2.5", "hyper.batch_size takes a whole number")]
    [InlineData("hyper.nope=1", "unknown setting 'hyper.nope'")]
    [InlineData("hyper.ewc_lambdaa=1", "did you mean hyper.ewc_lambda")]
    [InlineData("hyper=1", "unknown setting 'hyper'")]
    [InlineData("method=ewc", "method is chosen with --method")]
    [InlineData("=3", "is not KEY=VALUE")]
    [InlineData("ewc_lambda=", "is not KEY=VALUE")]
    [InlineData("task_classes=[[1,", "task_classes takes JSON")]
    [InlineData("control.policy_sequence_length=long", "control.policy_sequence_length takes a whole number")]
    public void BadAssignmentsNameTheirCause(string assignment, string words)
    {
        var e = Assert.Throws<UsageException>(() => ConfigAssignments.Apply(Preset, [assignment]));
        Assert.Contains(words, e.Message);
    }

    [Fact]
    public void AHyperparameterLeftOutOfConfigJsonAtItsDefaultCanStillBeSet()
    {
        // split-mnist keeps a constant learning rate: config.json has no learning_rate_decay_fraction
        var preset = ExperimentPresets.SplitMnistFamily("mnist", "replay");
        Assert.DoesNotContain("learning_rate_decay_fraction", preset.ToJson());
        Assert.Contains("hyper.learning_rate_decay_fraction", ConfigAssignments.Keys(preset));
        var set = ConfigAssignments.Apply(preset, ["learning_rate_decay_fraction=0.25"]);
        Assert.Equal(0.25, set.Hyper.LearningRateDecayFraction);
        Assert.Equal(["hyper.learning_rate_decay_fraction"], ChangedFields(preset, set));
        Assert.Equal(0.25, ExperimentConfig.FromJson(set.ToJson(), "config.json").Hyper.LearningRateDecayFraction);
        // and back to 0 on the demo preset, which decays: the field leaves config.json again
        var constant = ConfigAssignments.Apply(Preset, ["hyper.learning_rate_decay_fraction=0"]);
        Assert.Equal(0, constant.Hyper.LearningRateDecayFraction);
        Assert.DoesNotContain("learning_rate_decay_fraction", constant.ToJson());
    }

    [Theory]
    [InlineData("ewc_lambda=-1", "ewc_lambda must be a number ≥ 0")]
    [InlineData("replay_ddim_steps=0", "replay_ddim_steps must be at least 1")]
    [InlineData("inner_learning_rate=0", "inner_learning_rate must be a positive number")]
    [InlineData("evaluation.probe_growth=1", "evaluation.probe_growth must be a number above 1")]
    [InlineData("learning_rate_decay_fraction=1.5", "learning_rate_decay_fraction = 1.5: give a fraction of each task's updates from 0")]
    [InlineData("learning_rate_decay_fraction=-0.1", "learning_rate_decay_fraction = -0.1")]
    [InlineData("model_preset=image-huge", "image-huge")]
    public void ValuesOutOfRangeAreRefusedByValidation(string assignment, string words)
    {
        var c = ConfigAssignments.Apply(Preset, [assignment]);
        var e = Assert.Throws<UsageException>(() => c.Validate());
        Assert.Contains(words, e.Message);
    }

    [Fact]
    public void AComparisonAppliesItsSettingsToEveryRunAndKeepsThemInCompareJson()
    {
        var dir = Directory.CreateTempSubdirectory("ntr-set-").FullName;
        try
        {
            var plan = new ComparisonPlan { Preset = "demo", Methods = ["ewc", "trust-region"], Seeds = [1, 2], Directory = dir, Settings = ["ewc_lambda=250"] };
            Assert.All(plan.Runs, r => Assert.Equal(250, plan.ConfigFor(r.Method, r.Seed).Hyper.EwcLambda));
            plan.Save();
            var loaded = ComparisonPlan.Load(dir);
            Assert.Equal(["ewc_lambda=250"], loaded.Settings);
            Assert.Equal(250, loaded.ConfigFor("ewc", 2).Hyper.EwcLambda);
            // a Slurm array task starts `ntr run` with the same settings
            var args = SlurmSweepScript.RunArguments(plan, 3);
            var at = args.ToList().IndexOf("--set");
            Assert.True(at > 0 && args[at + 1] == "ewc_lambda=250", string.Join(' ', args));
            // a plan written before --set existed has no settings
            File.WriteAllText(ComparisonPlan.PlanPath(dir), File.ReadAllText(ComparisonPlan.PlanPath(dir)).Replace("\"settings\"", "\"unused\""));
            Assert.Empty(ComparisonPlan.Load(dir).Settings);
            Assert.Equal(Preset.Hyper.EwcLambda, ComparisonPlan.Load(dir).ConfigFor("ewc", 1).Hyper.EwcLambda);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
