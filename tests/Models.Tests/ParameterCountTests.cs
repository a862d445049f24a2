using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Models.Image;
using NativeTrustRegion.Models.Policy;
using static NativeTrustRegion.Models.Tests.ClosedFormCounts;

namespace NativeTrustRegion.Models.Tests;

/// <summary>
/// Every preset's parameter count against the closed forms of architectures.md (counted from declarations; the big
/// presets are never allocated here).
/// </summary>
public class ParameterCountTests
{
    private const UNetBlockKind D = UNetBlockKind.Plain;
    private const UNetBlockKind A = UNetBlockKind.Attention;

    private static ImageUNet Image(ImageUNetConfig config) => new(new ParameterStore(), config);

    private static PolicyUNet Policy(PolicyUNetConfig config) => new(new ParameterStore(), config);

    private static long[] BlockCounts(IDenoiser model) => model.Blocks.Select(b => b.Count).ToArray();

    [Fact]
    public void ImagePaperHas37447171ParametersTheReportedThirtySevenPointFourFiveMillion()
    {
        var model = Image(ImageUNetPresets.Paper);
        long time = 128 * 512 + 512 + 512 * 512 + 512, classes = 500 * 512, convIn = 3 * 128 * 9 + 128, convOut = 2 * 128 + 128 * 3 * 9 + 3;
        long[] expected =
        [
            time, classes, convIn,
            2 * Resnet(128, 128) + ResampleConv(128),                                  // down 0, plain: conv downsample
            Resnet(128, 256) + Resnet(256, 256) + ResampleConv(256),                   // down 1, plain: conv downsample
            2 * (Resnet(256, 256) + Attention(256)) + Resnet(256, 256),                // down 2, attention: resnet downsample
            2 * Resnet(256, 256),                                                      // down 3, plain, deepest
            2 * Resnet(256, 256) + Attention(256),                                     // mid
            3 * Resnet(512, 256) + ResampleConv(256),                                  // up 0 @4, plain: conv upsample
            3 * (Resnet(512, 256) + Attention(256)) + Resnet(256, 256),                // up 1 @8, attention: resnet upsample
            2 * Resnet(512, 256) + Resnet(384, 256) + ResampleConv(256),               // up 2 @16, plain: conv upsample
            Resnet(384, 128) + 2 * Resnet(256, 128),                                   // up 3 @32
            convOut,
        ];
        Assert.Equal(
            [328_704, 256_000, 3_584, 870_272, 2_952_960, 4_464_896, 2_625_024, 2_888_704, 6_692_608, 8_206_080, 6_364_672, 1_789_952, 3_715],
            expected);
        Assert.Equal(expected, BlockCounts(model));
        Assert.Equal(37_447_171, model.Parameters.Count);
        Assert.Equal(37.45, Math.Round(model.Parameters.Count / 1e6, 2));
    }

    [Fact]
    public void ImagePaperWithResnetSamplingInEveryBlockGivesTheSpecCount39828227()
    {
        // architectures.md §5 counted resnet samplers in the plain blocks too; diffusers' get_down_block/get_up_block
        // pass downsample_type/upsample_type to the attention blocks only, so the real model has 2,381,056 fewer.
        var model = Image(ImageUNetPresets.Paper with { ResamplingInPlainBlocks = true });
        Assert.Equal(39_828_227, model.Parameters.Count);
        // plain blocks with a sampler: down 0 (128 ch), down 1, up 0 and up 2 (256 ch).
        Assert.Equal(39_828_227 - 37_447_171, (Resnet(128, 128) - ResampleConv(128)) + 3 * (Resnet(256, 256) - ResampleConv(256)));
    }

    [Theory]
    [InlineData(0, 38_383_107)]
    [InlineData(10, 38_388_227)]
    [InlineData(50, 38_408_707)]
    [InlineData(100, 38_434_307)]
    [InlineData(500, 38_639_107)]
    public void DiffusersDefaultLayoutIs38383107Plus512PerClass(int classes, long total)
    {
        var model = Image(ImageUNetPresets.DiffusersDefault(classes));
        Assert.Equal(38_383_107 + 512L * classes, total);
        Assert.Equal(total, model.Parameters.Count);
        // architectures.md §1.3 per-block table (down 0..3, mid, up 0..3), with the time MLP, conv_in and conv_out around it.
        var blocks = model.Blocks.Where(b => b.Name.Contains("blocks.") || b.Name == "mid_block").Select(b => b.Count).ToArray();
        Assert.Equal([870_272, 3_480_320, 3_742_464, 3_152_384, 2_888_704, 7_483_648, 7_483_648, 7_155_712, 1_789_952], blocks);
        Assert.Equal(328_704, model.Blocks.Single(b => b.Name == "time_embedding").Count);
        Assert.Equal(3_584, model.Blocks.Single(b => b.Name == "conv_in").Count);
        Assert.Equal(3_715, model.Blocks.Single(b => b.Name == "conv_out").Count);
    }

