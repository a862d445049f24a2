using NativeTrustRegion.Engine;

namespace NativeTrustRegion.Cli.Commands.Bench;

/// <summary>Parses a --device value and opens its back end, or prints why it cannot and returns null.</summary>
internal static class DeviceOpening
{
    public static Device? Open(string text)
    {
        Device device;
        try
        {
            device = Device.Parse(text);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            return null;
        }
        if (device.IsCuda && CheckCommand.OpenGpu(text) is null)
        {
            return null;
        }
        return device;
    }
}
