using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Checkpoints;
using NativeTrustRegion.Engine.Randomness;
using NativeTrustRegion.Models.Image;
using NativeTrustRegion.Models.Policy;

namespace NativeTrustRegion.Models.Tests;

public class CheckpointTests
{
    private static string TempPath() => Path.Combine(Path.GetTempPath(), $"ntr-models-{Guid.NewGuid():N}.safetensors");

    [Fact]
    public void ImageUNetCheckpointRoundTripsBitExactlyWithDiffusersNames()
    {
        var path = TempPath();
        try
        {
            var source = new ParameterStore();
            var model = new ImageUNet(source, ImageUNetPresets.Tiny);
            source.Allocate(1);
            ParameterCheckpoint.Save(path, source);

            var names = SafeTensorsFile.Read(path).Names.ToHashSet();
            Assert.Equal(source.Parameters.Select(p => p.Name).ToHashSet(), names);
            foreach (var expected in new[]
            {
                "time_embedding.linear_1.weight", "time_embedding.linear_2.bias", "class_embedding.weight", "conv_in.weight",
                "down_blocks.0.resnets.0.norm1.weight", "down_blocks.0.resnets.0.conv1.weight", "down_blocks.0.resnets.0.time_emb_proj.weight",
                "down_blocks.0.downsamplers.0.conv.weight", "down_blocks.1.resnets.0.conv_shortcut.weight",
                "down_blocks.1.attentions.0.group_norm.weight", "down_blocks.1.attentions.0.to_q.weight", "down_blocks.1.attentions.0.to_out.0.bias",
                "mid_block.resnets.1.conv2.weight", "mid_block.attentions.0.to_v.weight",
                "up_blocks.0.resnets.1.conv_shortcut.weight", "up_blocks.0.upsamplers.0.conv1.weight", "up_blocks.1.resnets.1.norm2.bias",
                "conv_norm_out.weight", "conv_out.bias",
            })
            {
                Assert.Contains(expected, names);
            }

            var target = new ParameterStore();
            var copy = new ImageUNet(target, ImageUNetPresets.Tiny);
            target.Allocate(2);
            Assert.NotEqual(source.Data.ToFloatArray(), target.Data.ToFloatArray());
            ParameterCheckpoint.Load(path, target);
            Assert.Equal(source.Data.ToFloatArray(), target.Data.ToFloatArray());

            var x = Tensor.Randn([2, 1, 16, 16], new Generator(3));
            var t = Tensor.FromArray([5f, 700f], 2);
            var labels = Tensor.FromArray([3f, 9f], 2);
            model.Training = false;
            copy.Training = false;
            Assert.Equal(model.PredictNoise(x, t, labels).ToFloatArray(), copy.PredictNoise(x, t, labels).ToFloatArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void PolicyUNetCheckpointRoundTripsBitExactlyWithDiffusionPolicyNames()
    {
        var path = TempPath();
        try
        {
            var source = new ParameterStore();
            _ = new PolicyUNet(source, PolicyUNetPresets.Tiny);
            source.Allocate(4);
            ParameterCheckpoint.Save(path, source);
            var names = SafeTensorsFile.Read(path).Names.ToHashSet();
            foreach (var expected in new[]
            {
                "diffusion_step_encoder.1.weight", "diffusion_step_encoder.3.bias",
                "down_modules.0.0.blocks.0.block.0.weight", "down_modules.0.0.blocks.0.block.1.weight", "down_modules.0.0.cond_encoder.1.weight",
                "down_modules.0.0.residual_conv.weight", "down_modules.0.2.conv.weight",
                "down_modules.1.attention.norm1.weight", "down_modules.1.attention.attn.in_proj_weight", "down_modules.1.attention.attn.out_proj.bias",
                "down_modules.1.attention.norm2.bias", "mid_modules.0.blocks.1.block.0.weight", "mid_modules.attention.attn.in_proj_bias",
                "up_modules.0.0.residual_conv.weight", "up_modules.0.2.conv.weight", "final_conv.0.block.0.weight", "final_conv.1.weight",
            })
            {
                Assert.Contains(expected, names);
            }
            Assert.Equal(new[] { 32, 32, 4 }, SafeTensorsFile.Read(path).Info("up_modules.0.2.conv.weight").Shape);

            var target = new ParameterStore();
            _ = new PolicyUNet(target, PolicyUNetPresets.Tiny);
            target.Allocate(5);
            ParameterCheckpoint.Load(path, target);
            Assert.Equal(source.Data.ToFloatArray(), target.Data.ToFloatArray());

            // A different architecture is refused with the missing parameter's name.
            var other = new ParameterStore();
            _ = new PolicyUNet(other, PolicyUNetPresets.Tiny with { AttentionFromLevel = 0 });
            other.Allocate(6);
            var error = Assert.Throws<SafeTensorsException>(() => ParameterCheckpoint.Load(path, other));
            Assert.Contains("down_modules.0.attention", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
