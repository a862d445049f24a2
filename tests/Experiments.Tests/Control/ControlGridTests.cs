using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Experiments.Configuration;
using NativeTrustRegion.Experiments.Control;
using NativeTrustRegion.Experiments.Running;
using NativeTrustRegion.Models;

namespace NativeTrustRegion.Experiments.Tests.Control;

/// <summary>The paper's Table 5 grid: its configurations, the one-task runs it trains, the table, and resuming.</summary>
public sealed class ControlGridTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ntr-grid-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void PaperGridIsTable5sThirteenConfigurationsInItsOrder()
    {
        string[] table5 =
        [
            "S8_O6_A2", "S8_O8_A1", "S8_O4_A4", "S8_O4_A2", "S16_O8_A8", "S16_O8_A4", "S16_O12_A4", "S16_O16_A1",
            "S32_O16_A4", "S32_O24_A4", "S32_O16_A8", "S32_O16_A16", "S32_O24_A8",
        ];
        Assert.Equal(table5, PolicyShape.PaperGrid.Select(s => s.Name));
        Assert.All(table5, n => Assert.Equal(n, PolicyShape.Parse(n).Name));
        Assert.Equal(new PolicyShape(16, 12, 4), PolicyShape.Parse("S16_O12_A4"));
    }

    [Fact]
    public void ConfigurationsThatDoNotFitAreRefusedWithTheRule()
    {
        Assert.Contains("O + A − 1 ≤ S", Assert.ThrowsAny<ArgumentException>(() => PolicyShape.Parse("S8_O8_A2")).Message);
        Assert.Contains("e.g. S8_O6_A2", Assert.ThrowsAny<ArgumentException>(() => PolicyShape.Parse("8,6,2")).Message);
        var plan = new ControlGridPlan { BasePreset = "demo", Shapes = PolicyShape.PaperGrid, Directory = _dir };
        Assert.Contains("image preset", Assert.ThrowsAny<ArgumentException>(() => plan.ConfigFor(PolicyShape.PaperGrid[0], "hammer")).Message);
    }

    [Fact]
    public void EachRunFinetunesOneTaskFromScratchWithTheConfigurationsShape()
    {
        var plan = new ControlGridPlan { BasePreset = "cw10-paper", Shapes = PolicyShape.PaperGrid, Directory = _dir };
        Assert.Equal(10, plan.TaskNames.Count);
        var shape = PolicyShape.Parse("S16_O8_A4");
        var config = plan.ConfigFor(shape, "push-wall");
        Assert.Equal("finetune", config.Method);
        Assert.Equal(["push-wall"], config.ControlTasks);
        Assert.Equal((16, 8, 4), (config.Control.PolicySequenceLength, config.Control.PolicyObservationSteps, config.Control.ActionChunk));
        Assert.Equal(ProbeMetricKind.DenoisingLoss, config.Evaluation.ProbeMetric);
        // the rest is the paper's set-up
        var paper = ExperimentPresets.Cw10Paper("finetune");
        Assert.Equal((paper.ModelPreset, paper.StepsPerTask, paper.Hyper.BatchSize), (config.ModelPreset, config.StepsPerTask, config.Hyper.BatchSize));
        Assert.Equal(Path.Combine(_dir, "S16_O8_A4", "push-wall"), plan.RunDirectory(shape, "push-wall"));

        // the policy built with that shape denoises [16, 4] action sequences conditioned on [8, 39] observation histories
        var model = ModelPresets.CreatePolicy("policy-tiny", new ParameterStore(DType.F32), 16, 8);
        Assert.Equal([16, 4], model.SampleShape);
        Assert.Equal([8, 39], model.ConditionShape!);
        Assert.Contains("not a policy", Assert.Throws<ArgumentException>(() => ModelPresets.CreatePolicy("image-micro", new ParameterStore(DType.F32), 16, 8)).Message);
    }

    [Fact]
    public void TheTableRanksConfigurationsByMeanSuccessLikeTable5()
    {
        var result = new ControlGridResult(["a", "b"],
        [
            new ControlGridRow(PolicyShape.Parse("S8_O4_A2"), [0.5, 0.7]),
            new ControlGridRow(PolicyShape.Parse("S8_O6_A2"), [0.9, 0.8]),
            new ControlGridRow(PolicyShape.Parse("S16_O8_A8"), [0.2, 0.1]),
        ]);
        Assert.Equal(["S8_O6_A2", "S8_O4_A2", "S16_O8_A8"], result.Ranked.Select(r => r.Shape.Name));
        var md = result.Markdown();
        Assert.Contains("| Config | S | O | A | Mean success ↑ |", md);
        Assert.Contains("| **S8_O6_A2** | 8 | 6 | 2 | **0.850** |", md);
        Assert.Contains("| S8_O4_A2 | 8 | 4 | 2 | 0.600 |", md);
        Assert.Contains("| S16_O8_A8 | 0.200 | 0.100 |", md);
    }

    [Fact]
    public void AGridOfTwoConfigurationsRunsAndRunningItAgainResumesWithoutRetraining()
    {
        var demos = Path.Combine(_dir, "demos");
        ControlGridPlan Plan() => new()
        {
            BasePreset = "cw10-cpu",
            Shapes = [PolicyShape.Parse("S8_O6_A2"), PolicyShape.Parse("S8_O4_A4")],
            Tasks = ["handle-press-side"],
            Directory = Path.Combine(_dir, "grid"),
            Seed = 7,
            Adjust = c => c with
            {
                StepsPerTask = 3,
                CheckpointEvery = 2,
                Hyper = c.Hyper with { BatchSize = 8 },
                Evaluation = c.Evaluation with { SamplesPerTask = 2, DdimSteps = 2, ProbeSamplesPerTask = 4, ProbeTimesteps = [100, 900], ProbeDenseSteps = 2 },
                Control = c.Control with { DemonstrationsPerTask = 6, HeldOutDemonstrationsPerTask = 2, DemonstrationDirectory = demos, ParallelEpisodes = 2 },
            },
        };
        var first = Plan().Execute(_ => SilentProgress.Instance);
        Assert.Equal(2, first.Ranked.Count);
        Assert.All(first.Ranked, r => Assert.InRange(Assert.Single(r.Success), 0.0, 1.0));
        var folder = new RunFolder(Path.Combine(_dir, "grid", "S8_O4_A4", "handle-press-side"));
        var config = folder.ReadConfig();
        Assert.Equal((8, 4, 4), (config.Control.PolicySequenceLength, config.Control.PolicyObservationSteps, config.Control.ActionChunk));
        Assert.Contains("observation history 4×39", Experiments.Running.ResultJson.Read(folder.ResultsPath).Notes);
        Assert.True(File.Exists(Path.Combine(_dir, "grid", "grid.md")));
        var written = File.GetLastWriteTimeUtc(folder.ResultsPath);

        var again = Plan().Execute(_ => throw new InvalidOperationException("a finished run was trained again"));
        Assert.Equal(first.Ranked.Select(r => (r.Shape, r.Mean)), again.Ranked.Select(r => (r.Shape, r.Mean)));
        Assert.Equal(written, File.GetLastWriteTimeUtc(folder.ResultsPath));
    }
}
