using System.CommandLine;
using System.Globalization;
using NativeTrustRegion.Cli.Errors;
using NativeTrustRegion.Cli.Progress;
using NativeTrustRegion.Cli.Signals;
using NativeTrustRegion.Engine.Distributed;
using NativeTrustRegion.Experiments.Cluster;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Experiments.Configuration;
using NativeTrustRegion.Experiments.Reports;
using NativeTrustRegion.Experiments.Results;
using NativeTrustRegion.Experiments.Running;
using Spectre.Console;
using ExitCodes = NativeTrustRegion.Cli.Errors.ExitCodes;

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

    private static Option<string?> DeviceOption() => new("--device") { Description = "cpu, cuda, cuda:N or cuda-emulated (default: the preset's)" };

    /// <summary>--cuda-graph on|off: on a CUDA device, capture each task's training step once and replay it (ExperimentRunner.CudaGraph).</summary>
    private static Option<string> CudaGraphOption()
    {
        var option = new Option<string>("--cuda-graph")
        {
            Description = "on a CUDA device: on = capture each task's training step in a CUDA graph and replay it (finetune, ewc, replay, trust-region; losses read every --loss-read-every steps), off = eager steps",
            DefaultValueFactory = _ => "on",
        };
        option.AcceptOnlyFromAmong("on", "off");
        return option;
    }

    private static Option<int> LossReadEveryOption() => new("--loss-read-every") { Description = "with --cuda-graph on: steps between two host reads of the losses (metrics lines are written then)", DefaultValueFactory = _ => 10 };

    private static Option<int?> TasksOption() => new("--tasks") { Description = "keep only the first N tasks of the preset's stream (a quick check)" };

    private static Option<int?> EvalSamplesOption() => new("--eval-samples") { Description = "override the preset's generated samples (or rollouts) per task in evaluations" };

    private static Option<string?> MetaGradientOption() => new("--meta-gradient")
    {
        Description = "FTML / VR-MCL: first-order (default, the paper's runs) or second-order (differentiates through the inner SGD step; ~5x slower per step in the paper)",
    };

    private static Option<string[]> SetOption() => new("--set")
    {
        Description = "change one configuration field, named as in config.json: --set hyper.ewc_lambda=200 (hyperparameters also without " +
                      "'hyper.': --set replay_ratio=0.5); repeat for several; recorded in config.json",
        Arity = ArgumentArity.ZeroOrMore,
    };

    private static Option<double?> LambdaOption() => new("--lambda")
    {
        Description = "the EWC / Trust Region penalty strength λ (same as --set hyper.ewc_lambda=X)",
    };

    /// <summary>--set's assignments with --lambda's appended (so --lambda wins over a --set of the same field).</summary>
    private static string[] Settings(ParseResult parse, Option<string[]> set, Option<double?> lambda)
    {
        var settings = (parse.GetValue(set) ?? []).ToList();
        if (parse.GetValue(lambda) is { } l)
        {
            settings.Add($"hyper.ewc_lambda={l.ToString("R", CultureInfo.InvariantCulture)}");
        }
        return settings.ToArray();
    }

    public static IEnumerable<Command> Build()
    {
        yield return Run();
        yield return Compare();
        yield return Resume();
        yield return Report();
        yield return StatusCommand.Build();
        yield return Demo();
    }

    private static Command Run()
    {
        var method = new Option<string>("--method") { Description = $"method: {string.Join(", ", MethodNames.All)}", Required = true };
        var preset = PresetOption();
        var seed = new Option<ulong>("--seed") { Description = "random seed", DefaultValueFactory = _ => 123 };
        var output = new Option<string?>("--out") { Description = "run folder (default runs/PRESET-METHOD-seedSEED)" };
        var steps = StepsOption();
        var device = DeviceOption();
        var tasks = TasksOption();
        var evalSamples = EvalSamplesOption();
        var precision = new Option<string?>("--precision") { Description = "fp32, tf32 (GPU) or bf16 (mixed precision: bf16 activations through the whole model with float32 accumulation and statistics; float32 weights, gradients, optimizer, loss and reductions); default: the device's (tf32 on a GPU, fp32 on the CPU)" };
        var gpus = new Option<int?>("--gpus") { Description = "data-parallel over N GPUs of this node: starts N ranks, rank r on GPU r, gradients all-reduced with NCCL" };
        var dryRun = new Option<bool>("--dry-run") { Description = "with --gpus: print the rank processes (environment and command line) instead of starting them" };
        var metaGradient = MetaGradientOption();
        var cudaGraph = CudaGraphOption();
        var lossReadEvery = LossReadEveryOption();
        var set = SetOption();
        var lambda = LambdaOption();
        var cmd = new Command("run", "train one method over a task stream; writes a resumable run folder with metrics, checkpoints, samples and a report");
        foreach (var o in new Option[] { method, preset, seed, output, steps, device, tasks, evalSamples, set, lambda, precision, gpus, dryRun, metaGradient, cudaGraph, lossReadEvery })
        {
            cmd.Options.Add(o);
        }
        cmd.SetAction(parse =>
        {
            // everything is checked before anything is built, loaded or written
            var config = ConfigOverrides.Apply(
                ExperimentPresets.Create(parse.GetValue(preset)!, parse.GetValue(method)!, parse.GetValue(seed)),
                parse.GetValue(steps), parse.GetValue(device), parse.GetValue(tasks), parse.GetValue(evalSamples), parse.GetValue(metaGradient), parse.GetValue(precision), Settings(parse, set, lambda));
            config.Validate();
            var dir = parse.GetValue(output) ?? Path.Combine("runs", $"{config.Preset}-{config.Method}-seed{config.Seed}");
            if (parse.GetValue(gpus) is { } gpuCount)
            {
                if (parse.GetValue(device) is { } given && given != "cuda")
                {
                    throw new UsageException($"--gpus {gpuCount} puts rank r on GPU r (--device cuda:r), so --device {given} does not apply. Fix: drop --device.");
                }
                List<string> rankArguments = ["--method", config.Method, "--preset", parse.GetValue(preset)!, "--seed", config.Seed.ToString(CultureInfo.InvariantCulture), "--out", Path.GetFullPath(dir)];
                foreach (var (name, value) in new[] { ("--steps-per-task", parse.GetValue(steps)), ("--tasks", parse.GetValue(tasks)), ("--eval-samples", parse.GetValue(evalSamples)) })
                {
                    if (value is { } v)
                    {
                        rankArguments.AddRange([name, v.ToString(CultureInfo.InvariantCulture)]);
                    }
                }
                if (parse.GetValue(metaGradient) is { } order)
                {
                    rankArguments.AddRange(["--meta-gradient", order]);
                }
                if (config.Precision is { } chosen)
                {
                    rankArguments.AddRange(["--precision", chosen.Name()]);
                }
                foreach (var setting in Settings(parse, set, lambda))
                {
                    rankArguments.AddRange(["--set", setting]);
                }
                return GpuLaunch.Run(config, gpuCount, rankArguments, parse.GetValue(dryRun));
            }
            if (parse.GetValue(dryRun))
            {
                throw new UsageException("--dry-run prints the processes of `ntr run --gpus N`. Fix: add --gpus N, or drop --dry-run.");
            }
            using var collective = Collectives.FromEnvironment();
            var folder = RankFolder(dir, collective);
            RequireFolderPath("--out", folder.Root);
            if (folder.HasCheckpoint && !folder.IsFinished)
            {
                throw new UsageException($"{folder.Root} already holds an unfinished run; continue it with `ntr resume {folder.Root}` or choose another --out");
            }
            BackendRegistry.For(config.Device);
            ErrorBoundary.WorkFolder = folder.Root;
            return TrainOne(config, folder, collective, () => Console.WriteLine($"run folder: {folder.Root}"), GraphChoice.From(parse.GetValue(cudaGraph)!, parse.GetValue(lossReadEvery)));
        });
        return cmd;
    }

    private static Command Compare()
    {
        var preset = PresetOption();
        var methods = new Option<string>("--methods") { Description = "comma-separated methods", DefaultValueFactory = _ => string.Join(",", MethodNames.PaperMethods) };
        var seeds = new Option<string?>("--seeds") { Description = "comma-separated seeds (default: the preset's seed list — 3 for imagenet500-paper, 4 for cw10-paper, else 123)" };
        var output = new Option<string>("--out") { Description = "comparison folder", Required = true };
        var steps = StepsOption();
        var device = DeviceOption();
        var workers = WorkersOption();
        var tasks = TasksOption();
        var evalSamples = EvalSamplesOption();
        var executor = new Option<string>("--executor") { Description = "local (train here) or slurm (submit one job array, one task per run)", DefaultValueFactory = _ => "local" };
        executor.AcceptOnlyFromAmong("local", "slurm");
        var partition = new Option<string?>("--partition") { Description = "slurm: partition of every array task" };
        var gres = new Option<string?>("--gres") { Description = "slurm: generic resources per task, e.g. gpu:1" };
        var time = new Option<string?>("--time") { Description = "slurm: time limit per task (HH:MM:SS); the run checkpoints and requeues itself 2 minutes before it" };
        var account = new Option<string?>("--account") { Description = "slurm: account charged" };
        var cpus = new Option<int>("--cpus-per-task") { Description = "slurm: CPU cores per task (the run's threads)", DefaultValueFactory = _ => 1 };
        var metaGradient = MetaGradientOption();
        var set = SetOption();
        var lambda = LambdaOption();
        var cmd = new Command("compare", "run several methods × seeds of one preset and write report.md, report.html and summary.json (here, or as a Slurm job array)");
        foreach (var o in new Option[] { preset, methods, seeds, output, steps, device, workers, tasks, evalSamples, set, lambda, executor, partition, gres, time, account, cpus, metaGradient })
        {
            cmd.Options.Add(o);
        }
        cmd.SetAction(parse =>
        {
            var plan = new ComparisonPlan
            {
                Preset = parse.GetValue(preset)!,
                Methods = CommandLineLists.Names("--methods", parse.GetValue(methods)!, MethodNames.All),
                Seeds = ComparisonPlan.SeedsFor(parse.GetValue(preset)!, parse.GetValue(seeds) is { } given ? CommandLineLists.Seeds("--seeds", given) : null),
                Directory = Path.GetFullPath(parse.GetValue(output)!),
                StepsPerTask = parse.GetValue(steps),
                Device = parse.GetValue(device),
                Workers = parse.GetValue(workers),
                Tasks = parse.GetValue(tasks),
                EvaluationSamples = parse.GetValue(evalSamples),
                MetaGradient = parse.GetValue(metaGradient),
                Settings = Settings(parse, set, lambda),
                Executor = parse.GetValue(executor)!,
                Title = $"Continual learning on {parse.GetValue(preset)}",
            };
            plan.Validate(); // every run's preset, method and overrides are checked here, before anything is written
            if (plan.Executor == "slurm")
            {
                var options = new SlurmOptions
                {
                    Partition = parse.GetValue(partition),
                    Gres = parse.GetValue(gres),
                    Time = parse.GetValue(time),
                    Account = parse.GetValue(account),
                    CpusPerTask = Math.Max(1, parse.GetValue(cpus)),
                };
                return SubmitToSlurm(plan, options);
            }
            return Execute(plan);
        });
        return cmd;
    }

    private static Command Demo()
    {
        var output = new Option<string>("--out") { Description = "output folder", DefaultValueFactory = _ => Path.Combine("runs", "demo") };
        var methods = new Option<string>("--methods") { Description = "comma-separated methods", DefaultValueFactory = _ => string.Join(",", MethodNames.PaperMethods) };
        var seeds = new Option<string>("--seeds") { Description = "comma-separated seeds", DefaultValueFactory = _ => "123" };
        var steps = StepsOption();
        var workers = WorkersOption();
        var set = SetOption();
        var lambda = LambdaOption();
        var cmd = new Command("demo", "the paper's six methods on the embedded glyph data set on the CPU: report.md, report.html, summary.json");
        foreach (var o in new Option[] { output, methods, seeds, steps, workers, set, lambda })
        {
            cmd.Options.Add(o);
        }
        cmd.SetAction(parse =>
        {
            var plan = new ComparisonPlan
            {
                Preset = "demo",
                Methods = CommandLineLists.Names("--methods", parse.GetValue(methods)!, MethodNames.All),
                Seeds = CommandLineLists.Seeds("--seeds", parse.GetValue(seeds)!),
                Directory = Path.GetFullPath(parse.GetValue(output)!),
                StepsPerTask = parse.GetValue(steps),
                Device = "cpu",
                Workers = parse.GetValue(workers),
                Settings = Settings(parse, set, lambda),
                Title = "NativeTrustRegion demo: the paper's six methods on the embedded glyph stream (5 tasks × 2 classes, CPU)",
            };
            return Execute(plan);
        });
        return cmd;
    }

    private static Command Resume()
    {
        var dir = new Argument<string>("folder") { Description = "a run folder (from `ntr run`) or a comparison folder (from `ntr compare` / `ntr demo`)" };
        var cudaGraph = CudaGraphOption();
        var lossReadEvery = LossReadEveryOption();
        var cmd = new Command("resume", "continue an interrupted run or comparison from its last checkpoint") { dir, cudaGraph, lossReadEvery };
        cmd.SetAction(parse =>
        {
            var path = Path.GetFullPath(parse.GetValue(dir)!);
            if (!Directory.Exists(path))
            {
                throw new UsageException($"{path} does not exist; pass a folder written by `ntr run`, `ntr compare` or `ntr demo`");
            }
            if (File.Exists(ComparisonPlan.PlanPath(path)))
            {
                var plan = ComparisonPlan.Load(path) with { Directory = path };
                if (plan.Executor == "slurm")
                {
                    return ResubmitToSlurm(plan);
                }
                return Execute(plan);
            }
            using var collective = Collectives.FromEnvironment();
            var folder = RankFolder(path, collective);
            if (!File.Exists(folder.ConfigPath))
            {
                throw new UsageException($"{path} is not a run folder (no config.json) nor a comparison folder (no compare.json); pass a folder written by `ntr run`, `ntr compare` or `ntr demo`");
            }
            var config = folder.CheckResumable();
            if (folder.IsFinished)
            {
                Console.WriteLine($"{path} is already finished; see report.md there");
                return 0;
            }
            BackendRegistry.For(config.Device);
            ErrorBoundary.WorkFolder = folder.Root;
            return TrainOne(config, folder, collective, () => { }, GraphChoice.From(parse.GetValue(cudaGraph)!, parse.GetValue(lossReadEvery)));
        });
        return cmd;
    }

    private static Command Report()
    {
        var dir = new Argument<string>("folder") { Description = "folder searched (recursively) for finished runs' results.json" };
        var title = new Option<string?>("--title") { Description = "report title" };
        var cmd = new Command("report", "rebuild report.md, report.html and summary.json from finished runs") { dir, title };
        cmd.SetAction(parse =>
        {
            var path = Path.GetFullPath(parse.GetValue(dir)!);
            if (!Directory.Exists(path))
            {
                throw new UsageException($"{path} does not exist; pass a folder holding finished runs (from `ntr run`, `ntr compare` or `ntr demo`)");
            }
            var planned = File.Exists(ComparisonPlan.PlanPath(path)) ? ComparisonPlan.Load(path) with { Directory = path } : null;
            // a comparison's runs in its own order (as `ntr compare` reports them), then any other finished run below;
            // every results.json is read (and checked) before any report file is written
            var files = planned?.Runs.Select(r => new RunFolder(planned.RunDirectory(r.Method, r.Seed)).ResultsPath).Where(File.Exists).ToList() ?? [];
            files.AddRange(Directory.EnumerateFiles(path, "results.json", SearchOption.AllDirectories).Select(Path.GetFullPath).Order(StringComparer.Ordinal).Except(files));
            var results = files.Select(ResultJson.Read).ToList();
            if (results.Count == 0)
            {
                throw new UsageException($"no finished runs (results.json) under {path}; finish them first with `ntr resume`");
            }
            var report = new ComparisonReport(results, parse.GetValue(title) ?? planned?.Title ?? $"Continual learning report ({results.Count} runs)");
            report.Write(path);
            PrintTable(report);
            Console.WriteLine($"report written to {Path.Combine(path, "report.md")} from {results.Count} finished runs");
            if (planned is not null)
            {
                var missing = planned.Runs.Where(r => !new RunFolder(planned.RunDirectory(r.Method, r.Seed)).IsFinished).ToList();
                Console.WriteLine(missing.Count == 0
                    ? $"all {planned.Runs.Count} runs of the comparison are in it"
                    : $"missing {missing.Count} of {planned.Runs.Count} runs (not finished): {string.Join(", ", missing.Select(r => $"{r.Method} seed {r.Seed}"))}; `ntr status {path}` says where they are");
            }
            return 0;
        });
        return cmd;
    }

    private static int Execute(ComparisonPlan plan)
    {
        RequireFolderPath("--out", plan.Directory);
        plan.Validate();
        BackendRegistry.For(plan.ConfigFor(plan.Methods[0], plan.Seeds[0]).Device);
        ErrorBoundary.WorkFolder = plan.Directory;
        using var stop = new StopSignal();
        ComparisonReport report;
        try
        {
            report = ConsoleRunProgress.ShowAll(context => plan.Execute(label => new ConsoleRunProgress(label, context), stop.Token));
        }
        catch (RunInterruptedException e)
        {
            Console.Error.WriteLine($"ntr: stopped ({e.Message}); continue with `ntr resume {plan.Directory}`");
            return ExitCodes.Interrupted;
        }
        PrintTable(report);
        Console.WriteLine($"report: {Path.Combine(plan.Directory, "report.md")} (also report.html, summary.json)");
        return 0;
    }

    /// <summary>Trains (or resumes) one run with a stop on SIGTERM/SIGINT, then writes its report into the run folder.</summary>
    /// <summary>What --cuda-graph and --loss-read-every ask of the runner.</summary>
    private readonly record struct GraphChoice(bool CudaGraph, int LossReadEvery)
    {
        public static GraphChoice From(string cudaGraph, int lossReadEvery) =>
            lossReadEvery < 1
                ? throw new UsageException($"--loss-read-every {lossReadEvery}: read the losses at least every 1 step")
                : new(cudaGraph == "on", lossReadEvery);
    }

    private static int TrainOne(ExperimentConfig config, RunFolder folder, ICollective collective, Action after, GraphChoice graph)
    {
        if (collective.Size > 1 && !MethodNames.DataParallelMethods.Contains(config.Method))
        {
            Console.Error.WriteLine($"ntr: data-parallel training over {collective.Size} ranks is implemented for {string.Join(", ", MethodNames.DataParallelMethods.Order())} only, not '{config.Method}'. Fix: run it as one process (without mpirun).");
            return 2;
        }
        using var stop = new StopSignal();
        RunResult result;
        var label = collective.Size > 1 ? $"{config.Method} rank {collective.Rank}/{collective.Size}" : config.Method;
        try
        {
            result = ConsoleRunProgress.Show(label, p => new ExperimentRunner(config, folder, ExperimentDomains.For(config), p)
            {
                Collective = collective,
                CudaGraph = graph.CudaGraph,
                LossReadEvery = graph.LossReadEvery,
            }.Run(stop.Token));
        }
        catch (RunInterruptedException e)
        {
            Console.Error.WriteLine(e.Checkpointed
                ? $"ntr: stopped after step {e.Step} with its checkpoint written; continue with `ntr resume {folder.Root}`"
                : $"ntr: stopped after step {e.Step} before its first checkpoint; `ntr run` starts it again");
            return ExitCodes.Interrupted;
        }
        var report = new ComparisonReport([result], $"{MethodNames.DisplayName(config.Method)} on {config.Preset} (seed {config.Seed})");
        report.Write(folder.Root);
        PrintTable(report);
        after();
        return 0;
    }

    /// <summary>
    /// The run folder of this rank: the given one for rank 0 (and a single rank), DIR.rank-N beside it for rank N of a
    /// data-parallel run (every rank keeps its own checkpoints and logs; their weights are equal).
    /// </summary>
    private static RunFolder RankFolder(string dir, ICollective collective) =>
        new(collective.Rank == 0 ? dir : Path.GetFullPath(dir).TrimEnd('/') + $".rank-{collective.Rank}");

    private static int SubmitToSlurm(ComparisonPlan plan, SlurmOptions options)
    {
        SlurmSweep sweep;
        try
        {
            sweep = SlurmSweep.Submit(plan, options, NtrCommandLine.OfThisProcess());
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            Console.Error.WriteLine($"ntr: {e.Message}");
            return 1;
        }
        Console.WriteLine($"submitted Slurm job array {sweep.CurrentJobId} ({plan.Runs.Count} tasks, one per run): {SlurmSweepScript.ScriptPath(plan.Directory)}");
        Console.WriteLine($"logs: {SlurmSweepScript.LogDirectory(plan.Directory)}/task-I.log; follow with `ntr status {plan.Directory}`, then `ntr report {plan.Directory}`");
        return 0;
    }

    private static int ResubmitToSlurm(ComparisonPlan plan)
    {
        var earlier = SlurmSweep.TryLoad(plan.Directory);
        if (earlier is null)
        {
            Console.Error.WriteLine($"ntr: {SlurmSweep.RecordPath(plan.Directory)} is missing; submit the comparison again with `ntr compare ... --executor slurm`");
            return 1;
        }
        var status = SweepStatus.Read(plan.Directory);
        var live = status.Runs.Where(r => r.State is SweepStatus.RunState.Running || (r.State is SweepStatus.RunState.Pending && r.Detail.StartsWith("queued", StringComparison.Ordinal))).ToList();
        if (live.Count > 0)
        {
            Console.Error.WriteLine($"ntr: job {earlier.CurrentJobId} still has {live.Count} queued or running tasks; wait for them (`ntr status {plan.Directory}`) or scancel it first");
            return 1;
        }
        if (status.Runs.All(r => r.State == SweepStatus.RunState.Done))
        {
            Console.WriteLine($"every run in {plan.Directory} is finished; `ntr report {plan.Directory}` writes the report");
            return 0;
        }
        return SubmitToSlurm(plan, earlier.Options);
    }

    private static void PrintTable(ComparisonReport report)
    {
        var table = new Table().AddColumn("method").AddColumn("seeds").AddColumn($"avg {report.Metric.Name}").AddColumn("forgetting");
        foreach (var s in report.Summaries())
        {
            table.AddRow(Markup.Escape(MethodNames.DisplayName(s.Method)), s.Seeds.ToString(CultureInfo.InvariantCulture), report.AverageCell(s.AverageMetric), report.ForgettingCell(s.Forgetting));
        }
        AnsiConsole.Write(table);
    }

    private static Option<int?> WorkersOption() => new("--workers")
    {
        Description = "runs trained at once, each with an equal share of the CPU threads (default: one per core on the CPU, one on a GPU; results do not depend on it)",
    };

    /// <summary>A folder to write into must not be an existing file.</summary>
    internal static void RequireFolderPath(string option, string path)
    {
        if (File.Exists(path))
        {
            throw new UsageException($"{option} {path} is a file; give a folder");
        }
    }
}
