using System.Text.Json;
using System.Text.Json.Serialization;
using NativeTrustRegion.Engine;

namespace NativeTrustRegion.Experiments.Configuration;

/// <summary>
/// A <see cref="Device"/> in config.json as the text <see cref="Device.Parse"/> reads ("cpu", "cuda", "cuda:N"); the
/// first CUDA device is written "cuda", as the presets and earlier config.json files have it.
/// </summary>
public sealed class DeviceJsonConverter : JsonConverter<Device>
{
    public override Device Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.TokenType == JsonTokenType.String ? reader.GetString()! : throw new JsonException($"device must be a string such as \"cpu\" or \"cuda\", not {reader.TokenType}");
        try
        {
            return Device.Parse(text);
        }
        catch (ArgumentException e)
        {
            throw new JsonException(e.Message, e);
        }
    }

    public override void Write(Utf8JsonWriter writer, Device value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Name(value));

    /// <summary>
    /// The device as config.json and the messages name it: a run made on the emulated CUDA device says so, so that
    /// `ntr resume` continues it there, not on a real GPU.
    /// </summary>
    public static string Name(Device value) =>
        value == Device.Cuda(0) ? (CudaEmulationRequest.IsRequested ? "cuda-emulated" : "cuda") : value.ToString();
}
