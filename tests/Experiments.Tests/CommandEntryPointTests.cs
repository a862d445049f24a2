using NativeTrustRegion.Continual.Training;
using NativeTrustRegion.Control.Demonstrations;
using NativeTrustRegion.Control.Physics;
using NativeTrustRegion.Data;
using NativeTrustRegion.Experiments.Control;
using NativeTrustRegion.Experiments.Datasets;
using NativeTrustRegion.Experiments.Inspection;
using NativeTrustRegion.Experiments.Running;

namespace NativeTrustRegion.Experiments.Tests;

/// <summary>
/// The Experiments entry points the `ntr model`, `data`, `control` commands and the error boundary call (Cli only
/// presents what they return): their numbers against values fixed independently of them.
/// </summary>
public sealed class CommandEntryPointTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ntr-entry-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("image-tiny", 748_065L)] // the count PyTorch's reference model has (ReferenceModelTests)
    [InlineData("policy-tiny", 523_236L)]
    public void ModelSummaryListsEveryParameterOnceInItsBlock(string preset, long total)
    {
        var summary = ModelSummary.Of(preset);
        Assert.Equal(total, summary.ParameterCount);
        Assert.Equal(total, summary.Blocks.Sum(b => b.Count));
        var parameters = summary.Blocks.SelectMany(b => b.Parameters).ToList();
        Assert.Equal(summary.TensorCount, parameters.Count);
        Assert.Equal(parameters.Count, parameters.Select(p => p.Name).Distinct().Count());
        Assert.All(parameters, p => Assert.Equal(p.Shape.Aggregate(1L, (n, d) => n * d), p.Count));
        Assert.All(summary.Blocks, b => Assert.Equal(b.Parameters.Sum(p => p.Count), b.Count));
    }

    [Fact]
    public void DatasetPreviewWritesOneRowPerClassAndRepeatsNothingWhenClassesAreFull()
    {
        var path = Path.Combine(_dir, "p.png");
        // embedded glyphs: 16×16, 10 classes; 4 classes × 3 images, padding 1 → (1 + 3·17) × (1 + 4·17) pixels
        Assert.Equal(12, DatasetPreview.Write(DatasetLocations.DefaultDataset, _dir, padTo32: false, _ => { }, perClass: 3, maxClasses: 4, path));
        var png = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        Assert.Equal(52, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
        Assert.Equal(69, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
        // more classes than the data set has: all 10, one row each
        Assert.Equal(20, DatasetPreview.Write(DatasetLocations.DefaultDataset, _dir, padTo32: false, _ => { }, perClass: 2, maxClasses: 50, path));
    }

    [Fact]
    public void ExpertTraceOfPushSeedZeroSucceedsAtStep53()
    {
        // the step `ntr control trace --task push --seed 0` printed as its success before the trace moved to Experiments
        var trace = ExpertTrace.Record("push", 0);
        Assert.Equal("(-0.0820, 0.8284, 0.0200)", trace.Goal);
        Assert.Equal(Enumerable.Range(0, 54), trace.Steps.Select(s => s.Index));
        Assert.True(trace.Steps[^1].Success);
        Assert.DoesNotContain(trace.Steps.SkipLast(1), s => s.Success);
        Assert.Equal("(0.0000, 0.6000, 0.1996)", trace.Steps[0].Hand);
    }

    [Fact]
    public void UserFacingFailuresAreTheLowerLayersOwnAndNothingBroader()
    {
        Assert.True(UserFacingFailures.Includes(new NonFiniteLossException(double.NaN)));
        Assert.True(UserFacingFailures.Includes(new MuJoCoException("mj_step failed")));
        Assert.True(UserFacingFailures.Includes(new CorruptDemonstrationFileException("/d/push.ntrdemo", "bad checksum")));
        Assert.True(UserFacingFailures.Includes(new DatasetFormatException("/d/x.npz", "truncated")));
        Assert.False(UserFacingFailures.Includes(new InvalidOperationException("the training loss is NaN")));
        Assert.False(UserFacingFailures.Includes(new IOException("disk")));
        Assert.False(UserFacingFailures.Includes(new Exception("MuJoCo")));
    }
}
