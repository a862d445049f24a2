using NativeTrustRegion.Cli.Errors;
using NativeTrustRegion.Engine.Backends.Cuda;
using NativeTrustRegion.Experiments.Running;

namespace NativeTrustRegion.Experiments.Tests.Cli;

/// <summary>How the one error boundary reports each kind of failure: exit code, message, and a crash report for bugs.</summary>
[Collection("ntr console")] // Program.Run and ErrorBoundary share process-wide state: not in parallel with each other
public sealed class ErrorBoundaryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ntr-boundary-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private (int Code, string Error) Run(Exception e, bool verbose = false)
    {
        var error = new StringWriter();
        int code = ErrorBoundary.Run(() => throw e, error, verbose, ["run", "--method", "ewc"], _dir);
        return (code, error.ToString());
    }

    [Fact]
    public void UnexpectedExceptionsGetAShortMessageAndACrashReportWithTheTrace()
    {
        var (code, error) = Run(new NullReferenceException("boom"));
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("unexpected NullReferenceException: boom", error);
        Assert.DoesNotContain("   at ", error);
        var report = Assert.Single(Directory.GetFiles(_dir, "ntr-crash-*.txt"));
        Assert.Contains(report, error);
        var text = File.ReadAllText(report);
        Assert.StartsWith("ntr run --method ewc\n", text);
        Assert.Contains("System.NullReferenceException: boom", text);
        Assert.Contains("   at ", text);
    }

    [Fact]
    public void TheCrashReportGoesIntoTheRunFolderOnceItIsKnown()
    {
        string runFolder = Path.Combine(_dir, "run");
        Directory.CreateDirectory(runFolder);
        var error = new StringWriter();
        int code = ErrorBoundary.Run(() =>
        {
            ErrorBoundary.WorkFolder = runFolder;
            throw new IndexOutOfRangeException("bad index");
        }, error, false, ["run"]);
        Assert.Equal(ExitCodes.Failure, code);
        var report = Assert.Single(Directory.GetFiles(runFolder, "ntr-crash-*.txt"));
        Assert.Contains(report, error.ToString());
    }

    [Fact]
    public void DiskFullReadOnlyFolderOutOfMemoryAndDivergenceAreUserErrors()
    {
        var full = Run(new IOException("could not write /r/latest.safetensors (No space left on device); its previous version is unchanged.", 28));
        Assert.Equal(1, full.Code);
        Assert.Contains("disk full: could not write /r/latest.safetensors", full.Error);
        Assert.Contains("Fix: free some space", full.Error);

        var denied = Run(new UnauthorizedAccessException("could not write /r/metrics.jsonl (Access denied)."));
        Assert.Equal(1, denied.Code);
        Assert.Contains("/r/metrics.jsonl", denied.Error);
        Assert.Contains("choose a folder you can write to", denied.Error);

        var oom = Run(new CudaOutOfMemoryException(3L << 30, 0, 70L << 30, 1L << 30, 80L << 30));
        Assert.Equal(1, oom.Code);
        Assert.Contains("out of GPU memory: could not allocate 3.00 GiB", oom.Error);
        Assert.Contains("device free 1.00 GiB", oom.Error);

        var diverged = Run(new TrainingDivergedException(12, 1, "task 2", 2, ["loss = NaN", "distillation = ∞"], "/r", "/r/checkpoints/latest.safetensors", 10));
        Assert.Equal(1, diverged.Code);
        Assert.Contains("training diverged at step 12 (step 2 of task 2, task 2): loss = NaN, distillation = ∞", diverged.Error);

        Assert.Empty(Directory.GetFiles(_dir));
        foreach (var (_, error) in new[] { full, denied, oom, diverged })
        {
            Assert.DoesNotContain("   at ", error);
            Assert.Single(error.TrimEnd().Split('\n'));
        }
    }

    [Fact]
    public void AggregateExceptionsOfParallelWorkAreUnwrapped()
    {
        var (code, error) = Run(new AggregateException(new Engine.UsageException("unknown control task 'x'; valid: push")));
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("error: unknown control task 'x'; valid: push", error.TrimEnd());
    }
}
