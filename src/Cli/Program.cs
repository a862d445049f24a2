using System.CommandLine;
using Spectre.Console;
using NativeTrustRegion.Cli.Commands;

namespace NativeTrustRegion.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        if (Console.IsOutputRedirected || Environment.GetEnvironmentVariable("NO_COLOR") is not null)
        {
            // plain text in logs and pipes: no colours, no cursor movement
            AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No });
        }
        var root = new RootCommand("ntr: continual learning of diffusion models, trust region and baselines");
        foreach (var command in RunCommands.Build())
        {
            root.Subcommands.Add(command);
        }
        root.Subcommands.Add(MethodsCommand.Build());
        root.Subcommands.Add(FisherCommand.Build());
        root.Subcommands.Add(DataCommand.Build());
        root.Subcommands.Add(ModelCommand.Build());
        root.Subcommands.Add(ControlCommand.Build());
        root.Subcommands.Add(KernelsCommand.Build());
        root.Subcommands.Add(CheckCommand.Build());
        root.Subcommands.Add(BenchCommand.Build());
        return root.Parse(args).Invoke();
    }
}
