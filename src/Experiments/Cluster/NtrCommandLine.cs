namespace NativeTrustRegion.Experiments.Cluster;

/// <summary>
/// How a job on a cluster node starts this same ntr: the program and its leading arguments, and how they were found
/// (written into the generated script as a comment).
/// </summary>
public sealed record NtrCommandLine(IReadOnlyList<string> Command, string Origin)
{
    /// <summary>
    /// The ntr this process is: `dotnet path/ntr.dll` when the runtime host is dotnet (tools/ntr, `dotnet run`), else
    /// the executable itself (the apphost next to ntr.dll, or the self-contained single file from tools/publish-ntr.sh).
    /// </summary>
    public static NtrCommandLine OfThisProcess()
    {
        var process = Environment.ProcessPath ?? throw new InvalidOperationException("the path of this process is unknown; cannot tell a Slurm job how to start ntr");
        var host = Path.GetFileNameWithoutExtension(process);
        if (host.Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            // under the dotnet host the first command-line argument is the entry assembly's path (ntr.dll)
            var assembly = Environment.GetCommandLineArgs()[0];
            return new NtrCommandLine([process, Path.GetFullPath(assembly)], $"this ntr was started by the dotnet host {process} with the assembly {Path.GetFullPath(assembly)}");
        }
        return new NtrCommandLine([process], $"this ntr was started as the executable {process}");
    }
}
