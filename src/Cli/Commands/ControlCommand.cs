using System.CommandLine;
using System.Globalization;
using NativeTrustRegion.Control;
using NativeTrustRegion.Control.Demonstrations;
using NativeTrustRegion.Control.Evaluation;
using NativeTrustRegion.Control.Experts;
using NativeTrustRegion.Control.Native;
using Spectre.Console;

namespace NativeTrustRegion.Cli.Commands;

/// <summary><c>ntr control …</c>: the CW10 robot-control suite (expert checks, demonstration collection, traces).</summary>
public static class ControlCommand
{
    public static Command Build()
    {
        var command = new Command("control", "CW10 robot-control suite on MuJoCo 2.2.2: scripted experts and demonstrations");
        command.Subcommands.Add(BuildExperts());
        command.Subcommands.Add(BuildCollect());
        command.Subcommands.Add(BuildTrace());
        return command;
    }

    private static Command BuildExperts()
    {
        var episodes = new Option<int>("--episodes") { Description = "Seeded episodes per task", DefaultValueFactory = _ => 50 };
        var firstSeed = new Option<int>("--first-seed") { Description = "Seed of the first episode", DefaultValueFactory = _ => 0 };
        var task = new Option<string?>("--task") { Description = "Only this task (default: all ten CW10 tasks)" };
        var noise = new Option<double>("--action-noise") { Description = "Std of Gaussian noise added to each action component (0 = noise-free)", DefaultValueFactory = _ => 0.0 };
        var command = new Command("experts", "Run each task's scripted expert over seeded episodes and print success rates");
        command.Options.Add(episodes);
        command.Options.Add(firstSeed);
        command.Options.Add(task);
        command.Options.Add(noise);
        command.SetAction(parseResult => ReportingErrors(() =>
        {
            double actionNoise = parseResult.GetValue(noise);
            int count = parseResult.GetValue(episodes);
            int seed = parseResult.GetValue(firstSeed);
            string? only = parseResult.GetValue(task);
            IReadOnlyList<ControlTask> tasks = only is null ? ControlTaskNames.Cw10 : [ControlTaskNames.Parse(only)];
            var reports = new RolloutReport[tasks.Count];
            Parallel.For(0, tasks.Count, i => reports[i] = ExpertEvaluation.Run(tasks[i], count, seed, actionNoise));

            var table = new Table().AddColumns("task", "successes", "success rate", "mean steps (successes)");
            foreach (RolloutReport report in reports)
            {
                double meanSteps = report.Successes == 0 ? 0 : report.Episodes.Where(e => e.Success).Average(e => e.Steps);
                table.AddRow(report.Task.ToName(), $"{report.Successes}/{report.Episodes.Count}",
                    Fraction(report.SuccessRate), meanSteps.ToString("F1", CultureInfo.InvariantCulture));
            }
            AnsiConsole.Write(table);
            foreach (RolloutReport report in reports)
            {
                string failed = string.Join(' ', report.Episodes.Where(e => !e.Success).Select(e => e.Seed));
                if (failed.Length > 0)
                {
                    Console.WriteLine($"{report.Task.ToName()} failed seeds: {failed}");
                }
            }
            Console.WriteLine($"min success: {Fraction(reports.Min(r => r.SuccessRate))}");
            return 0;
        }));
        return command;
    }

