using System.Diagnostics;
using NativeTrustRegion.Cli;
using NativeTrustRegion.Experiments.Benchmarks;

namespace NativeTrustRegion.Experiments.Tests;

/// <summary>
/// The PyTorch reference (tools/reference) against the C# models, where python3 is installed: without torch the
/// reference builds shape-only modules, which is enough to compare every parameter name and shape and the totals
/// with ours, and to run the scripts' --dry-run checks on files this engine wrote.
/// </summary>
public sealed class ReferenceModelTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ntr-reference-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Exit, string Output)? Python(string script, params string[] args)
    {
        var path = Path.Combine(RepositoryRoot(), "tools", "reference", script);
        try
        {
            var psi = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
            psi.ArgumentList.Add(path);
            foreach (var a in args)
            {
                psi.ArgumentList.Add(a);
            }
            using var p = Process.Start(psi)!;
            var output = p.StandardOutput.ReadToEndAsync();
            var error = p.StandardError.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, output.Result + error);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NativeTrustRegion.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
    }

    [SkippableTheory]
    [InlineData("image-paper", "37,447,171")]
    [InlineData("image-paper-resnet-sampling", "39,828,227")]
    [InlineData("image-micro", "177,489")]
    [InlineData("policy-paper", "83,269,892")]
    [InlineData("image-tiny", "748,065")]
    [InlineData("policy-tiny", "523,236")]
    public void ReferenceModelHasOurParameterNamesShapesAndCount(string preset, string count)
    {
        var manifest = Path.Combine(_dir, $"{preset}.json");
        ParameterManifest.WriteFile(manifest, preset);
        var result = Python("reference_models.py", "--check-manifest", manifest);
        Skip.If(result is null, "python3 is not installed, so the cross-language check cannot run");
        Assert.True(result.Value.Exit == 0, result.Value.Output);
        Assert.Contains($"{count} parameters, names and shapes identical", result.Value.Output);
    }

    [SkippableTheory]
    [InlineData("image-tiny")]
    [InlineData("policy-tiny")]
    public void ReferenceScriptsAcceptWhatNtrExports(string preset)
    {
        var folder = Path.Combine(_dir, preset);
        Assert.Equal(0, Program.Main(["bench", "export-batches", "--preset", preset, "--batch", "2", "--steps", "3", "--out", folder]));
        var lossTrack = Python("loss_track.py", "--batches", folder, "--dry-run");
        Skip.If(lossTrack is null, "python3 is not installed, so the cross-language check cannot run");
        Assert.True(lossTrack.Value.Exit == 0, lossTrack.Value.Output);
        Assert.Contains("agree with the reference", lossTrack.Value.Output);
        var bench = Python("bench_train.py", "--preset", preset, "--variants", "eager:fp32,compile:tf32,eager:bf16", "--out", Path.Combine(_dir, "t.json"), "--dry-run");
        Assert.True(bench!.Value.Exit == 0, bench.Value.Output);
    }
}