    [Fact]
    public void DdpmCifar10LayoutHas35746307Parameters()
    {
        Assert.Equal(35_746_307, Image(ImageUNetPresets.DdpmCifar10).Parameters.Count);
    }

    /// <summary>The alternatives table of architectures.md §1.3 (no class table).</summary>
    [Theory]
    [InlineData("A,A,A,D", 2, true, 37_396_227)]
    [InlineData("D,D,A,A", 2, true, 37_064_707)]
    [InlineData("D,A,A,A", 2, false, 38_119_427)]
    [InlineData("D,A,A,A", 1, true, 25_857_667)]
    [InlineData("D,A,A,A", 3, true, 50_908_547)]
    public void MirroredLayoutsMatchTheSpecTable(string down, int layersPerBlock, bool midAttention, long expected)
    {
        var kinds = down.Split(',').Select(k => k == "A" ? A : D).ToArray();
        var config = ImageUNetPresets.DiffusersDefault(0) with
        {
            DownBlocks = kinds,
            UpBlocks = kinds.Reverse().ToArray(),
            LayersPerBlock = layersPerBlock,
            MidBlockAttention = midAttention,
        };
        Assert.Equal(expected, Image(config).Parameters.Count);
    }

    [Fact]
    public void TheOnlyMirroredLayoutAtThirtySevenPointFourFiveMillionNeedsAHundredClasses()
    {
        var config = ImageUNetPresets.DiffusersDefault(100) with { DownBlocks = [A, A, A, D], UpBlocks = [D, A, A, A] };
        Assert.Equal(37_447_427, Image(config).Parameters.Count);
    }

    [Fact]
    public void CpuImagePresetsMatchTheirClosedForms()
    {
        // image-tiny: T = 128, channels (32, 64), one ResNet per down block, GN 8, 10 classes.
        const long t = 128;
        long tiny = (32 * t + t + t * t + t) + 10 * t + (9 * 32 + 32)
            + Resnet(32, 32, t) + ResampleConv(32)                                           // down 0 @16, conv downsample
            + Resnet(32, 64, t) + Attention(64)                                              // down 1 @8
            + 2 * Resnet(64, 64, t) + Attention(64)                                          // mid
            + Resnet(128, 64, t) + Attention(64) + Resnet(96, 64, t) + Attention(64) + Resnet(64, 64, t) // up 0 @8, resnet upsample
            + Resnet(96, 32, t) + Resnet(64, 32, t)                                          // up 1 @16
            + 2 * 32 + (32 * 9 + 1);
        Assert.Equal(748_065, tiny);
        Assert.Equal(tiny, Image(ImageUNetPresets.Tiny).Parameters.Count);

        // image-small-28: T = 128, channels (32, 64, 128), two ResNets per down block, attention at 14x14.
        long small = (32 * t + t + t * t + t) + 10 * t + (9 * 32 + 32)
            + 2 * Resnet(32, 32, t) + ResampleConv(32)
            + Resnet(32, 64, t) + Attention(64) + Resnet(64, 64, t) + Attention(64) + Resnet(64, 64, t)
            + 2 * Resnet(128, 128, t) - Resnet(128, 128, t) + Resnet(64, 128, t)
            + 2 * Resnet(128, 128, t) + Attention(128)
            + 3 * Resnet(256, 128, t) - Resnet(256, 128, t) + Resnet(192, 128, t) + ResampleConv(128)
            + Resnet(192, 64, t) + Resnet(128, 64, t) + Resnet(96, 64, t) + 3 * Attention(64) + Resnet(64, 64, t)
            + Resnet(96, 32, t) + 2 * Resnet(64, 32, t)
            + 2 * 32 + (32 * 9 + 1);
        Assert.Equal(3_783_873, small);
        Assert.Equal(small, Image(ImageUNetPresets.Small28).Parameters.Count);
    }

