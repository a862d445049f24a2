using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace NativeTrustRegion.Engine.Autograd;

/// <summary>
/// Wall time per op kind, summed over a run, for finding where a training step's time goes (NTR_PROFILE=1, or
/// <c>ntr bench train --profile</c>). Off by default; when off every hook is one static bool test.
/// <list type="bullet">
/// <item>Backward: each tape node's <c>Backward</c> is timed exactly, under "backward Name [first input's shape]".</item>
/// <item>Forward: the time since the previous mark on the same thread is charged to the op recorded now, under
/// "forward Name [shape]". That is the op's own work plus the untracked work between it and the op before (views,
/// no-grad ops, model glue), so the forward rows are an attribution, not an isolated kernel time.</item>
/// <item>Explicit regions (<see cref="Measure"/>): the optimizer step and whatever else calls it.</item>
/// </list>
/// Totals are shared by all threads (each thread keeps its own mark). Timings include what the back end runs
/// synchronously; on a GPU they are launch times unless the caller synchronises.
/// </summary>
public static class OpProfiler
{
    private static readonly object Lock = new();
    private static readonly Dictionary<string, (long Ticks, long Count)> Totals = new();

    [ThreadStatic]
    private static long _mark;

    /// <summary>On when NTR_PROFILE is set to 1 (or true) at start-up; tools may switch it.</summary>
    public static bool Enabled { get; set; } = Environment.GetEnvironmentVariable("NTR_PROFILE") is "1" or "true";

    /// <summary>Forgets the totals and starts this thread's forward attribution now.</summary>
    public static void Reset()
    {
        lock (Lock)
        {
            Totals.Clear();
        }
        Mark();
    }

    /// <summary>Starts this thread's forward attribution now (work before it is not charged to the next op).</summary>
    public static void Mark() => _mark = Stopwatch.GetTimestamp();

    internal static void RecordedForward(Node node)
    {
        var now = Stopwatch.GetTimestamp();
        if (_mark != 0)
        {
            Add("forward " + Label(node), now - _mark);
        }
        _mark = now;
    }

    internal static string Label(Node node) =>
        node.Inputs.Length > 0 ? $"{node.Name} {TensorOpException.Format(node.Inputs[0].Shape)}" : node.Name;

    /// <summary>Times a region under <paramref name="name"/> until disposed (then marks, so the next forward op is not charged for it).</summary>
    public static Region Measure(string name) => new(Enabled ? name : null);

    public static void Add(string name, long ticks)
    {
        lock (Lock)
        {
            Totals[name] = Totals.TryGetValue(name, out var t) ? (t.Ticks + ticks, t.Count + 1) : (ticks, 1);
        }
    }

    /// <summary>The totals, largest first: name, milliseconds, calls.</summary>
    public static IReadOnlyList<(string Name, double Milliseconds, long Calls)> Snapshot()
    {
        lock (Lock)
        {
            return Totals.Select(kv => (kv.Key, kv.Value.Ticks * 1000.0 / Stopwatch.Frequency, kv.Value.Count))
                .OrderByDescending(r => r.Item2).ToArray();
        }
    }

    /// <summary>A table of the totals per step (divided by <paramref name="steps"/>), the largest <paramref name="rows"/> rows and the rest summed.</summary>
    public static string Table(int steps, int rows = 40)
    {
        var all = Snapshot();
        var total = all.Sum(r => r.Milliseconds);
        var sb = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        sb.AppendLine(string.Format(c, "{0,-64} {1,10} {2,7} {3,8} {4,6}", "op (forward: attributed; backward: exact)", "ms/step", "%", "calls/st", "cum%"));
        var cumulative = 0.0;
        foreach (var r in all.Take(rows))
        {
            cumulative += r.Milliseconds;
            sb.AppendLine(string.Format(c, "{0,-64} {1,10:F3} {2,7:F1} {3,8:F1} {4,6:F1}", Clip(r.Name, 64), r.Milliseconds / steps, 100 * r.Milliseconds / total,
                (double)r.Calls / steps, 100 * cumulative / total));
        }
        if (all.Count > rows)
        {
            var rest = all.Skip(rows).ToArray();
            sb.AppendLine(string.Format(c, "{0,-64} {1,10:F3} {2,7:F1}", $"({rest.Length} more)", rest.Sum(r => r.Milliseconds) / steps, 100 * rest.Sum(r => r.Milliseconds) / total));
        }
        foreach (var group in new[] { "forward ", "backward " })
        {
            var sum = all.Where(r => r.Name.StartsWith(group, StringComparison.Ordinal)).Sum(r => r.Milliseconds);
            sb.AppendLine(string.Format(c, "{0,-64} {1,10:F3} {2,7:F1}", $"all {group.Trim()}", sum / steps, 100 * sum / total));
        }
        sb.AppendLine(string.Format(c, "{0,-64} {1,10:F3}", "total measured", total / steps));
        return sb.ToString();
    }

    private static string Clip(string s, int n) => s.Length <= n ? s : s[..(n - 1)] + "…";

    /// <summary>A timed region; a no-op when the profiler was off at its start.</summary>
    public readonly struct Region : IDisposable
    {
        private readonly string? _name;
        private readonly long _start;

        internal Region(string? name)
        {
            _name = name;
            _start = name is null ? 0 : Stopwatch.GetTimestamp();
        }

        public void Dispose()
        {
            if (_name is not null)
            {
                var now = Stopwatch.GetTimestamp();
                Add(_name, now - _start);
                _mark = now;
            }
        }
    }
}
