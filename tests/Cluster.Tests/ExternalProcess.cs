using System.Diagnostics;
using System.Text;

namespace NativeTrustRegion.Cluster.Tests;

/// <summary>Starts programs (ntr, the Slurm and MPI tools) for the cluster tests and returns what they printed.</summary>
internal static class ExternalProcess
{
    public sealed record Outcome(int ExitCode, string Output)
    {
        public Outcome EnsureSuccess(string what)
        {
            Assert.True(ExitCode == 0, $"{what} exited with {ExitCode}:\n{Output}");
            return this;
        }
    }

    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "NativeTrustRegion.sln")))
                {
                    return dir.FullName;
                }
            }
            throw new InvalidOperationException($"NativeTrustRegion.sln not found above {AppContext.BaseDirectory}");
        }
    }

    /// <summary>ntr.dll as built into this test's output folder (a project reference), run by the dotnet host.</summary>
    public static string NtrDll => Path.Combine(AppContext.BaseDirectory, "ntr.dll");

    public static string DotnetHost => Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";

    public static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => d.Length > 0 && File.Exists(Path.Combine(d, program)));

    public static Outcome Run(string program, IEnumerable<string> arguments, IDictionary<string, string>? environment = null, int timeoutSeconds = 300)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }
        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[k] = v;
        }
        var output = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeoutSeconds * 1000))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            lock (output)
            {
                Assert.Fail($"{program} {string.Join(' ', arguments)} did not finish within {timeoutSeconds} s:\n{output}");
            }
        }
        process.WaitForExit();
        lock (output)
        {
            return new Outcome(process.ExitCode, output.ToString());
        }
    }

    public static Outcome Ntr(IEnumerable<string> arguments, IDictionary<string, string>? environment = null, int timeoutSeconds = 300) =>
        Run(DotnetHost, [NtrDll, .. arguments], environment, timeoutSeconds);
}
