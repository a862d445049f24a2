using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using NativeTrustRegion.Engine;

namespace NativeTrustRegion.Experiments.Configuration;

/// <summary>
/// `--set KEY=VALUE` on `ntr run`, `ntr compare` and `ntr demo`: changes one field of the run's configuration, named as
/// in config.json (snake case, dotted path: <c>hyper.ewc_lambda=200</c>, <c>evaluation.samples_per_task=64</c>,
/// <c>task_classes=[[0,1],[2,3]]</c>). A hyperparameter may be named without its <c>hyper.</c> prefix
/// (<c>ewc_lambda=200</c>). The key must name an existing field and the value must have that field's type (a whole
/// number for a count, <c>true</c>/<c>false</c> for a switch, JSON for a list); the changed configuration is then
/// validated like any other, and config.json records it.
/// </summary>
public static class ConfigAssignments
{
    /// <summary>Fields with an option of their own (or that name the run itself): not settable with --set.</summary>
    private static readonly Dictionary<string, string> OwnOption = new(StringComparer.Ordinal)
    {
        ["preset"] = "--preset",
        ["method"] = "--method (or --methods)",
        ["seed"] = "--seed (or --seeds)",
        ["device"] = "--device",
        ["domain"] = "--preset",
        ["dataset"] = "--preset",
    };

    /// <summary>Applies every KEY=VALUE in order; throws a <see cref="UsageException"/> naming the bad one and the fix.</summary>
    public static ExperimentConfig Apply(ExperimentConfig config, IReadOnlyList<string> assignments)
    {
        if (assignments.Count == 0)
        {
            return config;
        }
        var root = Complete(config);
        foreach (var assignment in assignments)
        {
            var (key, value) = Split(assignment);
            var (parent, name) = Locate(root, key);
            parent[name] = Convert(key, parent[name], value);
        }
        try
        {
            return JsonSerializer.Deserialize<ExperimentConfig>(root.ToJsonString(), ExperimentConfig.Json)
                ?? throw new UsageException($"--set {string.Join(" --set ", assignments)} gives an empty configuration");
        }
        catch (JsonException e)
        {
            var key = e.Path is { Length: > 2 } p ? p[2..] : "?";
            var wanted = e.Message.Contains("Int", StringComparison.Ordinal) || e.Message.Contains("UInt", StringComparison.Ordinal)
                ? "a whole number"
                : "a value of the field's type (see config.json of a run of this preset)";
            throw new UsageException($"--set: {key} takes {wanted}");
        }
    }

    /// <summary>Every settable key of <paramref name="config"/> (dotted, as --set takes them), for messages and `--help`.</summary>
    public static IReadOnlyList<string> Keys(ExperimentConfig config)
    {
        var keys = new List<string>();
        void Walk(JsonObject o, string prefix)
        {
            foreach (var (name, node) in o)
            {
                if (prefix.Length == 0 && OwnOption.ContainsKey(name))
                {
                    continue;
                }
                if (node is JsonObject child)
                {
                    Walk(child, prefix + name + ".");
                }
                else
                {
                    keys.Add(prefix + name);
                }
            }
        }
        Walk(Complete(config), "");
        return keys;
    }

    /// <summary>
    /// config.json's object with the hyperparameters that config.json leaves out at their defaults (so that older files
    /// round-trip; e.g. learning_rate_decay_fraction = 0) put back, so that --set can name them too.
    /// </summary>
    private static JsonObject Complete(ExperimentConfig config)
    {
        var root = JsonNode.Parse(config.ToJson())!.AsObject();
        if (root["hyper"] is JsonObject hyper)
        {
            foreach (var p in typeof(Continual.Training.Hyperparameters).GetProperties())
            {
                var name = ExperimentConfig.Json.PropertyNamingPolicy!.ConvertName(p.Name);
                if (p.GetCustomAttributes(typeof(System.Text.Json.Serialization.JsonIgnoreAttribute), false) is [System.Text.Json.Serialization.JsonIgnoreAttribute
                    { Condition: System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault }] && !hyper.ContainsKey(name))
                {
                    hyper[name] = JsonSerializer.SerializeToNode(p.GetValue(config.Hyper), p.PropertyType, ExperimentConfig.Json);
                }
            }
        }
        return root;
    }

