using System.CommandLine;
using Spectre.Console;
using NativeTrustRegion.Cli.Commands;
using NativeTrustRegion.Cli.Errors;

namespace NativeTrustRegion.Cli;

public static class Program
{
    /// <summary>Shows the stack trace of a reported error (accepted anywhere on the command line).</summary>
    public const string VerboseFlag = "--verbose";

    /// <summary>
    /// Program.Run redirects the process-wide console; one call at a time. In-process tests that swap Console.Out or
    /// Console.Error themselves take it too (it is re-entrant), or a concurrent Program.Run's output would land in their writer.
    /// </summary>
    internal static readonly object ConsoleLock = new();

    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>
    /// Runs one `ntr` command line with its output on <paramref name="output"/> and its errors on
    /// <paramref name="error"/>, and returns the exit code (<see cref="ExitCodes"/>): the single entry point of Main
    /// and of in-process tests. Every exception ends here (<see cref="ErrorBoundary"/>).
    /// </summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        lock (ConsoleLock)
        {
            var (savedOut, savedError, savedAnsi) = (Console.Out, Console.Error, AnsiConsole.Console);
            var toConsole = ReferenceEquals(output, savedOut);
            try
            {
                if (!toConsole)
                {
                    Console.SetOut(TextWriter.Synchronized(output));
                    Console.SetError(TextWriter.Synchronized(error));
                }
                if (!toConsole || Console.IsOutputRedirected || Environment.GetEnvironmentVariable("NO_COLOR") is not null)
                {
                    // plain text in logs, pipes and tests: no colours, no cursor movement
                    AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
                    {
                        Ansi = AnsiSupport.No,
                        ColorSystem = ColorSystemSupport.NoColors,
                        Interactive = InteractionSupport.No,
                        Out = new AnsiConsoleOutput(Console.Out),
                    });
                }
                var verbose = args.Contains(VerboseFlag, StringComparer.Ordinal);
                var rest = args.Where(a => a != VerboseFlag).ToArray();
                if (Engine.Backends.Cpu.Gemm.EnvironmentProblem() is { } blas)
                {
                    // an environment variable the engine reads lazily, mid-run: checked before any command starts
                    Console.Error.WriteLine($"error: {blas}");
                    return ExitCodes.Usage;
                }
                return ErrorBoundary.Run(() => Invoke(rest, Console.Out, Console.Error), Console.Error, verbose, args);
            }
            finally
            {
                Console.Out.Flush();
                Console.Error.Flush();
                if (!toConsole)
                {
                    Console.SetOut(savedOut);
                    Console.SetError(savedError);
                }
                AnsiConsole.Console = savedAnsi;
            }
        }
    }

    private static int Invoke(string[] args, TextWriter output, TextWriter error)
    {
        var root = new RootCommand("ntr: continual learning of diffusion models, trust region and baselines (--verbose anywhere: stack traces of errors)");
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
        if (args.Length == 0)
        {
            root.Parse(["--help"]).Invoke(new InvocationConfiguration { Output = output, Error = error });
            return ExitCodes.Usage;
        }
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors)
            {
                error.WriteLine($"error: {e.Message}");
            }
            var path = string.Join(' ', parse.CommandResult.Command == root ? [] : CommandPath(parse.CommandResult));
            error.WriteLine($"see `ntr {(path.Length > 0 ? path + " " : "")}--help` for the valid commands and options");
            return ExitCodes.Usage;
        }
        return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, Output = output, Error = error });
    }

    private static IEnumerable<string> CommandPath(System.CommandLine.Parsing.CommandResult result)
    {
        var names = new Stack<string>();
        for (System.CommandLine.Parsing.SymbolResult? r = result; r is System.CommandLine.Parsing.CommandResult c && c.Command is not RootCommand; r = r.Parent)
        {
            names.Push(c.Command.Name);
        }
        return names;
    }
}
