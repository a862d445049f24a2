namespace NativeTrustRegion.Cli.Commands.Bench;

/// <summary>
/// Datasheet peaks by GPU name (dense, no sparsity): memory bandwidth, FP32 (non-tensor), TF32 and BF16 tensor
/// rates. Leads only: the bench also measures the copy bandwidth itself. Sources: NVIDIA H100 / H200 / A100
/// datasheets (H100 SXM: 3.35 TB/s HBM3, 67 FP32, 495 TF32, 989 BF16 TFLOP/s).
/// </summary>
public sealed record DevicePeaks(string Label, double BandwidthGBs, double Fp32Tflops, double Tf32Tflops, double Bf16Tflops)
{
    public static DevicePeaks For(string deviceName)
    {
        var n = deviceName.ToUpperInvariant();
        if (n.Contains("H200"))
        {
            return new("H200 SXM", 4800, 67, 495, 989);
        }
        if (n.Contains("H100") && n.Contains("PCIE"))
        {
            return new("H100 PCIe", 2000, 51, 378, 756);
        }
        if (n.Contains("H100"))
        {
            return new("H100 SXM (HBM3)", 3350, 67, 495, 989);
        }
        if (n.Contains("A100"))
        {
            return new("A100 SXM 80GB", 2039, 19.5, 156, 312);
        }
        return new($"unknown ({deviceName})", double.NaN, double.NaN, double.NaN, double.NaN);
    }
}
