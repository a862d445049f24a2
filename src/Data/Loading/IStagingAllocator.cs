namespace NativeTrustRegion.Data;

/// <summary>
/// Host memory that one prepared batch is written into. A GPU back end can supply page-locked
/// (pinned) buffers through its own <see cref="IStagingAllocator"/> so batches can be copied to the
/// device asynchronously; the loader only needs the spans.
/// </summary>
public interface IStagingBuffer : IDisposable
{
    /// <summary>Room for batch-size × C × H × W floats.</summary>
    Span<float> Images { get; }

    /// <summary>Room for batch-size labels.</summary>
    Span<int> Labels { get; }
}

/// <summary>Creates the staging buffers a <see cref="BatchLoader"/> cycles through (prefetch depth + 1 of them).</summary>
public interface IStagingAllocator
{
    IStagingBuffer Allocate(int imageValues, int labelCount);
}
