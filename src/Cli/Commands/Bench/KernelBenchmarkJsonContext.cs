using System.Text.Json.Serialization;

namespace NativeTrustRegion.Cli.Commands.Bench;

/// <summary>System.Text.Json source-generated metadata for <see cref="KernelBenchmarkFile"/>: camelCase names, indented.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(KernelBenchmarkFile))]
internal sealed partial class KernelBenchmarkJsonContext : JsonSerializerContext;
