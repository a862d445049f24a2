using NativeTrustRegion.Experiments.Configuration;
using NativeTrustRegion.Experiments.Control;
using NativeTrustRegion.Experiments.Running;

namespace NativeTrustRegion.Experiments.Tests.Control;

public sealed class ControlPresetTests
{
    [Fact]
    public void Cw10PaperPresetHasTheSettingsOfTable4()
    {
        var config = ExperimentPresets.Create("cw10-paper", "trust-region", 1);
        Assert.Equal(ExperimentDomain.Control, config.Domain);
        Assert.Equal(["hammer", "push-wall", "faucet-close", "push-back", "stick-pull", "handle-press-side", "push", "shelf-place", "window-close", "peg-unplug-side"], config.ControlTasks);
        Assert.Equal(10, config.TaskCount);
        Assert.Equal("policy-paper", config.ModelPreset);
        Assert.Equal(50_000, config.StepsPerTask);
        Assert.Equal(Engine.Device.Cuda(0), config.Device);
        var h = config.Hyper;
        Assert.Equal((256, 2e-4, 12.0, 20_000, 1.0, 1e-4), (h.BatchSize, h.LearningRate, h.EwcLambda, h.FisherSamples, h.ReplayRatio, h.InnerLearningRate));
        Assert.Equal((2_500, 2_500), (config.Control.DemonstrationsPerTask, config.Control.ReplayRolloutsPerTask));
        Assert.Equal((100, 50), (config.Evaluation.SamplesPerTask, config.Evaluation.DdimSteps));
        Assert.Equal(2, config.Control.ActionChunk);
    }

    [Fact]
    public void ControlPresetsGetTheControlDomainAndSurviveJson()
    {
        foreach (var name in new[] { "cw10-paper", "cw10-cpu" })
        {
            Assert.Contains(name, ExperimentPresets.Names);
            var config = ExperimentPresets.Create(name, "replay", 2);
            Assert.IsType<ControlExperimentDomain>(ExperimentDomains.For(config));
            var back = ExperimentConfig.FromJson(config.ToJson(), name);
            Assert.Equal(config.Control, back.Control);
            Assert.Equal(config.ControlTasks, back.ControlTasks);
        }
        Assert.Throws<ArgumentException>(() => ExperimentDomains.For(ExperimentPresets.Cw10Cpu("finetune") with { Domain = (ExperimentDomain)7 }));
        var audio = ExperimentPresets.Cw10Cpu("finetune").ToJson().Replace("\"domain\": \"control\"", "\"domain\": \"audio\"", StringComparison.Ordinal);
        var e = Assert.Throws<InvalidDataException>(() => ExperimentConfig.FromJson(audio, "audio.json"));
        Assert.Contains("audio.json", e.Message);
        Assert.Contains("$.domain", e.Message);
        Assert.Contains("image, control", e.Message);
    }
}
