using NativeTrustRegion.Cli;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Experiments.Cluster;

namespace NativeTrustRegion.Experiments.Tests.Cli;

/// <summary>
/// `ntr run --gpus N`: the processes it would start (command lines and environment), its argument checks and its
/// refusal without N GPUs. Nothing here starts a rank: this machine has no GPU (see the README on what has run).
/// </summary>
[Collection("ntr console")]
public sealed class GpuLaunchTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("ntr-gpus-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static readonly NtrCommandLine Ntr = new(["/usr/bin/dotnet", "/opt/ntr/ntr.dll"], "test");

    private static readonly string Id = new('a', 256);

    [Fact]
    public void EveryRankRunsTheSameRunOnItsOwnGpuWithItsRankAndTheSharedNcclId()
    {
        var ranks = MultiGpuLaunch.Plan(Ntr, ["--method", "trust-region", "--out", "/runs/tr"], 3, Id);
        Assert.Equal(3, ranks.Count);
        for (var r = 0; r < 3; r++)
        {
            Assert.Equal(r, ranks[r].Rank);
            Assert.Equal(["/usr/bin/dotnet", "/opt/ntr/ntr.dll", "run", "--method", "trust-region", "--out", "/runs/tr", "--device", $"cuda:{r}"], ranks[r].CommandLine);
            Assert.Equal(new Dictionary<string, string> { ["NTR_RANK"] = $"{r}", ["NTR_WORLD_SIZE"] = "3", ["NTR_NCCL_UNIQUE_ID"] = Id }, ranks[r].Environment);
        }
        Assert.Equal($"NTR_NCCL_UNIQUE_ID={Id} NTR_RANK=1 NTR_WORLD_SIZE=3 /usr/bin/dotnet /opt/ntr/ntr.dll run --method trust-region --out /runs/tr --device cuda:1", ranks[1].ToString());

        // one GPU is an ordinary run on cuda:0: no rank variables, so it is a single rank
        var one = Assert.Single(MultiGpuLaunch.Plan(Ntr, ["--method", "ewc", "--out", "/runs/e"], 1, null));
        Assert.Empty(one.Environment);
        Assert.Equal(["--device", "cuda:0"], one.CommandLine.TakeLast(2));
    }

    [Fact]
    public void BadPlansAreRefused()
    {
        Assert.Contains("--gpus 0 is not a number of GPUs", Assert.Throws<UsageException>(() => MultiGpuLaunch.Plan(Ntr, ["--out", "/r"], 0, null)).Message);
        Assert.Contains("--device", Assert.Throws<ArgumentException>(() => MultiGpuLaunch.Plan(Ntr, ["--out", "/r", "--device", "cuda:3"], 2, Id)).Message);
        Assert.Contains("--out", Assert.Throws<ArgumentException>(() => MultiGpuLaunch.Plan(Ntr, ["--method", "ewc"], 2, Id)).Message);
        Assert.Throws<ArgumentNullException>(() => MultiGpuLaunch.Plan(Ntr, ["--out", "/r"], 2, null));
    }

    [Fact]
    public void TooFewGpusAreRefusedWithTheCountAndTheFix()
    {
        Assert.Null(MultiGpuLaunch.Refusal(2, 2, null));
        Assert.Null(MultiGpuLaunch.Refusal(2, 8, null));
        var one = MultiGpuLaunch.Refusal(4, 1, null)!;
        Assert.Contains("--gpus 4 needs 4 GPUs on this machine, but the CUDA driver sees 1 GPU(s)", one);
        Assert.Contains("use --gpus 1", one);
        var none = MultiGpuLaunch.Refusal(2, null, "libcuda.so.1 not found.")!;
        Assert.Contains("no CUDA driver was found (libcuda.so.1 not found)", none);
        Assert.DoesNotContain("use --gpus", none);
        Assert.Contains("mpirun -np N", none);
    }

    [Fact]
    public void TheDryRunPrintsTheRanksAndStartsNothing()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var dir = Path.Combine(_root, "run");
        Assert.Equal(0, Program.Run(["run", "--method", "trust-region", "--gpus", "2", "--tasks", "2", "--set", "replay_ratio=0.5", "--lambda", "50", "--out", dir, "--dry-run"], output, error));
        var lines = output.ToString().Split('\n');
        Assert.Contains("would start 2 process(es), rank r on GPU r, and wait for them:", lines[0]);
        for (var r = 0; r < 2; r++)
        {
            var line = Assert.Single(lines, l => l.Contains($"NTR_RANK={r} "));
            Assert.Contains("NTR_WORLD_SIZE=2", line);
            Assert.Contains($"run --method trust-region --preset demo --seed 123 --out {dir} --tasks 2 --set replay_ratio=0.5 --set hyper.ewc_lambda=50 --device cuda:{r}", line);
        }
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void BadLaunchesExitWithTheCauseAndWriteNothing()
    {
        var dir = Path.Combine(_root, "run");
        (int Code, string Text) Run(params string[] args)
        {
            var output = new StringWriter();
            var error = new StringWriter();
            var code = Program.Run(args, output, error);
            return (code, output + "\n" + error);
        }

        var ftml = Run("run", "--method", "ftml", "--gpus", "2", "--out", dir);
        Assert.Equal(2, ftml.Code);
        Assert.Contains("not 'ftml'", ftml.Text);
        var device = Run("run", "--method", "ewc", "--gpus", "2", "--device", "cpu", "--out", dir);
        Assert.Equal(2, device.Code);
        Assert.Contains("--device cpu does not apply", device.Text);
        var dry = Run("run", "--method", "ewc", "--dry-run", "--out", dir);
        Assert.Equal(2, dry.Code);
        Assert.Contains("add --gpus N", dry.Text);
        if (!GpuCount(out var gpus) || gpus < 2)
        {
            // this machine (CI) has fewer than two GPUs: the real launch is refused before anything starts
            var refused = Run("run", "--method", "trust-region", "--gpus", "2", "--out", dir);
            Assert.Equal(1, refused.Code);
            Assert.Contains("--gpus 2 needs 2 GPUs on this machine", refused.Text);
        }
        Assert.False(Directory.Exists(dir));
    }

    private static bool GpuCount(out int count)
    {
        try
        {
            count = Engine.Backends.Cuda.CudaBackend.DeviceCount();
            return true;
        }
        catch (Exception)
        {
            count = 0;
            return false;
        }
    }
}
