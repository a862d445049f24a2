namespace NativeTrustRegion.Engine;

/// <summary>
/// Every <see cref="OpCase"/> of the engine: the cases of each <see cref="IOpCaseSource"/> in this assembly (one per op
/// folder, so adding an op means adding its folder and its cases file; tests/Engine.Tests/OpCaseCoverageTests.cs fails
/// for a folder or kernel without a case).
/// </summary>
public static class OpCaseTable
{
    private static readonly Lazy<IReadOnlyList<OpCase>> Cases = new(Collect);

    public static IReadOnlyList<OpCase> All => Cases.Value;

    public static OpCase Named(string name) =>
        All.FirstOrDefault(c => c.Name == name) ?? throw new ArgumentException($"no op case named '{name}' (see OpCaseTable.All)", nameof(name));

    private static IReadOnlyList<OpCase> Collect()
    {
        var cases = typeof(OpCaseTable).Assembly.GetTypes()
            .Where(t => typeof(IOpCaseSource).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .SelectMany(t => ((IOpCaseSource)Activator.CreateInstance(t, nonPublic: true)!).Cases())
            .ToArray();
        foreach (var c in cases)
        {
            if (Problem(c) is { } problem)
            {
                throw new InvalidOperationException($"op case '{c.Name}' ({c.Kernel}): {problem}");
            }
        }
        var duplicate = cases.GroupBy(c => c.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"op case name '{duplicate.Key}' is used {duplicate.Count()} times: names must be unique");
        }
        return cases;
    }

    /// <summary>What is wrong with one case on its own (null when nothing is): the table refuses to load with such a case.</summary>
    internal static string? Problem(OpCase c) => c switch
    {
        { Kernel: var k } when k.Split('/').Length != 2 => $"Kernel '{k}' is not 'Folder/Kernel'",
        { Function: null, Compute: null } => "it has neither a Function nor a Compute",
        { Function: not null, Compute: not null } => "it has both a Function and a Compute",
        { Function: not null, Inputs.Count: 0 } => "its Function has no Inputs",
        { Compute: not null } when c.Checks.HasFlag(OpChecks.Gradient) => "a Compute case cannot be gradient-checked (give it a Function)",
        { Checks: OpChecks.None } => "it drives no check",
        { Function: null, Prepare: null } when c.Checks.HasFlag(OpChecks.Benchmark) =>
            "a Benchmark case needs a Function or a Prepare (OpCase.Prepared): a Compute alone cannot be timed apart from its set-up",
        _ => null,
    };
}
