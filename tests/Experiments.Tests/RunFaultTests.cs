using System.Text.Json.Nodes;
using NativeTrustRegion.Engine.Checkpoints;
using NativeTrustRegion.Experiments.Running;

namespace NativeTrustRegion.Experiments.Tests;

/// <summary>Faults during a run: divergence stops it with the step, task and terms and keeps the last good checkpoint; a failed write leaves the previous file intact and names it.</summary>
public sealed class RunFaultTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ntr-fault-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void DivergedTrainingStopsNamingStepTaskAndLossAndKeepsTheLastGoodCheckpoint()
    {
        var folder = new RunFolder(Path.Combine(_dir, "run"));
        // a good checkpoint at step 4 (CheckpointEvery 4), then a crash after step 5
        Assert.Throws<RunInterruptedException>(() =>
            new ExperimentRunner(RunnerTests.Tiny("finetune"), folder, new SyntheticImageDomain(), SilentProgress.Instance) { StopAfterSteps = 5 }.Run());
        byte[] goodCheckpoint = File.ReadAllBytes(folder.LatestCheckpoint);

        // resumed with a learning rate that blows the weights up: the step after the first update is not finite
        var config = JsonNode.Parse(File.ReadAllText(folder.ConfigPath))!;
        config["hyper"]!["learning_rate"] = 1e30;
        File.WriteAllText(folder.ConfigPath, config.ToJsonString());
        var e = Assert.Throws<TrainingDivergedException>(() =>
            new ExperimentRunner(folder.ReadConfig(), folder, new SyntheticImageDomain(), SilentProgress.Instance).Run());

        Assert.Equal(0, e.Task);
        Assert.InRange(e.GlobalStep, 5, 6);
        Assert.Contains($"training diverged at step {e.GlobalStep} (step {e.GlobalStep} of task 1", e.Message);
        Assert.Contains("loss = ", e.Message);
        Assert.Contains($"{folder.LatestCheckpoint} (step 4) is kept", e.Message);
        Assert.Contains("Fix: lower learning_rate", e.Message);
        Assert.Equal(goodCheckpoint, File.ReadAllBytes(folder.LatestCheckpoint));
        Assert.False(File.Exists(folder.TaskCheckpoint(0)));
        // the bad step was not logged: metrics end at the step before it
        var lastLogged = JsonNode.Parse(File.ReadAllLines(folder.MetricsPath)[^1])!["step"]!.GetValue<long>();
        Assert.Equal(e.GlobalStep - 1, lastLogged);
    }

    [Fact]
    public void GpuOutOfMemoryNamesPresetModelBatchAndTheMemoryAskedForAndFree()
    {
        var config = RunnerTests.Tiny("ewc");
        var e = Assert.Throws<RunOutOfMemoryException>(() =>
            new ExperimentRunner(config, new RunFolder(Path.Combine(_dir, "oom")), new OutOfMemoryDomain(), SilentProgress.Instance).Run());
        Assert.Contains("out of GPU memory while building the model and the task stream (preset demo, model image-micro, batch 8, device cpu)", e.Message);
        Assert.Contains("could not allocate 6.00 GiB", e.Message);
        Assert.Contains("device free 2.00 GiB of 80.00 GiB", e.Message);
        Assert.Contains("No checkpoint was written yet; lower batch_size", e.Message);
        Assert.Equal(6L << 30, e.RequestedBytes);
    }

    [Fact]
    public void GpuOutOfMemoryOnResumeNamesTheCheckpointItKeepsAndLeavesItUnchanged()
    {
        var folder = new RunFolder(Path.Combine(_dir, "run"));
        // a checkpoint at step 4 (CheckpointEvery 4), then a crash after step 5
        Assert.Throws<RunInterruptedException>(() =>
            new ExperimentRunner(RunnerTests.Tiny("finetune"), folder, new SyntheticImageDomain(), SilentProgress.Instance) { StopAfterSteps = 5 }.Run());
        byte[] checkpoint = File.ReadAllBytes(folder.LatestCheckpoint);

        var e = Assert.Throws<RunOutOfMemoryException>(() =>
            new ExperimentRunner(folder.ReadConfig(), folder, new OutOfMemoryDomain(), SilentProgress.Instance).Run());
        Assert.Contains($"The last checkpoint {folder.LatestCheckpoint} is kept; lower batch_size", e.Message);
        Assert.Contains("`ntr resume` it", e.Message);
        Assert.Equal(checkpoint, File.ReadAllBytes(folder.LatestCheckpoint));
    }

    [Theory]
    [InlineData(28)] // ENOSPC: disk full
    [InlineData(0)]
    public void FailedAtomicWriteKeepsThePreviousFileAndNamesIt(int errno)
    {
        string path = Path.Combine(_dir, "latest.safetensors");
        File.WriteAllText(path, "previous");
        var e = Assert.ThrowsAny<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[1000]);
            throw new IOException("No space left on device", errno);
        }));
        Assert.Contains($"could not write {path}", e.Message);
        Assert.Contains("previous version is unchanged", e.Message);
        Assert.Equal(errno, e.HResult);
        Assert.Equal("previous", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_dir)); // the temporary file is gone
    }

    [Fact]
    public void AWriteIntoAMissingOrForbiddenPlaceNamesTheTarget()
    {
        // a folder where the file should be: the rename fails after the temporary file was written
        string path = Path.Combine(_dir, "metrics");
        Directory.CreateDirectory(path);
        var e = Assert.ThrowsAny<Exception>(() => AtomicFile.WriteAllText(path, "x"));
        Assert.True(e is IOException or UnauthorizedAccessException, e.GetType().Name);
        Assert.Contains($"could not write {path}", e.Message);
        Assert.Equal([path], Directory.GetFileSystemEntries(_dir));
    }
}

/// <summary>A domain whose model does not fit: building it runs out of GPU memory.</summary>
internal sealed class OutOfMemoryDomain : IExperimentDomain
{
    public ExperimentSetup Build(Configuration.ExperimentConfig config, IRunProgress progress) =>
        throw new Engine.Backends.Cuda.CudaOutOfMemoryException(6L << 30, 1L << 30, 70L << 30, 2L << 30, 80L << 30);
}
