namespace NativeTrustRegion.Experiments.Benchmarks;

/// <summary>Adam's settings in a loss-tracking manifest.</summary>
public sealed record AdamSettings(double Beta1, double Beta2, double Eps, double WeightDecay);

/// <summary>The files of a loss-tracking folder, relative to it.</summary>
public sealed record LossTrackingFiles(string Weights, string Batches);

/// <summary>
/// manifest.json of a loss-tracking folder (<see cref="LossTrackingBatches"/>): what both engines train, how, and the
/// model's parameter list. tools/reference/loss_track.py reads it by these (camelCase) names.
/// </summary>
public sealed record LossTrackingManifest(
    string Format,
    string Preset,
    string Model,
    int Batch,
    int Steps,
    ulong Seed,
    string Command,
    string ConditionKind,
    int[] SampleShape,
    int[] ConditionShape,
    double LearningRate,
    AdamSettings Adam,
    string Loss,
    string Dropout,
    LossTrackingFiles Files,
    Dictionary<string, int[]> Tensors,
    long Parameters,
    IReadOnlyList<ParameterShape> ParameterList)
{
    /// <summary>Reads a manifest and checks its format.</summary>
    public static LossTrackingManifest Read(string path)
    {
        var fix = $"write the folder again with `ntr bench export-batches --out {Path.GetDirectoryName(path)}`";
        var manifest = BenchmarkJsonContext.Read<LossTrackingManifest>(path, fix);
        if (manifest.Format != LossTrackingBatches.Format)
        {
            throw new InvalidDataException($"{path} is a '{manifest.Format}' manifest, not {LossTrackingBatches.Format}. Fix: {fix}");
        }
        return manifest;
    }
}
