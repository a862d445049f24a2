using System.CommandLine;
using System.Globalization;
using NativeTrustRegion.Cli.Progress;
using NativeTrustRegion.Continual.Methods;
using NativeTrustRegion.Experiments.Configuration;
using NativeTrustRegion.Experiments.Reports;
using NativeTrustRegion.Experiments.Results;
using NativeTrustRegion.Experiments.Running;
using Spectre.Console;

namespace NativeTrustRegion.Cli.Commands;

/// <summary>The trainer: `ntr run`, `ntr compare`, `ntr resume`, `ntr report` and `ntr demo`.</summary>
public static class RunCommands
{
    private static Option<string> PresetOption(string defaultValue = "demo") => new("--preset")
    {
        Description = $"experiment preset: {string.Join(", ", ExperimentPresets.Names)}",
        DefaultValueFactory = _ => defaultValue,
    };

    private static Option<int?> StepsOption() => new("--steps-per-task") { Description = "override the preset's gradient updates per task" };

    private static Option<string?> DeviceOption() => new("--device") { Description = "cpu, cuda or cuda:N (default: the preset's)" };

    public static IEnumerable<Command> Build()
    {
        yield return Run();
        yield return Compare();
        yield return Resume();
        yield return Report();
        yield return Demo();
    }

    private static Command Run()
    {
        var method = new Option<string>("--method") { Description = $"method: {string.Join(", ", MethodTable.All)}", Required = true };
        var preset = PresetOption();
        var seed = new Option<ulong>("--seed") { Description = "random seed", DefaultValueFactory = _ => 123 };
        var output = new Option<string?>("--out") { Description = "run folder (default runs/PRESET-METHOD-seedSEED)" };
        var steps = StepsOption();
        var device = DeviceOption();
        var cmd = new Command("run", "train one method over a task stream; writes a resumable run folder with metrics, checkpoints, samples and a report");
        foreach (var o in new Option[] { method, preset, seed, output, steps, device })
        {
            cmd.Options.Add(o);
        }
        cmd.SetAction(parse =>
        {
            var config = ExperimentPresets.Create(parse.GetValue(preset)!, parse.GetValue(method)!, parse.GetValue(seed));
            if (parse.GetValue(steps) is { } s)
            {
                config = config with { StepsPerTask = s };
            }
            if (parse.GetValue(device) is { } d)
            {
                config = config with { Device = Engine.Device.Parse(d) };
            }
            var dir = parse.GetValue(output) ?? Path.Combine("runs", $"{config.Preset}-{config.Method}-seed{config.Seed}");
            var folder = new RunFolder(dir);
            if (folder.HasCheckpoint && !folder.IsFinished)
            {
                Console.Error.WriteLine($"{dir} already holds an unfinished run; continue it with `ntr resume {dir}` or choose another --out.");
                return 1;
            }
            var result = ConsoleRunProgress.Show(config.Method, p => new ExperimentRunner(config, folder, ExperimentDomains.For(config), p).Run());
            var report = new ComparisonReport([result], $"{MethodTable.DisplayName(config.Method)} on {config.Preset} (seed {config.Seed})");
            report.Write(folder.Root);
            PrintTable(report);
            Console.WriteLine($"run folder: {folder.Root}");
            return 0;
        });
        return cmd;
    }

    private static Command Compare()
    {
        var preset = PresetOption();
        var methods = new Option<string>("--methods") { Description = "comma-separated methods", DefaultValueFactory = _ => string.Join(",", MethodTable.PaperMethods) };
        var seeds = new Option<string?>("--seeds") { Description = "comma-separated seeds (default: the preset's seed list — 3 for imagenet500-paper, 4 for cw10-paper, else 123)" };
        var output = new Option<string>("--out") { Description = "comparison folder", Required = true };
        var steps = StepsOption();
        var device = DeviceOption();
        var workers = WorkersOption();
        var cmd = new Command("compare", "run several methods × seeds of one preset and write report.md, report.html and summary.json");
        foreach (var o in new Option[] { preset, methods, seeds, output, steps, device, workers })
        {
            cmd.Options.Add(o);
        }
        cmd.SetAction(parse =>
        {
            var plan = new ComparisonPlan
            {
                Preset = parse.GetValue(preset)!,
                Methods = SplitList(parse.GetValue(methods)!),
                Seeds = ComparisonPlan.SeedsFor(parse.GetValue(preset)!, parse.GetValue(seeds) is { } given ? ParseSeeds(given) : null),
                Directory = Path.GetFullPath(parse.GetValue(output)!),
                StepsPerTask = parse.GetValue(steps),
                Device = parse.GetValue(device),
                Workers = parse.GetValue(workers),
                Title = $"Continual learning on {parse.GetValue(preset)}",
            };
            return Execute(plan);
        });
        return cmd;
    }

