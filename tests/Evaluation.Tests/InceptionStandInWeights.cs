using NativeTrustRegion.Data;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Checkpoints;
using NativeTrustRegion.Engine.Randomness;
using NativeTrustRegion.Evaluation;

namespace NativeTrustRegion.Evaluation.Tests;

/// <summary>
/// Writes a full-size stand-in for pytorch-fid's Inception-v3 weights: every tensor name and shape the real file has
/// (torchvision state_dict naming), filled with seeded random values — conv weights N(0, 2/fan_in), BatchNorm
/// γ and running variance uniform in [0.5, 1.5], β and running mean N(0, 0.1²), fc N(0, 1/2048) — so activations stay
/// finite through the 94 layers. Not the real weights: it exercises the loader and the network, not their numbers.
/// </summary>
public static class InceptionStandInWeights
{
    /// <summary>
    /// Writes the file. <paramref name="rename"/> maps each torchvision name to the name written, <paramref name="omit"/>
    /// leaves one tensor out, <paramref name="reshape"/> writes one tensor with another shape; <paramref name="zeros"/>
    /// writes zeros instead of random values (quicker, for files that only test the name and shape checks).
    /// </summary>
    public static void Write(string path, ulong seed = 1, int fcClasses = 1008, Func<string, string>? rename = null, string? omit = null,
        (string Name, int[] Shape)? reshape = null, bool zeros = false)
    {
        var items = new List<SafeTensorsFile.Item>();
        var index = 0UL;
        foreach (var (name, declared) in InceptionV3Architecture.Tensors(fcClasses))
        {
            index++;
            if (name == omit)
            {
                continue;
            }
            var shape = reshape is { } r && r.Name == name ? r.Shape : declared;
            var values = zeros ? Tensor.Zeros(shape) : Values(name, shape, Generator.Derive(seed, index));
            items.Add(new SafeTensorsFile.Item((rename ?? (n => n))(name), values));
        }
        SafeTensorsFile.Write(path, items);
    }

    private static Tensor Values(string name, int[] shape, Generator g)
    {
        if (name.EndsWith(".conv.weight", StringComparison.Ordinal))
        {
            var fanIn = shape[1] * shape[2] * shape[3];
            return Ops.Scale(Tensor.Randn(shape, g), Math.Sqrt(2.0 / fanIn));
        }
        if (name.EndsWith(".bn.weight", StringComparison.Ordinal) || name.EndsWith(".bn.running_var", StringComparison.Ordinal))
        {
            return Tensor.Rand(shape, g, 0.5, 1.5);
        }
        if (name.EndsWith(".bn.bias", StringComparison.Ordinal) || name.EndsWith(".bn.running_mean", StringComparison.Ordinal))
        {
            return Ops.Scale(Tensor.Randn(shape, g), 0.1);
        }
        return Ops.Scale(Tensor.Randn(shape, g), Math.Sqrt(1.0 / InceptionV3Architecture.FeatureWidth));
    }
}
