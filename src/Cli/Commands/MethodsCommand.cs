using System.CommandLine;
using System.Globalization;
using NativeTrustRegion.Continual.Methods;
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
        var hyper = ExperimentPresets.Create(presetName, MethodTable.All[0], 123).Hyper;
        var naming = ExperimentConfig.Json.PropertyNamingPolicy!;
        var table = new Table().AddColumns("id", "report name", "Table 1", $"hyperparameters read (config.json \"hyper\", preset {Markup.Escape(presetName)})");
        foreach (var m in MethodTable.Methods)
        {
            var knobs = m.Hyperparameters.Select(p =>
                $"{naming.ConvertName(p)} = {Format(typeof(Continual.Training.Hyperparameters).GetProperty(p)!.GetValue(hyper))}");
            table.AddRow(m.Id, Markup.Escape(m.DisplayName), m.PaperRow?.ToString(CultureInfo.InvariantCulture) ?? "", Markup.Escape(string.Join(", ", knobs)));
        }
        AnsiConsole.Write(table);
    }

    // as config.json writes them
    private static string Format(object? value) => value switch
    {
        bool b => b ? "true" : "false",
        Enum e => System.Text.Json.JsonSerializer.Serialize(e, e.GetType()).Trim('"'),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "null",
    };
}
