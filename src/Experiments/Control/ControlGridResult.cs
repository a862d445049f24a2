using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NativeTrustRegion.Engine.Checkpoints;

namespace NativeTrustRegion.Experiments.Control;

/// <summary>One configuration of the grid: its success rate on each task (fractions) and their mean.</summary>
public sealed record ControlGridRow(PolicyShape Shape, IReadOnlyList<double> Success)
{
    public double Mean => Success.Count == 0 ? double.NaN : Success.Average();
}

/// <summary>
/// The grid's table laid out like the paper's Table 5 (Config, S, O, A, mean success over the tasks, best first, the
/// best in bold), with the per-task success rates below; written as grid.md and grid.json.
/// </summary>
public sealed class ControlGridResult(IReadOnlyList<string> tasks, IReadOnlyList<ControlGridRow> rows)
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public IReadOnlyList<string> Tasks { get; } = tasks;

    /// <summary>Rows best first (highest mean success), ties in the order run.</summary>
    public IReadOnlyList<ControlGridRow> Ranked { get; } = rows.Select((r, i) => (r, i)).OrderByDescending(x => x.r.Mean).ThenBy(x => x.i).Select(x => x.r).ToList();

    public string Markdown()
    {
        var sb = new StringBuilder();
        sb.AppendLine("# CW10 diffusion policy configuration grid (the paper's Table 5)");
        sb.AppendLine();
        sb.AppendLine(string.Create(Inv, $"Mean success rate across {Tasks.Count} task(s) ({string.Join(", ", Tasks)}); higher is better. Each configuration is trained from scratch separately for each task (finetuning on a one-task stream), with the base preset's model and training set-up. Success rates as fractions, as Table 5 prints them."));
        sb.AppendLine();
        sb.AppendLine("| Config | S | O | A | Mean success ↑ |");
        sb.AppendLine("|---|---|---|---|---|");
        for (var i = 0; i < Ranked.Count; i++)
        {
            var r = Ranked[i];
            var name = i == 0 ? $"**{r.Shape.Name}**" : r.Shape.Name;
            var mean = double.IsFinite(r.Mean) ? r.Mean.ToString("0.000", Inv) : "—";
            sb.AppendLine(string.Create(Inv, $"| {name} | {r.Shape.SequenceLength} | {r.Shape.ObservationSteps} | {r.Shape.ActionChunk} | {(i == 0 ? $"**{mean}**" : mean)} |"));
        }
        sb.AppendLine();
        sb.AppendLine("## Success rate per task");
        sb.AppendLine();
        sb.AppendLine("| Config | " + string.Join(" | ", Tasks) + " |");
        sb.AppendLine("|---|" + string.Concat(Enumerable.Repeat("---|", Tasks.Count)));
        foreach (var r in Ranked)
        {
            sb.AppendLine($"| {r.Shape.Name} | " + string.Join(" | ", r.Success.Select(v => double.IsFinite(v) ? v.ToString("0.000", Inv) : "—")) + " |");
        }
        return sb.ToString();
    }

    public string Json()
    {
        static JsonNode? N(double v) => double.IsFinite(v) ? JsonValue.Create(v) : null;
        var root = new JsonObject
        {
            ["tasks"] = new JsonArray(Tasks.Select(t => (JsonNode)JsonValue.Create(t)!).ToArray()),
            ["unit"] = "fraction (0-1)",
            ["configurations"] = new JsonArray(Ranked.Select(r => (JsonNode)new JsonObject
            {
                ["config"] = r.Shape.Name,
                ["S"] = r.Shape.SequenceLength,
                ["O"] = r.Shape.ObservationSteps,
                ["A"] = r.Shape.ActionChunk,
                ["mean_success"] = N(r.Mean),
                ["success"] = new JsonArray(r.Success.Select(N).ToArray()),
            }).ToArray()),
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    public void Write(string directory)
    {
        Directory.CreateDirectory(directory);
        AtomicFile.WriteAllText(Path.Combine(directory, "grid.md"), Markdown());
        AtomicFile.WriteAllText(Path.Combine(directory, "grid-table.json"), Json());
    }
}
