using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NativeTrustRegion.Experiments.Running;

/// <summary>
/// An append-only JSON-lines log flushed line by line, so a crash loses at most the line being written. On resume the
/// log is cut back to the checkpoint's step (lines written after the checkpoint are replayed by the resumed run).
/// </summary>
public sealed class JsonLines : IDisposable
{
    private readonly StreamWriter _writer;

    public JsonLines(string path, long? keepUpToStep = null)
    {
        Path = path;
        if (keepUpToStep is { } step && File.Exists(path))
        {
            var kept = File.ReadAllLines(path).Where(l => KeepLine(l, step)).ToList();
            // atomically: a crash or a full disk while cutting the log back leaves the old log, never half of it
            Engine.Checkpoints.AtomicFile.WriteAllText(path, string.Concat(kept.Select(l => l + "\n")));
        }
        else if (keepUpToStep is null && File.Exists(path))
        {
            File.Delete(path);
        }
        _writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false)) { AutoFlush = true };
    }

    public string Path { get; }

    private static bool KeepLine(string line, long step)
    {
        try
        {
            var node = JsonNode.Parse(line);
            return node?["step"]?.GetValue<long>() is long s && s <= step;
        }
        catch (JsonException)
        {
            // a half-written last line from a crash
            return false;
        }
    }

    public void Write(JsonObject line)
    {
        try
        {
            _writer.WriteLine(line.ToJsonString());
        }
        catch (IOException e)
        {
            throw new IOException($"cannot append to {Path} ({e.Message}); the lines written before are intact", e.HResult);
        }
    }

    public void Dispose() => _writer.Dispose();
}
