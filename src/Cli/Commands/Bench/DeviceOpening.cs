using NativeTrustRegion.Engine;

namespace NativeTrustRegion.Cli.Commands.Bench;

/// <summary>Parses a --device value and opens its back end: a <see cref="UsageException"/> for a bad name, the CUDA library's exception when there is no GPU.</summary>
internal static class DeviceOpening
{
    public static Device Open(string text)
    {
        var device = Device.Parse(text);
        BackendRegistry.For(device);
        return device;
    }
}
