using System.Globalization;
using NativeTrustRegion.Experiments.Running;
using Spectre.Console;

namespace NativeTrustRegion.Cli.Progress;

/// <summary>
/// Progress of a run on the console: a Spectre progress bar per run (task, step, loss, it/s, ETA over the whole run) on
/// a terminal, or one plain line every few seconds when the output is redirected (CI logs, files). Several runs trained
/// side by side share one display (<see cref="ShowAll{T}"/>); every member may be called from the run's own thread.
/// </summary>
public sealed class ConsoleRunProgress : IRunProgress
{
    private readonly string _label;
    private readonly ProgressContext? _context;
    private ProgressTask? _task;
    private DateTime _lastLine = DateTime.MinValue;
    private int _taskIndex;
    private int _tasks;
    private int _stepsPerTask;

    public ConsoleRunProgress(string label, ProgressContext? context)
    {
        _label = label;
        _context = context;
    }

    /// <summary>Runs <paramref name="body"/> with a live progress display when the console is interactive.</summary>
    public static T Show<T>(string label, Func<IRunProgress, T> body) => ShowAll(context => body(new ConsoleRunProgress(label, context)));

    /// <summary>
    /// Runs <paramref name="body"/> with one live display (null when the output is redirected) in which any number of
    /// runs can show their bars, from any thread.
    /// </summary>
    public static T ShowAll<T>(Func<ProgressContext?, T> body)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive || Console.IsOutputRedirected)
        {
            return body(null);
        }
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx => result = body(ctx));
        return result;
    }

    public void Phase(string description)
    {
        if (_context is null)
        {
            Console.WriteLine($"[{_label}] {description}");
        }
        else if (_task is not null)
        {
            _task.Description = Markup.Escape($"{_label} T{_taskIndex + 1}/{_tasks}: {description}");
        }
        else
        {
            AnsiConsole.MarkupLine($"[grey]{Markup.Escape($"[{_label}] {description}")}[/]");
        }
    }

    public void StartTask(int task, int tasks, int stepsPerTask, int startStep)
    {
        _taskIndex = task;
        _tasks = tasks;
        _stepsPerTask = stepsPerTask;
        if (_context is null)
        {
            Console.WriteLine($"[{_label}] task {task + 1}/{tasks}: {stepsPerTask} steps" + (startStep > 0 ? $" (resuming at step {startStep})" : ""));
            return;
        }
        _task ??= _context.AddTask(Markup.Escape(_label), maxValue: (double)tasks * stepsPerTask);
        _task.MaxValue = (double)tasks * stepsPerTask;
        _task.Description = Markup.Escape($"{_label} T{task + 1}/{tasks}");
        _task.Value = (double)task * stepsPerTask + startStep;
    }

    public void Step(int task, int stepInTask, double loss, double stepsPerSecond)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"{_label} T{task + 1}/{_tasks} step {stepInTask} loss {loss:F4} {stepsPerSecond:F2} it/s");
        if (_context is null)
        {
            if ((DateTime.UtcNow - _lastLine).TotalSeconds >= 10)
            {
                Console.WriteLine($"[{text}]");
                _lastLine = DateTime.UtcNow;
            }
            return;
        }
        _task!.Description = Markup.Escape(text);
        _task.Value = (double)task * _stepsPerTask + stepInTask;
    }

    public void TaskEvaluated(int task, IReadOnlyList<double?> metricRow, string metricName)
    {
        var values = string.Join("  ", metricRow.Select((v, j) => $"T{j + 1} {v?.ToString("F3", CultureInfo.InvariantCulture) ?? "—"}"));
        var line = $"[{_label}] after task {task + 1}: {metricName}: {values}";
        if (_context is null)
        {
            Console.WriteLine(line);
        }
        else
        {
            AnsiConsole.MarkupLine(Markup.Escape(line));
        }
    }

    public void Message(string text)
    {
        if (_context is null)
        {
            Console.WriteLine($"[{_label}] {text}");
        }
        else
        {
            AnsiConsole.MarkupLine($"[grey]{Markup.Escape($"[{_label}] {text}")}[/]");
        }
    }
}
