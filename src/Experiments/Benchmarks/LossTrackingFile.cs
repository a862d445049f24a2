namespace NativeTrustRegion.Experiments.Benchmarks;

/// <summary>The losses file of `ntr bench loss-track`, in the layout tools/reference/loss_track.py writes for PyTorch.</summary>
public sealed record LossTrackingFile(
    string Framework,
    string Preset,
    string Device,
    string DeviceName,
    string Precision,
    string Date,
    string Command,
    double Seconds,
    IReadOnlyList<double> Losses);
