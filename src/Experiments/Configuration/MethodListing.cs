using System.Globalization;
using NativeTrustRegion.Continual.Methods;
using NativeTrustRegion.Continual.Training;

namespace NativeTrustRegion.Experiments.Configuration;

/// <summary>
/// One row of `ntr methods`: a method's id, report name, row in the paper's Table 1, and the hyperparameters it reads
/// as "name = value" with their config.json names and a preset's values.
/// </summary>
public sealed record MethodListing(string Id, string DisplayName, int? PaperRow, IReadOnlyList<string> Hyperparameters)
{
    /// <summary>Every method of the method table, with the hyperparameter values of <paramref name="presetName"/>.</summary>
    public static IReadOnlyList<MethodListing> ForPreset(string presetName)
    {
        var hyper = ExperimentPresets.Create(presetName, MethodTable.All[0], 123).Hyper;
        var naming = ExperimentConfig.Json.PropertyNamingPolicy!;
        return MethodTable.Methods.Select(m => new MethodListing(
            m.Id,
            m.DisplayName,
            m.PaperRow,
            m.Hyperparameters.Select(p => $"{naming.ConvertName(p)} = {Format(typeof(Hyperparameters).GetProperty(p)!.GetValue(hyper))}").ToList())).ToList();
    }

    // as config.json writes them
    private static string Format(object? value) => value switch
    {
        bool b => b ? "true" : "false",
        Enum e => System.Text.Json.JsonSerializer.Serialize(e, e.GetType()).Trim('"'),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "null",
    };
}
