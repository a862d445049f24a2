namespace NativeTrustRegion.Engine;

/// <summary>A device's memory as its driver reports it now (every process and context counted).</summary>
public readonly record struct DeviceMemory(long FreeBytes, long TotalBytes)
{
    public long UsedBytes => TotalBytes - FreeBytes;
}
