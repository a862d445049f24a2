using System.CommandLine;
using System.Globalization;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Experiments.Configuration;
using NativeTrustRegion.Experiments.Inspection;
using Spectre.Console;

namespace NativeTrustRegion.Cli.Commands;

/// <summary><c>ntr model summary --preset NAME</c>: every parameter, per-block subtotals, and the total.</summary>
public static class ModelCommand
{
    public static Command Build()
    {
        var command = new Command("model", "Inspect the denoising networks");
        var preset = new Option<string>("--preset")
        {
            Description = $"Model preset: {string.Join(", ", ModelPresetNames.All)}",
            Required = true,
        };
        var summary = new Command("summary", "Print every parameter (name, shape, count), per-block subtotals and the total") { preset };
        summary.SetAction(parseResult =>
        {
            var name = parseResult.GetValue(preset)!;
            ModelPresetNames.Validate(name);
            PrintSummary(name);
            return 0;
        });
        command.Subcommands.Add(summary);
        return command;
    }

    private static void PrintSummary(string presetName)
    {
        if (Console.IsOutputRedirected)
        {
            AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 160);
            AnsiConsole.Profile.Capabilities.Ansi = false;
        }
        var model = ModelSummary.Of(presetName);
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(model.Name)}[/]: {Markup.Escape(model.Description)}");
        AnsiConsole.MarkupLine($"sample {Markup.Escape(TensorOpException.Format(model.SampleShape))}, " +
            $"condition {(model.ConditionShape is null ? "none" : Markup.Escape(TensorOpException.Format(model.ConditionShape)))}");

        var layers = new Table().Border(TableBorder.Simple)
            .AddColumn(new TableColumn("parameter").NoWrap()).AddColumn(new TableColumn("shape").NoWrap()).AddColumn(new TableColumn("count").RightAligned().NoWrap());
        foreach (var block in model.Blocks)
        {
            layers.AddRow(new Markup($"[bold]{Markup.Escape(block.Name)}[/]"), new Markup($"[dim]{Markup.Escape(block.Description)}[/]"), new Text(""));
            foreach (var p in block.Parameters)
            {
                layers.AddRow(new Text(p.Name), new Text(TensorOpException.Format(p.Shape)), new Text(Format(p.Count)));
            }
            layers.AddRow(new Markup($"[italic]subtotal {Markup.Escape(block.Name)}[/]"), new Text(""), new Markup($"[bold]{Format(block.Count)}[/]"));
            layers.AddEmptyRow();
        }
        AnsiConsole.Write(layers);

        var totals = new Table().Border(TableBorder.Rounded).Title("blocks")
            .AddColumn("block").AddColumn("contents").AddColumn(new TableColumn("parameters").RightAligned());
        foreach (var block in model.Blocks)
        {
            totals.AddRow(new Text(block.Name), new Text(block.Description), new Text(Format(block.Count)));
        }
        totals.AddRow(new Markup("[bold]total[/]"), new Text($"{model.TensorCount} tensors"), new Markup($"[bold]{Format(model.ParameterCount)}[/]"));
        AnsiConsole.Write(totals);
        Console.Out.Flush();
        Console.WriteLine($"total parameters: {model.ParameterCount.ToString(CultureInfo.InvariantCulture)}");
    }

    private static string Format(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
