using NativeTrustRegion.Engine;
using NativeTrustRegion.Continual.Fisher;

namespace NativeTrustRegion.Continual.Methods;

/// <summary>Every method by its command-line id.</summary>
public static class MethodRegistry
{
    /// <summary>The six methods of the paper's Table 1, in its order.</summary>
    public static readonly string[] PaperMethods = ["finetune", "ewc", "replay", "ftml", "vrmcl", "trust-region"];

    public static readonly string[] All = ["finetune", "ewc", "ewc-diag", "replay", "trust-region", "ftml", "vrmcl", "mer", "la-maml", "c-maml", "a-gem", "joint"];

    public static IContinualMethod Create(string id) => id switch
    {
        "finetune" => new Finetune(),
        "ewc" => new Ewc(FisherForm.Rank1),
        "ewc-diag" => new Ewc(FisherForm.Diagonal),
        "replay" => new GenerativeReplay(),
        "trust-region" => new TrustRegion(),
        "ftml" => new Ftml(),
        "vrmcl" => new VrMcl(),
        "mer" => new Mer(),
        "la-maml" => new LaMaml(learnRates: true),
        "c-maml" => new LaMaml(learnRates: false),
        "a-gem" => new AGem(),
        "joint" => new JointTraining(),
        _ => throw UsageException.Unknown("method", id, All),
    };

    /// <summary>Throws a <see cref="UsageException"/> listing the valid methods unless <paramref name="id"/> is one; builds nothing.</summary>
    public static void Validate(string id)
    {
        if (!All.Contains(id, StringComparer.Ordinal))
        {
            throw UsageException.Unknown("method", id, All);
        }
    }
}
