using System.CommandLine;
using System.Globalization;
using NativeTrustRegion.Cli.Progress;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Checkpoints;
using NativeTrustRegion.Experiments.Diagnostics;
using NativeTrustRegion.Experiments.Running;
using Spectre.Console;

namespace NativeTrustRegion.Cli.Commands;

/// <summary>`ntr fisher diagnose`: how rank-1 the empirical Fisher of a trained checkpoint is, per timestep.</summary>
public static class FisherCommand
{
    public static Command Build()
    {
        var run = new Option<string>("--run") { Description = "the run folder the checkpoint belongs to (its config.json rebuilds model and data)", Required = true };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "weights to diagnose (default: the run's last after-task checkpoint)" };
        var task = new Option<int>("--task") { Description = "task whose training samples are used (1-based)", DefaultValueFactory = _ => 1 };
        var samples = new Option<int>("--samples") { Description = "number of per-sample gradients", DefaultValueFactory = _ => 64 };
        var timesteps = new Option<string>("--timesteps") { Description = "comma-separated timesteps", DefaultValueFactory = _ => string.Join(",", CollinearityDiagnosis.DefaultTimesteps) };
        var output = new Option<string?>("--out") { Description = "output folder (default RUN/diagnostics)" };
        var diagnose = new Command("diagnose", "per-sample gradient cosine to the mean gradient per timestep, and the top-eigenvalue share of the Fisher");
        foreach (var o in new Option[] { run, checkpoint, task, samples, timesteps, output })
        {
            diagnose.Options.Add(o);
        }
        diagnose.SetAction(parse =>
        {
            var folder = new RunFolder(parse.GetValue(run)!);
            if (!Directory.Exists(folder.Root))
            {
                throw new UsageException($"--run {folder.Root} does not exist; pass a run folder written by `ntr run`");
            }
            if (!File.Exists(folder.ConfigPath))
            {
                throw new UsageException($"--run {folder.Root} is not a run folder (no config.json); pass a run folder written by `ntr run`");
            }
            var config = folder.ReadConfig();
            var given = parse.GetValue(checkpoint);
            if (given is not null && !File.Exists(given))
            {
                throw new UsageException($"--checkpoint {Path.GetFullPath(given)} does not exist");
            }
            var ckpt = given ?? LastTaskCheckpoint(folder);
            SafeTensorsFile.ReadHeader(ckpt);
            var taskNumber = parse.GetValue(task);
            if (taskNumber < 1 || taskNumber > config.TaskCount)
            {
                throw new UsageException($"--task {taskNumber} does not exist; the run has tasks 1 to {config.TaskCount}");
            }
            UsageException.RequireAtLeast("--samples", parse.GetValue(samples), 2);
            var ts = CommandLineLists.Integers("--timesteps", parse.GetValue(timesteps)!, 0, CollinearityDiagnosis.TrainingTimesteps - 1);
            var outDir = parse.GetValue(output) ?? Path.Combine(folder.Root, "diagnostics");
            RunCommands.RequireFolderPath("--out", Path.GetFullPath(outDir));
            var buckets = ConsoleRunProgress.Show("fisher", p => CollinearityDiagnosis.Run(folder, ckpt, parse.GetValue(task) - 1, parse.GetValue(samples), ts, p));
            var table = new Table().AddColumns("t", "mean cos", "median cos", "min cos", "λ1/Σλ", "λ1²/Σλ²");
            foreach (var b in buckets)
            {
                table.AddRow(b.Timestep, F(b.MeanCosine), F(b.MedianCosine), F(b.MinCosine), F(b.TopEigenvalueShare), F(b.TopEigenvalueSquaredShare));
            }
            AnsiConsole.Write(table);
            CollinearityDiagnosis.Write(outDir, buckets, $"Per-sample gradient collinearity ({Path.GetFileName(ckpt)})");
            Console.WriteLine($"written: {Path.Combine(outDir, "collinearity.json")}, {Path.Combine(outDir, "collinearity.svg")}");
            return 0;
        });
        var fisher = new Command("fisher", "Fisher-information diagnostics") { diagnose };
        return fisher;
    }

    private static string F(double v) => v.ToString("F4", CultureInfo.InvariantCulture);

    private static string LastTaskCheckpoint(RunFolder folder)
    {
        var files = Directory.Exists(folder.CheckpointDirectory)
            ? Directory.GetFiles(folder.CheckpointDirectory, "after-task-*.safetensors").Order(StringComparer.Ordinal).ToArray()
            : [];
        return files.Length > 0
            ? files[^1]
            : throw new FileNotFoundException($"no after-task checkpoint in {folder.CheckpointDirectory} (the run has not finished a task yet). Fix: let the run finish its first task (`ntr resume {folder.Root}`), or pass --checkpoint FILE");
    }
}
