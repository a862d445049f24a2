using System.Text.Encodings.Web;
using System.Text.Json;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Models;

namespace NativeTrustRegion.Experiments.Benchmarks;

/// <summary>
/// A model's parameters as JSON — name and shape of each, in declaration order, and the total — so another
/// implementation (tools/reference's PyTorch modules) can check that it builds exactly the same tensors.
/// </summary>
public static class ParameterManifest
{
    /// <summary>Writes <c>"parameters": total</c> and <c>"parameterList": [{name, shape}, …]</c> into the open object.</summary>
    public static void Write(Utf8JsonWriter json, ParameterStore store)
    {
        json.WriteNumber("parameters", store.Count);
        json.WriteStartArray("parameterList");
        foreach (var p in store.Parameters)
        {
            json.WriteStartObject();
            json.WriteString("name", p.Name);
            json.WriteStartArray("shape");
            foreach (var d in p.Shape)
            {
                json.WriteNumberValue(d);
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    /// <summary>Writes a preset's manifest file (parameters declared, never allocated, so this is cheap for the paper models).</summary>
    public static void WriteFile(string path, string preset)
    {
        var store = new ParameterStore();
        var model = ModelPresets.Create(preset, store);
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteString("preset", preset);
        json.WriteString("model", model.Name);
        Write(json, store);
        json.WriteEndObject();
    }
}
