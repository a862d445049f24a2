using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Engine.Checkpoints;

/// <summary>
/// Saves and loads a <see cref="ParameterStore"/> as safetensors: one tensor per parameter view, named after the
/// layer (e.g. "down_blocks.0.resnets.0.conv1.weight"), plus any extra named tensors (optimizer moments, Fisher
/// vectors, anchors) and string metadata.
/// </summary>
public static class ParameterCheckpoint
{
    public static void Save(string path, ParameterStore store, IEnumerable<SafeTensorsFile.Item>? extra = null, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var items = store.Parameters.Select(p => new SafeTensorsFile.Item(p.Name, ParameterStore.ViewIn(store.Data, p))).ToList();
        if (extra is not null)
        {
            items.AddRange(extra);
        }
        SafeTensorsFile.Write(path, items, metadata);
    }

    /// <summary>Loads every parameter by name; throws naming the first missing or mismatched parameter.</summary>
    public static SafeTensorsFile Load(string path, ParameterStore store)
    {
        var file = SafeTensorsFile.Read(path);
        LoadParameters(file, store);
        return file;
    }

    public static void LoadParameters(SafeTensorsFile file, ParameterStore store)
    {
        foreach (var p in store.Parameters)
        {
            if (!file.Contains(p.Name))
            {
                throw new SafeTensorsException(file.Path, $"parameter '{p.Name}' {TensorOpException.Format(p.Shape)} is missing",
                    "the checkpoint was written by a different model; check the preset/config of the run");
            }
            file.CopyTo(p.Name, ParameterStore.ViewIn(store.Data, p));
        }
    }

    /// <summary>Packs a flat vector (same layout as the store) as one tensor per parameter, prefixed (e.g. "adam.m.").</summary>
    public static IEnumerable<SafeTensorsFile.Item> Flat(string prefix, ParameterStore store, Tensor flat) =>
        store.Parameters.Select(p => new SafeTensorsFile.Item(prefix + p.Name, ParameterStore.ViewIn(flat, p)));

    /// <summary>Loads a flat vector written by <see cref="Flat"/>.</summary>
    public static void LoadFlat(SafeTensorsFile file, string prefix, ParameterStore store, Tensor flat)
    {
        foreach (var p in store.Parameters)
        {
            file.CopyTo(prefix + p.Name, ParameterStore.ViewIn(flat, p));
        }
    }
}
