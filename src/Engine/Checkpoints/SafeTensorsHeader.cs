namespace NativeTrustRegion.Engine.Checkpoints;

/// <summary>The checked header of a safetensors file, read without its tensor data (see <see cref="SafeTensorsFile.ReadHeader"/>).</summary>
public sealed record SafeTensorsHeader(string Path, IReadOnlyDictionary<string, (string DType, int[] Shape)> Tensors, IReadOnlyDictionary<string, string> Metadata);
