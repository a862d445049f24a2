namespace NativeTrustRegion.Experiments.Tests;

/// <summary>Tests that swap the process-wide Console.Out/Error (to call `ntr` in process) run one after another (other tests still run beside them).</summary>
[CollectionDefinition(Name)]
public sealed class ConsoleCollection
{
    public const string Name = "console";
}
