using System.CommandLine;
using NativeTrustRegion.Cli.Commands;

namespace NativeTrustRegion.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("ntr: continual learning of diffusion models, trust region and baselines");
        root.Add(KernelsCommand.Build());
        root.Add(CheckCommand.Build());
        root.Add(BenchCommand.Build());
        return root.Parse(args).Invoke();
    }
}
