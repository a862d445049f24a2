namespace NativeTrustRegion.Data;

/// <summary>Default staging: managed arrays allocated on the pinned object heap (stable addresses, no GC moves),
/// so they can also be registered with a device runtime later.</summary>
public sealed class ManagedStagingAllocator : IStagingAllocator
{
    public static ManagedStagingAllocator Instance { get; } = new();

    public IStagingBuffer Allocate(int imageValues, int labelCount) => new ManagedStagingBuffer(imageValues, labelCount);
}

/// <summary>A staging buffer backed by pinned managed arrays.</summary>
public sealed class ManagedStagingBuffer : IStagingBuffer
{
    public float[] ImageArray { get; }
    public int[] LabelArray { get; }

    public ManagedStagingBuffer(int imageValues, int labelCount)
    {
        ImageArray = GC.AllocateUninitializedArray<float>(imageValues, pinned: true);
        LabelArray = GC.AllocateUninitializedArray<int>(labelCount, pinned: true);
    }

    public Span<float> Images => ImageArray;
    public Span<int> Labels => LabelArray;

    public void Dispose() { }
}
