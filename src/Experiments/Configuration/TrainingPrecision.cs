using System.Text.Json.Serialization;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Experiments.Configuration;

/// <summary>
/// The arithmetic training runs in (`ntr run --precision`, `ntr bench train`, `ntr bench loss-track`; "fp32", "tf32",
/// "bf16" in config.json). Fp32: float32 everywhere, no tensor-core shortcuts. Tf32: float32 storage, TF32 tensor cores
/// for GEMMs and convolutions (CUDA only; the engine's default on a GPU). Bf16: bfloat16 mixed precision
/// (<see cref="MixedPrecision"/>): the models' activations are bf16 from the first convolution to the last (GEMMs and
/// convolutions with float32 accumulation, normalisation statistics and softmax in float32); master weights, their
/// gradients, Adam, Fisher vectors, the loss and reductions stay float32 (on the CPU and the emulated device too, so CI
/// tests it).
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<TrainingPrecision>))]
public enum TrainingPrecision
{
    [JsonStringEnumMemberName("fp32")]
    Fp32,

    [JsonStringEnumMemberName("tf32")]
    Tf32,

    [JsonStringEnumMemberName("bf16")]
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

    /// <summary>
    /// The back end's precision for the float32 matrix products this training precision leaves in float32 (Fisher Gram
    /// matrices, products outside the models): Fp32 for fp32, Tf32 for tf32; bf16 keeps the device's engine default
    /// (TF32 on a GPU, Fp32 on the CPU).
    /// </summary>
    public static MatmulPrecision Matmul(this TrainingPrecision precision, Device device) => precision switch
    {
        TrainingPrecision.Fp32 => MatmulPrecision.Fp32,
        TrainingPrecision.Tf32 => MatmulPrecision.Tf32,
        TrainingPrecision.Bf16 => device.IsCuda ? MatmulPrecision.Tf32 : MatmulPrecision.Fp32,
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, "unknown precision"),
    };

    /// <summary>
    /// Sets <paramref name="backend"/>'s matrix-product precision and, for bf16, opens the calling thread's
    /// <see cref="MixedPrecision.Bf16"/> scope until the result is disposed (train on this thread inside it).
    /// </summary>
    public static IDisposable Enter(this TrainingPrecision precision, IBackend backend)
    {
        if (Unsupported(precision, backend.Device) is { } reason)
        {
            throw new ArgumentException(reason);
        }
        backend.Precision = precision.Matmul(backend.Device);
        return precision == TrainingPrecision.Bf16 ? MixedPrecision.Bf16() : NoScope.Instance;
    }

    private sealed class NoScope : IDisposable
    {
        public static readonly NoScope Instance = new();

        public void Dispose()
        {
        }
    }

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
        TrainingPrecision.Tf32 when !device.IsCuda =>
            "tf32 is a GPU tensor-core mode; on the CPU use --precision fp32 (or bf16)",
        _ => null,
    };
}