    private static Command Demo()
    {
        var output = new Option<string>("--out") { Description = "output folder", DefaultValueFactory = _ => Path.Combine("runs", "demo") };
        var methods = new Option<string>("--methods") { Description = "comma-separated methods", DefaultValueFactory = _ => string.Join(",", MethodTable.PaperMethods) };
        var seeds = new Option<string>("--seeds") { Description = "comma-separated seeds", DefaultValueFactory = _ => "123" };
        var steps = StepsOption();
        var workers = WorkersOption();
        var cmd = new Command("demo", "the paper's six methods on the embedded glyph data set on the CPU: report.md, report.html, summary.json");
        foreach (var o in new Option[] { output, methods, seeds, steps, workers })
        {
            cmd.Options.Add(o);
        }
        cmd.SetAction(parse =>
        {
            var plan = new ComparisonPlan
            {
                Preset = "demo",
                Methods = SplitList(parse.GetValue(methods)!),
                Seeds = SplitList(parse.GetValue(seeds)!).Select(s => ulong.Parse(s, CultureInfo.InvariantCulture)).ToArray(),
                Directory = Path.GetFullPath(parse.GetValue(output)!),
                StepsPerTask = parse.GetValue(steps),
                Device = "cpu",
                Workers = parse.GetValue(workers),
                Title = "NativeTrustRegion demo: the paper's six methods on the embedded glyph stream (5 tasks × 2 classes, CPU)",
            };
            return Execute(plan);
        });
        return cmd;
    }

    private static Command Resume()
    {
        var dir = new Argument<string>("folder") { Description = "a run folder (from `ntr run`) or a comparison folder (from `ntr compare` / `ntr demo`)" };
        var cmd = new Command("resume", "continue an interrupted run or comparison from its last checkpoint");
        cmd.Arguments.Add(dir);
        cmd.SetAction(parse =>
        {
            var path = Path.GetFullPath(parse.GetValue(dir)!);
            if (File.Exists(ComparisonPlan.PlanPath(path)))
            {
                return Execute(ComparisonPlan.Load(path));
            }
            var folder = new RunFolder(path);
            var config = folder.ReadConfig();
            if (folder.IsFinished)
            {
                Console.WriteLine($"{path} is already finished; see report.md there");
                return 0;
            }
            var result = ConsoleRunProgress.Show(config.Method, p => new ExperimentRunner(config, folder, ExperimentDomains.For(config), p).Run());
            var report = new ComparisonReport([result], $"{MethodTable.DisplayName(config.Method)} on {config.Preset} (seed {config.Seed})");
            report.Write(folder.Root);
            PrintTable(report);
            return 0;
        });
        return cmd;
    }

    private static Command Report()
    {
        var dir = new Argument<string>("folder") { Description = "folder searched (recursively) for finished runs' results.json" };
        var title = new Option<string?>("--title") { Description = "report title" };
        var cmd = new Command("report", "rebuild report.md, report.html and summary.json from finished runs");
        cmd.Arguments.Add(dir);
        cmd.Options.Add(title);
        cmd.SetAction(parse =>
        {
            var path = Path.GetFullPath(parse.GetValue(dir)!);
            var results = Directory.EnumerateFiles(path, "results.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(ResultJson.Read).ToList();
            if (results.Count == 0)
            {
                Console.Error.WriteLine($"no finished runs (results.json) under {path}");
                return 1;
            }
            var report = new ComparisonReport(results, parse.GetValue(title) ?? $"Continual learning report ({results.Count} runs)");
            report.Write(path);
            PrintTable(report);
            Console.WriteLine($"report written to {Path.Combine(path, "report.md")}");
            return 0;
        });
        return cmd;
    }

    private static int Execute(ComparisonPlan plan)
    {
        var report = ConsoleRunProgress.ShowAll(context => plan.Execute(label => new ConsoleRunProgress(label, context)));
        PrintTable(report);
        Console.WriteLine($"report: {Path.Combine(plan.Directory, "report.md")} (also report.html, summary.json)");
        return 0;
    }

    private static void PrintTable(ComparisonReport report)
    {
        var table = new Table().AddColumn("method").AddColumn("seeds").AddColumn($"avg {report.Metric.Name}").AddColumn("forgetting");
        foreach (var s in report.Summaries())
        {
            table.AddRow(Markup.Escape(MethodTable.DisplayName(s.Method)), s.Seeds.ToString(CultureInfo.InvariantCulture), report.AverageCell(s.AverageMetric), report.ForgettingCell(s.Forgetting));
        }
        AnsiConsole.Write(table);
    }

    private static Option<int?> WorkersOption() => new("--workers")
    {
        Description = "runs trained at once, each with an equal share of the CPU threads (default: one per core on the CPU, one on a GPU; results do not depend on it)",
    };

    private static ulong[] ParseSeeds(string list) => SplitList(list).Select(s => ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var seed)
        ? seed
        : throw new ArgumentException($"--seeds: '{s}' is not a seed; give non-negative integers separated by commas, e.g. --seeds 1,2,3")).ToArray();

    private static string[] SplitList(string s) => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
