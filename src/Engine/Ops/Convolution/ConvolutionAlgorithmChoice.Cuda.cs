using NativeTrustRegion.Engine.Backends.Cuda;

namespace NativeTrustRegion.Engine;

/// <summary>The two cuDNN calls the algorithm choice makes on one direction's convolution descriptor.</summary>
internal interface IConvolutionDescriptorQueries
{
    /// <summary>cudnnSetConvolutionMathType on the descriptor (throws when cuDNN refuses).</summary>
    void SetMathType(int mathType);

    /// <summary>cudnnGet*WorkspaceSize of <paramref name="algorithm"/> with the descriptor's current math type; returns the cuDNN status.</summary>
    int WorkspaceSize(int algorithm, out long bytes);
}

/// <summary>An algorithm to run one convolution direction with, its math type and the workspace it needs with that math type.</summary>
internal readonly record struct ConvolutionAlgorithm(int Algorithm, int MathType, long Workspace);

/// <summary>
/// Picks the algorithm of one convolution direction from cudnnFind*Algorithm's results (fastest first): the first
/// that succeeded, fits the workspace limit and, when asked, is deterministic. It runs with the math type the search
/// measured, except that FMA (no tensor cores) is forced when TF32 is off. The search's workspace size belongs to the
/// math type it measured, so the size is queried again (cudnnGet*WorkspaceSize) after the final math type is set
/// on the descriptor; a candidate cuDNN does not support with that math type, or that then needs more than the
/// limit, is passed over.
/// </summary>
internal static class ConvolutionAlgorithmChoice
{
    public static ConvolutionAlgorithm? Choose(ReadOnlySpan<Cudnn.ConvolutionPerf> results, bool forceFma, bool deterministicOnly, long workspaceLimit,
        IConvolutionDescriptorQueries descriptor)
    {
        foreach (var r in results)
        {
            if (r.Status != 0 || (long)r.Memory > workspaceLimit || (deterministicOnly && r.Determinism != Cudnn.Deterministic))
            {
                continue;
            }
            var math = forceFma ? Cudnn.MathFma : r.MathType;
            descriptor.SetMathType(math);
            if (descriptor.WorkspaceSize(r.Algorithm, out var workspace) != 0 || workspace > workspaceLimit)
            {
                continue;
            }
            return new ConvolutionAlgorithm(r.Algorithm, math, workspace);
        }
        return null;
    }
}