    [Fact]
    public void PolicyPaperHas83269892ParametersWithinAThousandthOfTheReported83Point27Million()
    {
        var model = Policy(PolicyUNetPresets.Paper);
        const long cond = 512 + 6 * 39;
        long[] expected =
        [
            StepMlp(512),
            FilmResBlock(4, 256, cond) + FilmResBlock(256, 256, cond) + (3 * 256 * 256 + 256),
            FilmResBlock(256, 512, cond) + FilmResBlock(512, 512, cond) + SelfAttention1D(512) + (3 * 512 * 512 + 512),
            FilmResBlock(512, 1024, cond) + FilmResBlock(1024, 1024, cond) + SelfAttention1D(1024),
            2 * FilmResBlock(1024, 1024, cond) + SelfAttention1D(1024),
            FilmResBlock(2048, 512, cond) + FilmResBlock(512, 512, cond) + (4 * 512 * 512 + 512),
            FilmResBlock(1024, 256, cond) + FilmResBlock(256, 256, cond) + (4 * 256 * 256 + 256),
            (5 * 256 * 256 + 256) + 2 * 256 + (256 * 4 + 4),
        ];
        // architectures.md §3.4 per-block table, plus 1,052,672 (512 ch) and 4,202,496 (1024 ch) per attention block.
        Assert.Equal([2_099_712, 1_954_304, 7_042_048 + 1_052_672, 21_947_392 + 4_202_496, 24_043_520 + 4_202_496, 12_809_216, 3_586_560, 329_476], expected);
        Assert.Equal(expected, BlockCounts(model));
        Assert.Equal(83_269_892, model.Parameters.Count);
        Assert.True(Math.Abs(model.Parameters.Count - 83.27e6) / 83.27e6 < 1e-3);
    }

    [Fact]
    public void StandardConditionalUnet1DAtThePaperSizesHas73812228Parameters()
    {
        var model = Policy(PolicyUNetPresets.PaperWithoutAttention);
        Assert.Equal([2_099_712, 1_954_304, 7_042_048, 21_947_392, 24_043_520, 12_809_216, 3_586_560, 329_476], BlockCounts(model));
        Assert.Equal(73_812_228, model.Parameters.Count);
        // Chi et al.'s default step embedding (256) gives the spec's 68,568,068.
        Assert.Equal(68_568_068, Policy(PolicyUNetPresets.PaperWithoutAttention with { StepEmbeddingDim = 256 }).Parameters.Count);
    }

    [Fact]
    public void PolicyTinyMatchesItsClosedForm()
    {
        const long cond = 64 + 6 * 39;
        long expected = StepMlp(64)
            + FilmResBlock(4, 32, cond) + FilmResBlock(32, 32, cond) + (3 * 32 * 32 + 32)
            + FilmResBlock(32, 64, cond) + FilmResBlock(64, 64, cond) + SelfAttention1D(64)
            + 2 * FilmResBlock(64, 64, cond) + SelfAttention1D(64)
            + FilmResBlock(128, 32, cond) + FilmResBlock(32, 32, cond) + (4 * 32 * 32 + 32)
            + (5 * 32 * 32 + 32) + 2 * 32 + (32 * 4 + 4);
        Assert.Equal(523_236, expected);
        Assert.Equal(expected, Policy(PolicyUNetPresets.Tiny).Parameters.Count);
    }

    [Fact]
    public void EveryNamedPresetBuildsAndItsBlocksCoverAllParameters()
    {
        foreach (var name in ModelPresets.Names)
        {
            var store = new ParameterStore();
            var model = ModelPresets.Create(name, store);
            Assert.False(store.IsAllocated);
            Assert.Equal(store.Count, model.Blocks.Sum(b => b.Count));
            Assert.Equal(0, model.Blocks[0].FirstIndex);
            Assert.Equal(store.Parameters.Count, model.Blocks[^1].EndIndex);
            for (var i = 1; i < model.Blocks.Count; i++)
            {
                Assert.Equal(model.Blocks[i - 1].EndIndex, model.Blocks[i].FirstIndex);
            }
        }
        Assert.Throws<ArgumentException>(() => ModelPresets.Create("image-huge", new ParameterStore()));
    }
}
