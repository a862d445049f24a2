using System.Globalization;
using System.Text.Json;
using NativeTrustRegion.Continual.Methods;
using NativeTrustRegion.Continual.Training;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Checkpoints;

namespace NativeTrustRegion.Experiments.Running;

/// <summary>
/// The complete resumable state of a run in one safetensors file (written atomically): the weights (one tensor per
/// parameter, named after the layers), Adam's moments, the method's state (Fisher vectors, teacher, replay pool, ...),
/// and as metadata the run position, the results so far, every random stream's offset and every task's data cursor.
/// Restoring it and continuing gives bit-identical results to an uninterrupted run on the CPU.
/// </summary>
public static class RunCheckpoint
{
    private const string Format = "ntr-run-checkpoint/1";

    public static void Save(string path, ContinualContext ctx, IContinualMethod method, RunState state, string configJson)
    {
        var store = ctx.Parameters;
        var items = store.Parameters.Select(p => new SafeTensorsFile.Item(p.Name, Engine.Autograd.ParameterStore.ViewIn(store.Data, p))).ToList();
        items.Add(new SafeTensorsFile.Item("optimizer.m", ctx.Optimizer.M));
        items.Add(new SafeTensorsFile.Item("optimizer.v", ctx.Optimizer.V));
        var methodState = method.SaveState();
        foreach (var (name, tensor) in methodState.Tensors)
        {
            items.Add(new SafeTensorsFile.Item("method/" + name, tensor));
        }
        var meta = new Dictionary<string, string>
        {
            ["format"] = Format,
            ["method"] = method.Id,
            ["config"] = configJson,
            ["run_state"] = JsonSerializer.Serialize(state),
            ["optimizer.step"] = ctx.Optimizer.StepCount.ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (name, gen) in ctx.Generators)
        {
            meta["generator." + name] = gen.Offset.ToString(CultureInfo.InvariantCulture);
        }
        for (var j = 0; j < ctx.Stream.Count; j++)
        {
            var (epoch, position) = ctx.Stream[j].Cursor;
            meta[$"cursor.{j}"] = $"{epoch},{position}";
        }
        foreach (var (key, value) in methodState.Values)
        {
            meta["method." + key] = value;
        }
        SafeTensorsFile.Write(path, items, meta);
    }

    /// <summary>
    /// Checks a run checkpoint's header (format, method, the metadata a resume needs) without reading tensor data:
    /// the validation `ntr resume` runs before it builds the model.
    /// </summary>
    public static void CheckHeader(string path, string methodId)
    {
        var header = SafeTensorsFile.ReadHeader(path);
        if (!header.Metadata.TryGetValue("format", out var format) || format != Format)
        {
            throw new SafeTensorsException(path, "not a run checkpoint of this version", "start the run again, or resume it with the ntr version that wrote it");
        }
        if (!header.Metadata.TryGetValue("method", out var written) || written != methodId)
        {
            throw new SafeTensorsException(path, $"written by method '{written}', not '{methodId}'", "resume the run folder with its own configuration");
        }
        foreach (var key in new[] { "run_state", "optimizer.step" })
        {
            if (!header.Metadata.ContainsKey(key))
            {
                throw new SafeTensorsException(path, $"the metadata lacks '{key}'", "the checkpoint is damaged; delete checkpoints/latest.safetensors to start the run again");
            }
        }
        foreach (var name in new[] { "optimizer.m", "optimizer.v" })
        {
            if (!header.Tensors.ContainsKey(name))
            {
                throw new SafeTensorsException(path, $"tensor '{name}' is missing", "the checkpoint is damaged; delete checkpoints/latest.safetensors to start the run again");
            }
        }
    }

    public static RunState Load(string path, ContinualContext ctx, IContinualMethod method)
    {
        try
        {
            return LoadChecked(path, ctx, method);
        }
        catch (Exception e) when (e is KeyNotFoundException or FormatException or OverflowException or JsonException or IndexOutOfRangeException)
        {
            throw new SafeTensorsException(path, $"the run state in the metadata cannot be read ({e.Message})", "the checkpoint is damaged; delete checkpoints/latest.safetensors to start the run again");
        }
    }

    private static RunState LoadChecked(string path, ContinualContext ctx, IContinualMethod method)
    {
        var file = SafeTensorsFile.Read(path);
        if (!file.Metadata.TryGetValue("format", out var format) || format != Format)
        {
            throw new SafeTensorsException(path, "not a run checkpoint of this version", "start the run again, or resume it with the ntr version that wrote it");
        }
        if (!file.Metadata.TryGetValue("method", out var writtenBy) || writtenBy != method.Id)
        {
            throw new SafeTensorsException(path, $"written by method '{writtenBy}', not '{method.Id}'", "resume the run folder with its own configuration");
        }
        ParameterCheckpoint.LoadParameters(file, ctx.Parameters);
        file.CopyTo("optimizer.m", ctx.Optimizer.M);
        file.CopyTo("optimizer.v", ctx.Optimizer.V);
        ctx.Optimizer.StepCount = long.Parse(file.Metadata["optimizer.step"], CultureInfo.InvariantCulture);
        foreach (var (name, gen) in ctx.Generators)
        {
            gen.Restore(ulong.Parse(file.Metadata["generator." + name], CultureInfo.InvariantCulture));
        }
        for (var j = 0; j < ctx.Stream.Count; j++)
        {
            var parts = file.Metadata[$"cursor.{j}"].Split(',');
            ctx.Stream[j].Cursor = (long.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
        }
        var methodState = new MethodState();
        foreach (var name in file.Names.Where(n => n.StartsWith("method/", StringComparison.Ordinal)))
        {
            var (_, shape) = file.Info(name);
            var t = Tensor.EmptyUnscoped(shape, ctx.Parameters.DType, ctx.Parameters.Device);
            file.CopyTo(name, t);
            methodState.Tensors[name["method/".Length..]] = t;
        }
        foreach (var (key, value) in file.Metadata.Where(kv => kv.Key.StartsWith("method.", StringComparison.Ordinal)))
        {
            methodState.Values[key["method.".Length..]] = value;
        }
        method.LoadState(ctx, methodState);
        return JsonSerializer.Deserialize<RunState>(file.Metadata["run_state"])
            ?? throw new SafeTensorsException(path, "the run state in the metadata is empty", "start the run again");
    }
}
