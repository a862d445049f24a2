using NativeTrustRegion.Engine.Backends.Cuda;
using NativeTrustRegion.Experiments.Configuration;

namespace NativeTrustRegion.Experiments.Running;

/// <summary>
/// The GPU ran out of memory during a run: the message names the preset, the model, the batch size and what the run
/// was doing, then the allocator's numbers (requested, live, free of total), what was kept (the last checkpoint, or
/// that there is none yet) and how to make the run fit.
/// </summary>
public sealed class RunOutOfMemoryException(ExperimentConfig config, string where, CudaOutOfMemoryException inner, string? keptCheckpoint)
    : InvalidOperationException(
        $"out of GPU memory while {where} (preset {config.Preset}, model {config.ModelPreset}, batch {config.Hyper.BatchSize}, device {DeviceJsonConverter.Name(config.Device)}): " +
        $"{inner.Message.Replace("out of GPU memory: ", "", StringComparison.Ordinal)}. " +
        (keptCheckpoint is null
            ? "No checkpoint was written yet; lower batch_size (or replay_generation_batch) in the run's config.json and run it again (`ntr resume` starts it from the beginning)"
            : $"The last checkpoint {keptCheckpoint} is kept; lower batch_size (or replay_generation_batch) in the run's config.json and `ntr resume` it") +
        ", or use a GPU with more memory", inner)
{
    public long RequestedBytes { get; } = inner.RequestedBytes;
}
