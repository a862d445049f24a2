using System.Diagnostics;

namespace NativeTrustRegion.Experiments.Tests;

/// <summary>
/// The built `ntr` run in a process of its own: tests that need the emulated CUDA device use it, because the device
/// choice is fixed once per process.
/// </summary>
internal static class NtrChildProcess
{
    /// <summary>Runs `ntr <paramref name="args"/>` with <paramref name="environment"/> added; returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> Run(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ntr.dll"));
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, stdout, await stderr);
    }

    /// <summary>Runs `ntr <paramref name="args"/>`, asserts it exits 0 (showing its output if not) and returns its standard output.</summary>
    public static async Task<string> RunSucceeding(params string[] args)
    {
        var (exitCode, stdout, stderr) = await Run(null, args);
        Assert.True(exitCode == 0, $"ntr {string.Join(' ', args)} exited {exitCode}:\n{stdout}\n{stderr}");
        return stdout;
    }
}