    private static Command BuildCollect()
    {
        var task = new Option<string>("--task") { Description = "Task name (e.g. push-wall), or 'all' for the ten CW10 tasks", Required = true };
        var episodes = new Option<int>("--episodes") { Description = "Episodes to write per task", DefaultValueFactory = _ => 2500 };
        var output = new Option<string>("--out") { Description = "Output folder; each task goes to <task-name>.ntrdemo", Required = true };
        var firstSeed = new Option<int>("--first-seed") { Description = "Seed of the first attempted episode", DefaultValueFactory = _ => 0 };
        var keepFailures = new Option<bool>("--keep-failures") { Description = "Also write episodes that did not reach success" };
        var command = new Command("collect", "Roll out the scripted expert and write demonstrations (one binary file per task)");
        command.Options.Add(task);
        command.Options.Add(episodes);
        command.Options.Add(output);
        command.Options.Add(firstSeed);
        command.Options.Add(keepFailures);
        command.SetAction(parseResult => ReportingErrors(() =>
        {
            string name = parseResult.GetValue(task)!;
            IReadOnlyList<ControlTask> tasks = name.Equals("all", StringComparison.OrdinalIgnoreCase)
                ? ControlTaskNames.Cw10
                : [ControlTaskNames.Parse(name)];
            int count = parseResult.GetValue(episodes);
            int seed = parseResult.GetValue(firstSeed);
            bool successfulOnly = !parseResult.GetValue(keepFailures);
            string folder = parseResult.GetValue(output)!;
            var lines = new string[tasks.Count];
            Parallel.For(0, tasks.Count, i =>
            {
                var collector = new DemonstrationCollector(tasks[i]) { SuccessfulOnly = successfulOnly };
                DemonstrationSet set = collector.Collect(count, seed);
                string path = Path.Combine(folder, DemonstrationFile.FileName(tasks[i]));
                DemonstrationFile.Write(path, set);
                double meanLength = set.Episodes.Count == 0 ? 0 : (double)set.TotalSteps / set.Episodes.Count;
                lines[i] = string.Create(CultureInfo.InvariantCulture,
                    $"{tasks[i].ToName()}: {set.Episodes.Count} episodes ({set.SuccessCount} successful) from {collector.Attempts} attempts, " +
                    $"{set.TotalSteps} steps (mean {meanLength:F1}), {new FileInfo(path).Length / 1024.0 / 1024.0:F2} MiB -> {path}");
            });
            foreach (string line in lines)
            {
                Console.WriteLine(line);
            }
            return 0;
        }));
        return command;
    }

    private static Command BuildTrace()
    {
        var task = new Option<string>("--task") { Description = "Task name", Required = true };
        var seed = new Option<int>("--seed") { Description = "Episode seed", DefaultValueFactory = _ => 0 };
        var every = new Option<int>("--every") { Description = "Print every N-th step", DefaultValueFactory = _ => 5 };
        var command = new Command("trace", "Print the expert's rollout of one seeded episode step by step");
        command.Options.Add(task);
        command.Options.Add(seed);
        command.Options.Add(every);
        command.SetAction(parseResult => ReportingErrors(() =>
        {
            ControlTask controlTask = ControlTaskNames.Parse(parseResult.GetValue(task)!);
            int stride = Math.Max(1, parseResult.GetValue(every));
            ScriptedExpert expert = ScriptedExpert.Create(controlTask);
            using var env = new ManipulationEnv(controlTask);
            float[] observation = env.Reset(parseResult.GetValue(seed));
            Console.WriteLine($"goal {env.Goal}");
            for (int step = 0; step < ManipulationEnv.MaxEpisodeSteps; step++)
            {
                float[] action = expert.Act(observation);
                StepResult result = env.Step(action);
                if (step % stride == 0 || result.Success)
                {
                    var view = new ObservationView(observation);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{step,3} hand {view.Hand} grip {view.GripperOpening:F2} obj1 {view.FirstObjectPosition} obj2 {view.SecondObjectPosition} " +
                        $"act [{action[0]:F2} {action[1]:F2} {action[2]:F2} {action[3]:F2}] success {result.Success}"));
                }
                observation = result.Observation;
                if (result.Success)
                {
                    break;
                }
            }
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// Runs a subcommand, turning the suite's expected failures (missing native libraries, bad arguments, corrupt
    /// files, MuJoCo errors) into one clear line on stderr and exit code 1 instead of a stack trace.
    /// </summary>
    private static int ReportingErrors(Func<int> action)
    {
        try
        {
            MuJoCoRuntime.EnsureLoaded();
            return action();
        }
        catch (Exception exception) when (Unwrap(exception) is MuJoCoLibraryException or ArgumentException or IOException
                                          or Control.Physics.MuJoCoException or InvalidOperationException)
        {
            Console.Error.WriteLine($"error: {Unwrap(exception).Message}");
            return 1;
        }
    }

    private static Exception Unwrap(Exception exception) =>
        exception is AggregateException { InnerExceptions.Count: 1 } aggregate ? Unwrap(aggregate.InnerExceptions[0]) : exception;

    /// <summary>A success rate written as a two-decimal fraction, e.g. 0.96.</summary>
    private static string Fraction(double value) => value.ToString("F2", CultureInfo.InvariantCulture);
}
