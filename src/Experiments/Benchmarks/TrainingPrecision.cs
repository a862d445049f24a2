using NativeTrustRegion.Engine;

namespace NativeTrustRegion.Experiments.Benchmarks;

/// <summary>
/// The arithmetic a timed training step runs in. Fp32: float32 everywhere, no tensor-core shortcuts. Tf32: float32
/// storage, TF32 tensor cores for GEMMs and convolutions (CUDA only; the engine's default on a GPU). Bf16: bfloat16
/// mixed precision, which this engine does not have yet (it needs a bf16 dtype through the back end).
/// </summary>
public enum TrainingPrecision
{
    Fp32,
    Tf32,
    Bf16,
}

public static class TrainingPrecisions
{
    public static string Name(this TrainingPrecision precision) => precision switch
    {
        TrainingPrecision.Fp32 => "fp32",
        TrainingPrecision.Tf32 => "tf32",
        TrainingPrecision.Bf16 => "bf16",
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, "unknown precision"),
    };

    /// <summary>The back end's matrix-product precision for this training precision (bf16 is refused: it is not implemented).</summary>
    public static MatmulPrecision Matmul(this TrainingPrecision precision) => precision switch
    {
        TrainingPrecision.Fp32 => MatmulPrecision.Fp32,
        TrainingPrecision.Tf32 => MatmulPrecision.Tf32,
        _ => throw new ArgumentException(Unsupported(precision, Device.Cpu) ?? $"no matrix-product precision for {precision.Name()}"),
    };

    /// <summary>Parses "fp32", "tf32" or "bf16"; throws naming the accepted values.</summary>
    public static TrainingPrecision Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "fp32" => TrainingPrecision.Fp32,
        "tf32" => TrainingPrecision.Tf32,
        "bf16" => TrainingPrecision.Bf16,
        _ => throw new ArgumentException($"unknown precision '{text}'; use fp32, tf32 or bf16"),
    };

    /// <summary>The precision a device trains in when none is asked for: the engine's default (TF32 on a GPU, fp32 on the CPU).</summary>
    public static TrainingPrecision DefaultFor(Device device) => device.IsCuda ? TrainingPrecision.Tf32 : TrainingPrecision.Fp32;

    /// <summary>Why <paramref name="precision"/> cannot run on <paramref name="device"/>, or null when it can.</summary>
    public static string? Unsupported(TrainingPrecision precision, Device device) => precision switch
    {
        TrainingPrecision.Bf16 =>
            "bf16 mixed precision is not implemented in this engine yet: it needs a bf16 dtype through the back end (tensors, casts, " +
            "cuBLAS/cuDNN calls in bf16, float32 master weights). Use --precision tf32 or fp32; benchmarks/README.md lists it as open",
        TrainingPrecision.Tf32 when !device.IsCuda =>
            "tf32 is a GPU tensor-core mode; on the CPU use --precision fp32",
        _ => null,
    };
}
