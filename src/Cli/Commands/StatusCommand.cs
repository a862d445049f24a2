using System.CommandLine;
using System.Globalization;
using NativeTrustRegion.Experiments.Cluster;
using Spectre.Console;

namespace NativeTrustRegion.Cli.Commands;

/// <summary>`ntr status DIR`: every run of a comparison (local or Slurm) with its state, progress and ETA, or its failure.</summary>
public static class StatusCommand
{
    public static Command Build()
    {
        var dir = new Argument<string>("folder") { Description = "a comparison folder (from `ntr compare`, local or --executor slurm)" };
        var cmd = new Command("status", "the state of every run of a comparison: pending, running (task, step, ETA), stopped, failed (with the reason), done")
            { dir };
        cmd.SetAction(parse =>
        {
            var path = Path.GetFullPath(parse.GetValue(dir)!);
            SweepStatus.Sweep sweep;
            try
            {
                sweep = SweepStatus.Read(path);
            }
            catch (FileNotFoundException e)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }
            var table = new Table()
                .AddColumn("#").AddColumn("method").AddColumn("seed").AddColumn("state").AddColumn("task").AddColumn("step")
                .AddColumn("it/s").AddColumn("ETA").AddColumn("detail");
            foreach (var r in sweep.Runs)
            {
                table.AddRow(
                    r.Index.ToString(CultureInfo.InvariantCulture),
                    Markup.Escape(r.Method),
                    r.Seed.ToString(CultureInfo.InvariantCulture),
                    StateMarkup(r.State),
                    r.Task is { } t ? $"{t}/{r.Tasks}" : $"-/{r.Tasks}",
                    $"{r.Step}/{r.TotalSteps}",
                    r.StepsPerSecond is { } rate && r.State == SweepStatus.RunState.Running ? rate.ToString("F2", CultureInfo.InvariantCulture) : "",
                    r.Eta is { } eta ? FormatEta(eta) : "",
                    Markup.Escape(r.Detail));
            }
            var executor = sweep.Slurm is { } slurm ? $"Slurm job {slurm.CurrentJobId}" : "local";
            AnsiConsole.MarkupLine(Markup.Escape($"{path} ({executor}): {sweep.Runs.Count(r => r.State == SweepStatus.RunState.Done)} of {sweep.Runs.Count} runs done"));
            AnsiConsole.Write(table);
            if (sweep.QueueProblem is { } problem)
            {
                Console.WriteLine($"note: {problem}");
            }
            Console.WriteLine("ETA counts training steps at the latest rate; end-of-task work (Fisher, replay, evaluation) comes on top.");
            return 0;
        });
        return cmd;
    }

    private static string StateMarkup(SweepStatus.RunState state) => state switch
    {
        SweepStatus.RunState.Done => "[green]done[/]",
        SweepStatus.RunState.Running => "[blue]running[/]",
        SweepStatus.RunState.Failed => "[red]failed[/]",
        SweepStatus.RunState.Stopped => "[yellow]stopped[/]",
        _ => "pending",
    };

    private static string FormatEta(TimeSpan eta) =>
        eta.TotalHours >= 1 ? $"{(int)eta.TotalHours}h{eta.Minutes:00}m" : eta.TotalMinutes >= 1 ? $"{eta.Minutes}m{eta.Seconds:00}s" : $"{eta.Seconds}s";
}
