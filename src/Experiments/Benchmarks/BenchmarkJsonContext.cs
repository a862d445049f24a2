using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace NativeTrustRegion.Experiments.Benchmarks;

/// <summary>
/// System.Text.Json source-generated metadata for the files shared with tools/reference (the parameter manifest, the
/// loss-tracking manifest and loss file) and the benchmark reports: camelCase names, indented, every constructor parameter required on reading.
/// </summary>
[JsonSourceGenerationOptions(
    WriteIndented = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    RespectRequiredConstructorParameters = true,
    RespectNullableAnnotations = true)]
[JsonSerializable(typeof(ParameterManifest))]
[JsonSerializable(typeof(LossTrackingManifest))]
[JsonSerializable(typeof(LossTrackingFile))]
[JsonSerializable(typeof(TrainingBenchmarkFile))]
[JsonSerializable(typeof(CpuVsPyTorchFile))]
internal sealed partial class BenchmarkJsonContext : JsonSerializerContext
{
    /// <summary>The context's options with relaxed escaping, so commands and formulas keep their '+', '&lt;' and
    /// non-ASCII characters readable in the files (built on first use: static initialisers of the generated half of
    /// this class may run after ours).</summary>
    private static JsonSerializerOptions Readable => readable ??= new JsonSerializerOptions(Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static JsonSerializerOptions? readable;

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, (JsonTypeInfo<T>)Readable.GetTypeInfo(typeof(T)));

    /// <summary>Reads <paramref name="path"/>; a malformed or incomplete file is an <see cref="InvalidDataException"/> naming it.</summary>
    public static T Read<T>(string path, string fix)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), (JsonTypeInfo<T>)Readable.GetTypeInfo(typeof(T)))
                ?? throw new InvalidDataException($"{path} holds JSON null. Fix: {fix}");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a valid {typeof(T).Name} file ({e.Message}). Fix: {fix}", e);
        }
    }
}
