using NativeTrustRegion.Engine;

namespace NativeTrustRegion.Engine.Tests;

/// <summary>
/// The float64 gradient check of every gradient-checked case of the op-case table (<see cref="OpCaseTable"/>, one
/// <c>*.Cases.cs</c> per op folder): the tape's gradient of Σ f(x)·W against central differences, on the CPU.
/// The same cases run in float32 on the GPU in <c>CudaParitySuite</c>.
/// </summary>
public class OpCaseGradientTests
{
    public static TheoryData<string> GradientCases()
    {
        var data = new TheoryData<string>();
        foreach (var c in OpCaseTable.All.Where(c => c.Checks.HasFlag(OpChecks.Gradient)))
        {
            data.Add(c.Name);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(GradientCases))]
    public void AnalyticGradientMatchesCentralDifferences(string name)
    {
        var c = OpCaseTable.Named(name);
        var inputs = c.CreateInputs(DType.F64);
        foreach (var x in inputs)
        {
            Assert.Equal(DType.F64, x.DType);
            x.RequiresGrad = true;
        }
        GradCheck.Check(c.Function!, inputs, rtol: c.GradientRtol);
    }

}
