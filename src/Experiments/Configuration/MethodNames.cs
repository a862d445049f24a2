using NativeTrustRegion.Continual.Methods;

namespace NativeTrustRegion.Experiments.Configuration;

/// <summary>
/// The continual methods as the command line names them (over <see cref="MethodTable"/>): every id, the paper's six
/// in Table 1 order, the report name of an id, and the methods that train data-parallel over several ranks.
/// </summary>
public static class MethodNames
{
    /// <summary>Every method id, in the method table's order.</summary>
    public static IReadOnlyList<string> All => MethodTable.All;

    /// <summary>The paper's six methods in Table 1 order (the default of `ntr compare` and `ntr demo`).</summary>
    public static IReadOnlyList<string> PaperMethods => MethodTable.PaperMethods;

    /// <summary>The name reports use for <paramref name="id"/> (the id itself when unknown).</summary>
    public static string DisplayName(string id) => MethodTable.DisplayName(id);

    /// <summary>Throws a <see cref="Engine.UsageException"/> listing the methods unless <paramref name="id"/> is one.</summary>
    public static void Validate(string id) => MethodTable.Validate(id);

    /// <summary>The methods whose step shards the batch over data-parallel ranks.</summary>
    public static IReadOnlySet<string> DataParallelMethods => Continual.Training.DataParallel.Methods;
}
