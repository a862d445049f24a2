using NativeTrustRegion.Cli.Progress;
using System.CommandLine;
using System.Globalization;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Experiments.Configuration;
using NativeTrustRegion.Experiments.Control;
using NativeTrustRegion.Experiments.Reports;
using NativeTrustRegion.Experiments.Results;
using NativeTrustRegion.Experiments.Running;
using Spectre.Console;

namespace NativeTrustRegion.Cli.Commands;

/// <summary><c>ntr control …</c>: the CW10 robot-control suite (expert checks, demonstration collection, traces) and the continual-learning demo.</summary>
public static class ControlCommand
{
    public static Command Build()
    {
        return new Command("control", "CW10 robot-control suite on MuJoCo 2.2.2: scripted experts and demonstrations")
        {
            BuildExperts(), BuildCollect(), BuildTrace(), BuildDemo(), BuildGrid(),
        };
    }

    private static Command BuildGrid()
    {
        var preset = new Option<string>("--preset") { Description = "Base preset: the model and training of every run (cw10-paper: the paper's, GPU; cw10-cpu: CPU-sized)", DefaultValueFactory = _ => "cw10-paper" };
        var configs = new Option<string?>("--configs") { Description = "Comma-separated configurations such as S8_O6_A2 (default: the paper's 13 of Table 5)" };
        var tasks = new Option<string?>("--tasks") { Description = "Comma-separated tasks (default: the preset's, CW10's ten for cw10-paper)" };
        var output = new Option<string>("--out") { Description = "Grid folder: <out>/<config>/<task> run folders, grid.md and grid-table.json", Required = true };
        var steps = new Option<int?>("--steps-per-task") { Description = "Training steps per run (default: the preset's)" };
        var seed = new Option<ulong>("--seed") { Description = "Seed of every run", DefaultValueFactory = _ => 123 };
        var device = new Option<string?>("--device") { Description = "cpu, cuda or cuda:N (default: the preset's)" };
        var demos = new Option<string?>("--demos") { Description = "Demonstration cache folder (default: $NTR_DATA_DIR/cw10-demos)" };
        var command = new Command("grid",
            "The paper's Table 5: one policy per (S, O, A) configuration and task, trained from scratch on that task alone; mean success over the tasks. Running it again resumes it");
        foreach (var o in new Option[] { preset, configs, tasks, output, steps, seed, device, demos })
        {
            command.Options.Add(o);
        }
        command.SetAction(parseResult => ReportingErrors(() =>
        {
            string? configList = parseResult.GetValue(configs);
            string? taskList = parseResult.GetValue(tasks);
            string? demoFolder = parseResult.GetValue(demos);
            var plan = new ControlGridPlan
            {
                BasePreset = parseResult.GetValue(preset)!,
                Shapes = configList is null ? PolicyShape.PaperGrid : configList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(PolicyShape.Parse).ToList(),
                Tasks = taskList?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ControlTaskList.Canonical).ToList(),
                Directory = Path.GetFullPath(parseResult.GetValue(output)!),
                Seed = parseResult.GetValue(seed),
                StepsPerTask = parseResult.GetValue(steps),
                Device = parseResult.GetValue(device),
                Adjust = demoFolder is null ? null : c => c with { Control = c.Control with { DemonstrationDirectory = Path.GetFullPath(demoFolder) } },
            };
            Console.WriteLine($"{plan.Shapes.Count} configuration(s) × {plan.TaskNames.Count} task(s) on {plan.BasePreset}, in {plan.Directory}");
            var result = ConsoleRunProgress.ShowAll(context => plan.Execute(label => new ConsoleRunProgress(label, context)));
            var table = new Table().AddColumns("Config", "S", "O", "A", "Mean success");
            foreach (var r in result.Ranked)
            {
                table.AddRow(r.Shape.Name, r.Shape.SequenceLength.ToString(CultureInfo.InvariantCulture), r.Shape.ObservationSteps.ToString(CultureInfo.InvariantCulture),
                    r.Shape.ActionChunk.ToString(CultureInfo.InvariantCulture), r.Mean.ToString("0.000", CultureInfo.InvariantCulture));
            }
            AnsiConsole.Write(table);
            Console.WriteLine($"table: {Path.Combine(plan.Directory, "grid.md")} (and grid-table.json)");
            return 0;
        }));
        return command;
    }

    private static Command BuildExperts()
    {
        var episodes = new Option<int>("--episodes") { Description = "Seeded episodes per task", DefaultValueFactory = _ => 50 };
        var firstSeed = new Option<int>("--first-seed") { Description = "Seed of the first episode", DefaultValueFactory = _ => 0 };
        var task = new Option<string?>("--task") { Description = "Only this task (default: all ten CW10 tasks)" };
        var noise = new Option<double>("--action-noise") { Description = "Std of Gaussian noise added to each action component (0 = noise-free)", DefaultValueFactory = _ => 0.0 };
        var command = new Command("experts", "Run each task's scripted expert over seeded episodes and print success rates")
            { episodes, firstSeed, task, noise };
        command.SetAction(parseResult => ReportingErrors(() =>
        {
            double actionNoise = parseResult.GetValue(noise);
            int count = parseResult.GetValue(episodes);
            int seed = parseResult.GetValue(firstSeed);
            string? only = parseResult.GetValue(task);
            IReadOnlyList<string> tasks = only is null ? ControlTaskList.Cw10 : [ControlTaskList.Canonical(only)];
            UsageException.RequireAtLeast("--episodes", count, 1);
            if (!double.IsFinite(actionNoise) || actionNoise < 0)
            {
                throw new UsageException($"--action-noise must be a number ≥ 0, not {actionNoise}");
            }
            var reports = ExpertCheck.Run(tasks, count, seed, actionNoise);

            var table = new Table().AddColumns("task", "successes", "success rate", "mean steps (successes)");
            foreach (ExpertCheck report in reports)
            {
                table.AddRow(report.Task, $"{report.Successes}/{report.Episodes}",
                    Fraction(report.SuccessRate), report.MeanSuccessSteps.ToString("F1", CultureInfo.InvariantCulture));
            }
            AnsiConsole.Write(table);
            foreach (ExpertCheck report in reports)
            {
                string failed = string.Join(' ', report.FailedSeeds);
                if (failed.Length > 0)
                {
                    Console.WriteLine($"{report.Task} failed seeds: {failed}");
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
        var command = new Command("collect", "Roll out the scripted expert and write demonstrations (one binary file per task)")
            { task, episodes, output, firstSeed, keepFailures };
        command.SetAction(parseResult => ReportingErrors(() =>
        {
            string name = parseResult.GetValue(task)!;
            IReadOnlyList<string> tasks = name.Equals("all", StringComparison.OrdinalIgnoreCase)
                ? ControlTaskList.Cw10
                : [ControlTaskList.Canonical(name)];
            int count = parseResult.GetValue(episodes);
            int seed = parseResult.GetValue(firstSeed);
            bool successfulOnly = !parseResult.GetValue(keepFailures);
            string folder = parseResult.GetValue(output)!;
            UsageException.RequireAtLeast("--episodes", count, 1);
            RunCommands.RequireFolderPath("--out", Path.GetFullPath(folder));
            var lines = DemonstrationCollection.Run(tasks, count, seed, successfulOnly, folder).Select(c => string.Create(CultureInfo.InvariantCulture,
                $"{c.Task}: {c.Episodes} episodes ({c.Successful} successful) from {c.Attempts} attempts, " +
                $"{c.TotalSteps} steps (mean {c.MeanLength:F1}), {c.FileBytes / 1024.0 / 1024.0:F2} MiB -> {c.Path}"));
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
        var command = new Command("trace", "Print the expert's rollout of one seeded episode step by step") { task, seed, every };
        command.SetAction(parseResult => ReportingErrors(() =>
        {
            string controlTask = parseResult.GetValue(task)!;
            int stride = Math.Max(1, parseResult.GetValue(every));
            var trace = ExpertTrace.Record(controlTask, parseResult.GetValue(seed));
            Console.WriteLine($"goal {trace.Goal}");
            foreach (var step in trace.Steps.Where(s => s.Index % stride == 0 || s.Success))
            {
                float[] action = step.Action;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{step.Index,3} hand {step.Hand} grip {step.GripperOpening:F2} obj1 {step.FirstObject} obj2 {step.SecondObject} " +
                    $"act [{action[0]:F2} {action[1]:F2} {action[2]:F2} {action[3]:F2}] success {step.Success}"));
            }
            return 0;
        }));
        return command;
    }

    private static Command BuildDemo()
    {
        var method = new Option<string>("--method") { Description = $"Continual method: {string.Join(", ", MethodNames.All)}", DefaultValueFactory = _ => "trust-region" };
        var output = new Option<string>("--out") { Description = "Folder for the runs: <out>/<method> holds the run and its report.md/report.html", DefaultValueFactory = _ => Path.Combine("runs", "control-demo") };
        var tasks = new Option<string[]>("--tasks") { Description = "Task stream, in order (default: the cw10-cpu preset's faucet-close handle-press-side window-close)", AllowMultipleArgumentsPerToken = true };
        var steps = new Option<int?>("--steps-per-task") { Description = "Training steps per task (default: the preset's 400)" };
        var seed = new Option<ulong>("--seed") { Description = "Run seed", DefaultValueFactory = _ => 123 };
        var demos = new Option<string?>("--demos") { Description = "Demonstration cache folder (default: $NTR_DATA_DIR/cw10-demos)" };
        var command = new Command("demo", "Collect demonstrations for a short CW10 stream and run one continual method end to end on the CPU (cw10-cpu preset), then write a report")
            { method, output, tasks, steps, seed, demos };
        command.SetAction(parseResult => ReportingErrors(() =>
        {
            string id = parseResult.GetValue(method)!;
            MethodNames.Validate(id);
            ExperimentConfig preset = ExperimentPresets.Cw10Cpu(id, parseResult.GetValue(seed));
            string[]? stream = parseResult.GetValue(tasks);
            var config = preset with
            {
                ControlTasks = stream is { Length: > 0 } ? stream.SelectMany(t => t.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Select(ControlTaskList.Canonical).ToArray() : preset.ControlTasks,
                StepsPerTask = parseResult.GetValue(steps) ?? preset.StepsPerTask,
                Control = preset.Control with { DemonstrationDirectory = Path.GetFullPath(parseResult.GetValue(demos) ?? DemonstrationCache.DefaultDirectory) },
            };
            config.Validate();
            new DemonstrationCache(config.Control.DemonstrationDirectory!).CheckExisting(config.ControlTasks);
            string root = Path.GetFullPath(parseResult.GetValue(output)!);
            RunCommands.RequireFolderPath("--out", root);
            var folder = new RunFolder(Path.Combine(root, id));
            ControlRuntime.EnsureLoaded();
            RunResult result;
            if (folder.IsFinished)
            {
                Console.WriteLine($"{folder.Root} holds a finished run; reporting it (delete the folder to run again)");
                result = ResultJson.Read(folder.ResultsPath);
            }
            else
            {
                if (folder.HasCheckpoint)
                {
                    config = folder.CheckResumable();
                    Console.WriteLine($"resuming the run in {folder.Root}");
                }
                Console.WriteLine($"{MethodNames.DisplayName(config.Method)} on {string.Join(" → ", config.ControlTasks)}: {config.StepsPerTask} steps per task, " +
                    $"{config.ModelPreset}, {config.Control.DemonstrationsPerTask} demonstrations per task from {config.Control.DemonstrationDirectory}");
                result = ConsoleRunProgress.Show(config.Method, progress => new ExperimentRunner(config, folder, ExperimentDomains.For(config), progress).Run());
            }
            new ComparisonReport([result], $"CW10 control demo: {MethodNames.DisplayName(result.Method)} on {string.Join(" → ", result.TaskNames)}").Write(folder.Root);
            PrintSummary(result);
            Console.WriteLine($"run folder: {folder.Root}");
            Console.WriteLine($"report: {Path.Combine(folder.Root, "report.md")} (and report.html)");
            return 0;
        }));
        return command;
    }

    private static void PrintSummary(RunResult result)
    {
        var table = new Table().AddColumn("after task");
        foreach (string name in result.TaskNames)
        {
            table.AddColumn(name);
        }
        for (int i = 0; i < result.Matrix.Length; i++)
        {
            var cells = new List<string> { $"{i + 1} ({result.TaskNames[i]})" };
            for (int j = 0; j < result.TaskNames.Length; j++)
            {
                cells.Add(j < result.Matrix[i].Length && result.Matrix[i][j] is double v ? Percent(v) : "");
            }
            table.AddRow(cells.Select(Markup.Escape).ToArray());
        }
        AnsiConsole.Write(table);
        var matrix = result.MetricMatrix();
        int last = result.TaskNames.Length - 1;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"average success rate {100 * matrix.AverageAfter(last):F1}%, average forgetting {100 * matrix.AverageForgetting(last):F1} percentage points, wall {result.WallSeconds:F0} s (probes {result.ProbeSeconds:F0} s)"));
    }

    /// <summary>Runs a subcommand; its errors (bad names, missing MuJoCo, corrupt files) go to the one error boundary (Program.Run).</summary>
    private static int ReportingErrors(Func<int> action) => action();

    /// <summary>A success rate in percent with one decimal, as the paper prints them, e.g. 96.0%.</summary>
    private static string Percent(double value) => (100 * value).ToString("F1", CultureInfo.InvariantCulture) + "%";

    /// <summary>A success rate written as a two-decimal fraction, e.g. 0.96.</summary>
    private static string Fraction(double value) => value.ToString("F2", CultureInfo.InvariantCulture);
}
