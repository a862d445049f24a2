using System.CommandLine;

namespace NativeTrustRegion.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("ntr: continual learning of diffusion models, trust region and baselines");
        root.Subcommands.Add(DataCommand.Build());
        return root.Parse(args).Invoke();
    }
}
