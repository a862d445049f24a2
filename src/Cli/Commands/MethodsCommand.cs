using System.CommandLine;
using System.Globalization;
using NativeTrustRegion.Experiments.Configuration;
using Spectre.Console;

namespace NativeTrustRegion.Cli.Commands;

/// <summary>
/// <c>ntr methods [--preset P]</c>: the method table — id, report name, row in the paper's Table 1 — and the
/// hyperparameters each method reads, by their config.json names with the preset's values.
/// </summary>
public static class MethodsCommand
{
    public static Command Build()
    {
        var preset = new Option<string>("--preset")
        {
            Description = $"experiment preset whose hyperparameter values are shown: {string.Join(", ", ExperimentPresets.Names)}",
            DefaultValueFactory = _ => "demo",
        };
        var command = new Command("methods", "List the continual-learning methods and the hyperparameters each one reads") { preset };
        command.SetAction(parseResult =>
        {
            var name = parseResult.GetValue(preset)!;
            if (!ExperimentPresets.Names.Contains(name))
            {
                Console.Error.WriteLine($"error: unknown experiment preset '{name}'. Fix: use one of {string.Join(", ", ExperimentPresets.Names)}");
                return 2;
            }
            Print(name);
            return 0;
        });
        return command;
    }

    private static void Print(string presetName)
    {
        var table = new Table().AddColumns("id", "report name", "Table 1", $"hyperparameters read (config.json \"hyper\", preset {Markup.Escape(presetName)})");
        foreach (var m in MethodListing.ForPreset(presetName))
        {
            table.AddRow(m.Id, Markup.Escape(m.DisplayName), m.PaperRow?.ToString(CultureInfo.InvariantCulture) ?? "", Markup.Escape(string.Join(", ", m.Hyperparameters)));
        }
        AnsiConsole.Write(table);
    }
}
