using System.Globalization;
using NativeTrustRegion.Experiments.Running;
using Spectre.Console;

namespace NativeTrustRegion.Cli.Commands;

/// <summary>
/// Progress of the control demo's run: a Spectre progress bar per task (step, loss, it/s) on an interactive terminal,
/// plain lines (one every few seconds while training) when the output is redirected.
/// </summary>
public sealed class ControlDemoProgress : IRunProgress
{
    private readonly ProgressContext? _context;
    private ProgressTask? _bar;
    private DateTime _lastLine = DateTime.MinValue;
    private int _tasks;

    private ControlDemoProgress(ProgressContext? context)
    {
        _context = context;
    }

    /// <summary>Runs <paramref name="body"/> with a live display when the console is interactive.</summary>
    public static T Show<T>(Func<IRunProgress, T> body)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive || Console.IsOutputRedirected)
        {
            return body(new ControlDemoProgress(null));
        }
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .Start(context => result = body(new ControlDemoProgress(context)));
        return result;
    }

    public void Phase(string description) => Line(description);

    public void StartTask(int task, int tasks, int stepsPerTask, int startStep)
    {
        _tasks = tasks;
        if (_context is null)
        {
            Line($"task {task + 1}/{tasks}: {stepsPerTask} steps" + (startStep > 0 ? $" (resuming at step {startStep})" : ""));
            return;
        }
        _bar?.StopTask();
        _bar = _context.AddTask(Markup.Escape($"task {task + 1}/{tasks}"), maxValue: stepsPerTask);
        _bar.Value = startStep;
    }

    public void Step(int task, int stepInTask, double loss, double stepsPerSecond)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"task {task + 1}/{_tasks} step {stepInTask} loss {loss:F4} {stepsPerSecond:F1} it/s");
        if (_context is null)
        {
            if ((DateTime.UtcNow - _lastLine).TotalSeconds >= 5)
            {
                Line(text);
                _lastLine = DateTime.UtcNow;
            }
            return;
        }
        _bar!.Description = Markup.Escape(text);
        _bar.Value = stepInTask;
    }

    public void TaskEvaluated(int task, IReadOnlyList<double?> metricRow, string metricName)
    {
        var values = string.Join("  ", metricRow.Select((v, j) => $"T{j + 1} {v?.ToString("F2", CultureInfo.InvariantCulture) ?? "—"}"));
        Line($"after task {task + 1}: {metricName}: {values}");
    }

    public void Message(string text) => Line(text);

    private void Line(string text)
    {
        if (_context is null)
        {
            Console.WriteLine(text);
        }
        else
        {
            AnsiConsole.MarkupLine($"[grey]{Markup.Escape(text)}[/]");
        }
    }
}
