using NativeTrustRegion.Engine;
using System.Globalization;
using System.Text.RegularExpressions;

namespace NativeTrustRegion.Experiments.Control;

/// <summary>
/// One diffusion-policy configuration of the paper's Table 5: action-sequence length S, observation horizon O and
/// actions executed per query A, named like the paper ("S8_O6_A2").
/// </summary>
public sealed partial record PolicyShape(int SequenceLength, int ObservationSteps, int ActionChunk)
{
    public string Name => string.Create(CultureInfo.InvariantCulture, $"S{SequenceLength}_O{ObservationSteps}_A{ActionChunk}");

    public override string ToString() => Name;

    [GeneratedRegex(@"^S(\d+)_O(\d+)_A(\d+)$")]
    private static partial Regex Pattern();

    /// <summary>Parses "S8_O6_A2"; the executed actions (positions O−1 … O−2+A) must lie inside the sequence.</summary>
    public static PolicyShape Parse(string text)
    {
        var m = Pattern().Match(text.Trim());
        if (!m.Success)
        {
            throw new UsageException($"'{text}' is not a policy configuration; write S<sequence length>_O<observation steps>_A<executed actions>, e.g. S8_O6_A2");
        }
        var shape = new PolicyShape(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture),
            int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture));
        shape.Validate();
        return shape;
    }

    public void Validate()
    {
        if (SequenceLength < 1 || ObservationSteps < 1 || ActionChunk < 1)
        {
            throw new UsageException($"{Name}: S, O and A must be at least 1");
        }
        if (ObservationSteps - 1 + ActionChunk > SequenceLength)
        {
            throw new UsageException($"{Name}: the {ActionChunk} executed actions start at sequence position O − 1 = {ObservationSteps - 1} and do not fit in S = {SequenceLength}; use O + A − 1 ≤ S");
        }
    }

    /// <summary>The 13 configurations of the paper's Table 5, in its order.</summary>
    public static IReadOnlyList<PolicyShape> PaperGrid { get; } =
    [
        new(8, 6, 2), new(8, 8, 1), new(8, 4, 4), new(8, 4, 2),
        new(16, 8, 8), new(16, 8, 4), new(16, 12, 4), new(16, 16, 1),
        new(32, 16, 4), new(32, 24, 4), new(32, 16, 8), new(32, 16, 16), new(32, 24, 8),
    ];
}
