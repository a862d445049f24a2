using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Backends.Cuda;

namespace NativeTrustRegion.Cuda.Tests;

/// <summary>
/// The cuDNN algorithm choice of a convolution direction (issue 11's defect 2): the workspace size used is the one
/// cuDNN reports for the final (algorithm, math type), queried after the math type is set — not the search's.
/// The two cuDNN calls are recorded by a fake descriptor, so no cuDNN is needed.
/// </summary>
public class ConvolutionAlgorithmChoiceTests
{
    private const int MathTensorOp = 1;
    private const long Limit = 1L << 30;

    /// <summary>A descriptor whose workspace sizes depend on (algorithm, current math type), recording every call.</summary>
    private sealed class FakeDescriptor(Func<int, int, (int Status, long Bytes)> size) : IConvolutionDescriptorQueries
    {
        public int MathType { get; private set; } = -1;

        public List<string> Calls { get; } = [];

        public void SetMathType(int mathType)
        {
            MathType = mathType;
            Calls.Add($"math {mathType}");
        }

        public int WorkspaceSize(int algorithm, out long bytes)
        {
            Calls.Add($"workspace algo {algorithm} math {MathType}");
            (var status, bytes) = size(algorithm, MathType);
            return status;
        }
    }

    private static Cudnn.ConvolutionPerf Perf(int algorithm, long memory, int mathType, int status = 0, int determinism = Cudnn.Deterministic) =>
        new() { Algorithm = algorithm, Memory = (nuint)memory, MathType = mathType, Status = status, Determinism = determinism };

    [Fact]
    public void WithTf32OffTheWorkspaceIsRequeriedForFmaMathAndThatSizeIsUsed()
    {
        // the search measured algorithm 6 with tensor-op math needing 1 MiB; with FMA math it needs 3 MiB
        var descriptor = new FakeDescriptor((algo, math) => (0, math == Cudnn.MathFma ? 3L << 20 : 1L << 20));
        var choice = ConvolutionAlgorithmChoice.Choose([Perf(6, 1L << 20, MathTensorOp)], forceFma: true, deterministicOnly: true, Limit, descriptor);
        Assert.Equal(new ConvolutionAlgorithm(6, Cudnn.MathFma, 3L << 20), choice);
        Assert.Equal(new[] { "math 3", "workspace algo 6 math 3" }, descriptor.Calls);
    }

    [Fact]
    public void WithTf32OnTheSearchsMathTypeIsKeptAndItsWorkspaceQueried()
    {
        var descriptor = new FakeDescriptor((algo, math) => (0, 5000 + algo * 10 + math));
        var choice = ConvolutionAlgorithmChoice.Choose([Perf(1, 4096, MathTensorOp)], forceFma: false, deterministicOnly: true, Limit, descriptor);
        Assert.Equal(new ConvolutionAlgorithm(1, MathTensorOp, 5011), choice);
        Assert.Equal(new[] { "math 1", "workspace algo 1 math 1" }, descriptor.Calls);
    }

    [Fact]
    public void CandidatesThatFailTheSearchOrTheRequeryArePassedOver()
    {
        var descriptor = new FakeDescriptor((algo, math) => algo switch
        {
            2 => (3000, 0),            // CUDNN_STATUS_NOT_SUPPORTED with FMA math
            3 => (0, Limit + 1),       // needs more than the limit with FMA math
            _ => (0, 777),
        });
        Cudnn.ConvolutionPerf[] results =
        [
            Perf(0, 10, MathTensorOp, status: 3000),                 // failed in the search
            Perf(1, 10, MathTensorOp, determinism: 0),               // not deterministic
            Perf(7, Limit + 1, MathTensorOp),                        // over the limit in the search
            Perf(2, 10, MathTensorOp),
            Perf(3, 10, MathTensorOp),
            Perf(4, 10, MathTensorOp),
        ];
        var choice = ConvolutionAlgorithmChoice.Choose(results, forceFma: true, deterministicOnly: true, Limit, descriptor);
        Assert.Equal(new ConvolutionAlgorithm(4, Cudnn.MathFma, 777), choice);
        Assert.Equal(new[] { "math 3", "workspace algo 2 math 3", "math 3", "workspace algo 3 math 3", "math 3", "workspace algo 4 math 3" }, descriptor.Calls);
        Assert.Null(ConvolutionAlgorithmChoice.Choose(results[..5], forceFma: true, deterministicOnly: true, Limit, descriptor));
    }

    [Fact]
    public void NonDeterministicAlgorithmsAreAllowedWhenAsked()
    {
        var descriptor = new FakeDescriptor((_, _) => (0, 64));
        var choice = ConvolutionAlgorithmChoice.Choose([Perf(5, 10, Cudnn.MathDefault, determinism: 0)], forceFma: false, deterministicOnly: false, Limit, descriptor);
        Assert.Equal(new ConvolutionAlgorithm(5, Cudnn.MathDefault, 64), choice);
    }
}
