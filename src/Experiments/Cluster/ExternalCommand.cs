using System.ComponentModel;
using System.Diagnostics;

namespace NativeTrustRegion.Experiments.Cluster;

/// <summary>Runs a command-line tool (sbatch, squeue, sacct) and captures what it prints.</summary>
public static class ExternalCommand
{
    public sealed record Outcome(int ExitCode, string Output, string Error);

    /// <summary>Runs <paramref name="program"/>; null when it is not installed (not on PATH).</summary>
    public static Outcome? TryRun(string program, IEnumerable<string> arguments, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException($"{program} did not start");
        }
        catch (Win32Exception)
        {
            return null;
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout ?? TimeSpan.FromSeconds(60)))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                return new Outcome(-1, output.Result, $"{program} did not answer within {(timeout ?? TimeSpan.FromSeconds(60)).TotalSeconds:F0} s");
            }
            return new Outcome(process.ExitCode, output.Result, error.Result);
        }
    }
}
