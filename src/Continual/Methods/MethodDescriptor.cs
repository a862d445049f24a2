namespace NativeTrustRegion.Continual.Methods;

/// <summary>
/// One continual-learning method as the rest of the program sees it: the command-line id, the name the reports print,
/// how to create it, its row in the paper's Table 1 (null = not one of the paper's six) and the
/// <see cref="Training.Hyperparameters"/> properties it reads (a test checks that no other property changes its run).
/// </summary>
public sealed record MethodDescriptor(
    string Id,
    string DisplayName,
    Func<IContinualMethod> Create,
    int? PaperRow,
    IReadOnlyList<string> Hyperparameters)
{
    /// <summary>One of the six methods of the paper's Table 1.</summary>
    public bool InPaper => PaperRow is not null;
}
