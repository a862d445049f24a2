using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Checkpoints;

namespace NativeTrustRegion.Evaluation;

/// <summary>
/// A safetensors file with the FID Inception-v3 weights (pytorch-fid's pt_inception-2015-12-05-6726825d.pth converted
/// as in src/Evaluation/README.md), checked tensor by tensor against <see cref="InceptionV3Architecture"/> before anything is
/// used. Accepted namings: torchvision's Inception3 state_dict ("Conv2d_1a_3x3.conv.weight", "Mixed_5b.branch1x1.bn.running_var",
/// "fc.weight", …), the same under any prefix ("module.", "inception."), and pytorch-fid's InceptionV3 wrapper
/// ("blocks.0.0.conv.weight", …, no fc). BatchNorm counters (num_batches_tracked, I64) and AuxLogits are ignored.
/// </summary>
public sealed class InceptionV3WeightsFile
{
    private const string StemProbe = "Conv2d_1a_3x3.conv.weight";
    private const string WrapperProbe = "blocks.0.0.conv.weight";
    private const string ConversionHint = "convert pytorch-fid's pt_inception-2015-12-05-6726825d.pth as shown in src/Evaluation/README.md (section \"Inception-v3 FID\")";

    private readonly SafeTensorsFile _file;
    private readonly string _prefix;
    private readonly bool _wrapperLayout;

    private InceptionV3WeightsFile(SafeTensorsFile file, string prefix, bool wrapperLayout, int fcClasses)
    {
        _file = file;
        _prefix = prefix;
        _wrapperLayout = wrapperLayout;
        FcClasses = fcClasses;
    }

    public string Path => _file.Path;

    /// <summary>Rows of fc.weight (pytorch-fid's file: 1008; torchvision's ImageNet weights: 1000), or 0 without an fc layer.</summary>
    public int FcClasses { get; }

    /// <summary>How the file names its tensors, in words.</summary>
    public string Layout => _wrapperLayout
        ? $"pytorch-fid InceptionV3 wrapper names ({_prefix}blocks.i.j.…)"
        : _prefix.Length == 0 ? "torchvision Inception3 names" : $"torchvision Inception3 names under prefix '{_prefix}'";

    /// <summary>Reads the file and checks that every tensor the network needs is there, F32/F64, with its shape.</summary>
    public static InceptionV3WeightsFile Open(string path)
    {
        var file = SafeTensorsFile.Read(path);
        var names = file.AllNames;
        var (prefix, wrapper) = FindLayout(names);
        var fcName = prefix + "fc.weight";
        var fcClasses = 0;
        if (!wrapper && names.Contains(fcName))
        {
            var (_, shape) = file.Describe(fcName);
            fcClasses = shape.Length == 2 ? shape[0] : -1;
            if (fcClasses <= 0 || shape[1] != InceptionV3Architecture.FeatureWidth)
            {
                throw new SafeTensorsException(path, $"tensor '{fcName}' has shape {TensorOpException.Format(shape)} but Inception-v3's fc needs [classes, {InceptionV3Architecture.FeatureWidth}]",
                    $"remove fc.weight and fc.bias from the file, or {ConversionHint}");
            }
        }
        var weights = new InceptionV3WeightsFile(file, prefix, wrapper, fcClasses);
        weights.Check(names);
        return weights;
    }

    /// <summary>The file's name of a torchvision state_dict name.</summary>
    public string FileName(string stateDictName)
    {
        if (!_wrapperLayout)
        {
            return _prefix + stateDictName;
        }
        // the top-level module becomes its position: Mixed_6b.branch1x1.conv.weight -> blocks.2.4.branch1x1.conv.weight
        var dot = stateDictName.IndexOf('.', StringComparison.Ordinal);
        return _prefix + InceptionV3Architecture.WrapperBlockNames[stateDictName[..dot]] + stateDictName[dot..];
    }

    /// <summary>The values of a tensor, by its torchvision state_dict name.</summary>
    public float[] Read(string stateDictName) => _file.ReadFloats(FileName(stateDictName));

    /// <summary>
    /// Conv weight and bias with the inference BatchNorm folded in (in double, then rounded to float):
    /// scale = γ/√(running_var + 0.001), weight' = weight·scale per output channel, bias' = β − running_mean·scale.
    /// </summary>
    public (float[] Weight, float[] Bias) FoldedConv(InceptionConv conv)
    {
        var weight = _file.ReadDoubles(FileName($"{conv.Name}.conv.weight"));
        var gamma = _file.ReadDoubles(FileName($"{conv.Name}.bn.weight"));
        var beta = _file.ReadDoubles(FileName($"{conv.Name}.bn.bias"));
        var mean = _file.ReadDoubles(FileName($"{conv.Name}.bn.running_mean"));
        var variance = _file.ReadDoubles(FileName($"{conv.Name}.bn.running_var"));
        var perChannel = weight.Length / conv.Out;
        var folded = new float[weight.Length];
        var bias = new float[conv.Out];
        for (var c = 0; c < conv.Out; c++)
        {
            var scale = gamma[c] / Math.Sqrt(variance[c] + InceptionV3Architecture.BatchNormEpsilon);
            for (var i = c * perChannel; i < (c + 1) * perChannel; i++)
            {
                folded[i] = (float)(weight[i] * scale);
            }
            bias[c] = (float)(beta[c] - mean[c] * scale);
        }
        return (folded, bias);
    }

    private static (string Prefix, bool Wrapper) FindLayout(IReadOnlyList<string> names)
    {
        foreach (var (probe, wrapper) in new[] { (StemProbe, false), (WrapperProbe, true) })
        {
            var hit = names.FirstOrDefault(n => n.EndsWith(probe, StringComparison.Ordinal) && (n.Length == probe.Length || n[n.Length - probe.Length - 1] == '.'));
            if (hit is not null)
            {
                return (hit[..^probe.Length], wrapper);
            }
        }
        // neither layout: checking with plain torchvision names reports the first tensor that is missing
        return ("", false);
    }

    private void Check(IReadOnlyList<string> names)
    {
        var present = names.ToHashSet(StringComparer.Ordinal);
        foreach (var (name, expected) in InceptionV3Architecture.Tensors(FcClasses))
        {
            var fileName = FileName(name);
            if (!present.Contains(fileName))
            {
                var sample = string.Join(", ", names.Take(3).Select(n => $"'{n}'"));
                throw new SafeTensorsException(Path, $"tensor '{fileName}' {TensorOpException.Format(expected)} of the FID Inception-v3 is missing (read as {Layout}; the file holds {names.Count} tensors{(names.Count > 0 ? $", e.g. {sample}" : "")})",
                    ConversionHint);
            }
            var (dtype, shape) = _file.Describe(fileName);
            if (!Shape.Equal(shape, expected))
            {
                throw new SafeTensorsException(Path, $"tensor '{fileName}' has shape {TensorOpException.Format(shape)} but the FID Inception-v3 needs {TensorOpException.Format(expected)}",
                    $"use pytorch-fid's FID weights (not a different Inception variant); {ConversionHint}");
            }
            if (dtype is not ("F32" or "F64"))
            {
                throw new SafeTensorsException(Path, $"tensor '{fileName}' has dtype {dtype}; the engine reads F32 or F64",
                    "convert the tensors to float32 (the README's snippet calls .float())");
            }
        }
    }
}