    private static (string Key, string Value) Split(string assignment)
    {
        var eq = assignment.IndexOf('=');
        if (eq <= 0 || eq == assignment.Length - 1)
        {
            throw new UsageException($"--set '{assignment}' is not KEY=VALUE. Fix: e.g. --set hyper.ewc_lambda=200");
        }
        return (assignment[..eq].Trim(), assignment[(eq + 1)..].Trim());
    }

    private static (JsonObject Parent, string Name) Locate(JsonObject root, string key)
    {
        var parts = key.Split('.');
        if (parts.Length == 1 && !root.ContainsKey(key) && root["hyper"] is JsonObject hyper && hyper.ContainsKey(key))
        {
            return (hyper, key); // a hyperparameter named without its "hyper." prefix
        }
        if (parts.Length == 1 && OwnOption.TryGetValue(key, out var option))
        {
            throw new UsageException($"--set {key}=…: {key} is chosen with {option}, not --set");
        }
        var node = root;
        for (var i = 0; i < parts.Length - 1; i++)
        {
            if (node[parts[i]] is not JsonObject child)
            {
                throw Unknown(key, root);
            }
            node = child;
        }
        if (!node.ContainsKey(parts[^1]) || node[parts[^1]] is JsonObject)
        {
            throw Unknown(key, root);
        }
        return (node, parts[^1]);
    }

    private static UsageException Unknown(string key, JsonObject root)
    {
        var config = JsonSerializer.Deserialize<ExperimentConfig>(root.ToJsonString(), ExperimentConfig.Json)!;
        var keys = Keys(config);
        var last = key.Split('.')[^1];
        var near = keys.Where(k => k.Contains(last, StringComparison.Ordinal) || EditDistance(k.Split('.')[^1], last) <= 2).ToList();
        var hint = near.Count > 0 ? $"did you mean {string.Join(" or ", near.Take(4))}? " : "";
        return new UsageException($"--set: unknown setting '{key}'; {hint}valid: {string.Join(", ", keys)}");
    }

    private static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
            previous = current;
        }
        return previous[b.Length];
    }

    /// <summary>The new value as the JSON node of the old value's kind.</summary>
    private static JsonNode? Convert(string key, JsonNode? old, string text)
    {
        switch (old?.GetValueKind())
        {
            case JsonValueKind.Number:
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
                {
                    throw new UsageException($"--set {key}={text}: {key} takes a number. Fix: e.g. --set {key}={old.ToJsonString()}");
                }
                // a whole number is written as one, so an integer field takes it; a fraction given to an integer
                // field fails in deserialisation, which names the field
                return number == Math.Floor(number) && Math.Abs(number) < 9e15 ? JsonValue.Create((long)number) : JsonValue.Create(number);
            case JsonValueKind.True or JsonValueKind.False:
                return text.ToLowerInvariant() switch
                {
                    "true" => JsonValue.Create(true),
                    "false" => JsonValue.Create(false),
                    _ => throw new UsageException($"--set {key}={text}: {key} takes true or false"),
                };
            case JsonValueKind.String:
                return JsonValue.Create(text);
            default:
                try
                {
                    return JsonNode.Parse(text);
                }
                catch (JsonException) when (old is null)
                {
                    return JsonValue.Create(text); // a field that is null now: a text (a folder, a name); deserialisation checks the type
                }
                catch (JsonException)
                {
                    throw new UsageException($"--set {key}={text}: {key} takes JSON (now {old?.ToJsonString() ?? "null"}). Fix: e.g. --set '{key}={old?.ToJsonString() ?? "null"}'");
                }
        }
    }
}
