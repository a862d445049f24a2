using NativeTrustRegion.Cli;
using NativeTrustRegion.Continual.Methods;
using Spectre.Console;

namespace NativeTrustRegion.Experiments.Tests;

/// <summary>`ntr methods`: every row of the method table is listed; an unknown preset is named with the fix.</summary>
[Collection(ConsoleCollection.Name)]
public class MethodsCommandTests
{
    private static (int Exit, string Output, string Error) Ntr(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        lock (Program.ConsoleLock) // no concurrent Program.Run may write into these writers
        {
            var (previousOut, previousError, previousConsole) = (Console.Out, Console.Error, AnsiConsole.Console);
            Console.SetOut(output);
            Console.SetError(error);
            AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No, Out = new AnsiConsoleOutput(output) });
            AnsiConsole.Profile.Width = 400;
            try
            {
                // Main replaces AnsiConsole.Console when output is redirected (it is here): it then writes to Console.Out, ours too
                return (Program.Main(args), output.ToString(), error.ToString());
            }
            finally
            {
                Console.SetOut(previousOut);
                Console.SetError(previousError);
                AnsiConsole.Console = previousConsole;
            }
        }
    }

    [Fact]
    public void ListsEveryMethodWithItsKnobs()
    {
        var (exit, output, error) = Ntr("methods", "--preset", "imagenet500-paper");
        Assert.True(exit == 0, error);
        foreach (var m in MethodTable.Methods)
        {
            Assert.Contains(m.Id, output);
            Assert.Contains(m.DisplayName, output);
        }
        Assert.Contains("ewc_lambda = 15000", output);
    }

    [Fact]
    public void UnknownPresetIsNamedWithTheKnownOnes()
    {
        var (exit, _, error) = Ntr("methods", "--preset", "nope");
        Assert.Equal(2, exit);
        Assert.Contains("unknown experiment preset 'nope'", error);
        Assert.Contains("imagenet500-paper", error);
    }
}
