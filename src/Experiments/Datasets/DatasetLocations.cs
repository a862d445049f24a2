using NativeTrustRegion.Data;
using NativeTrustRegion.Evaluation;

namespace NativeTrustRegion.Experiments.Datasets;

/// <summary>
/// Where the data sets and the Inception-v3 weights are found, and the data set names the command line accepts:
/// the environment variables, the default data set, the name check and the weights file resolution.
/// </summary>
public static class DatasetLocations
{
    /// <summary>The environment variable of the data root (default ~/.cache/ntr).</summary>
    public const string DataDirectoryVariable = DataDirectory.EnvironmentVariable;

    /// <summary>The environment variable of the Inception-v3 weights file.</summary>
    public const string InceptionWeightsVariable = InceptionWeightsLocation.EnvironmentVariable;

    /// <summary>The data set that ships inside ntr (no download).</summary>
    public const string DefaultDataset = DatasetCatalog.Embedded;

    /// <summary>Throws a <see cref="Engine.UsageException"/> listing the data sets unless <paramref name="name"/> is one.</summary>
    public static void Validate(string name) => DatasetCatalog.Validate(name);

    /// <summary>The data root: <paramref name="given"/>, else $NTR_DATA_DIR, else ~/.cache/ntr.</summary>
    public static string DataRoot(string? given = null) => DataDirectory.Resolve(given);

    /// <summary>
    /// The Inception-v3 weights file: <paramref name="given"/> (named by <paramref name="option"/> in errors) when
    /// set, else $NTR_INCEPTION_WEIGHTS, else null; its safetensors header is read (and so checked) before returning.
    /// </summary>
    public static string? InceptionWeights(string? given, string option)
    {
        string? weights = given is { Length: > 0 }
            ? InceptionWeightsLocation.Resolve(given, option)
            : InceptionWeightsLocation.FromEnvironment();
        if (weights is not null)
        {
            Engine.Checkpoints.SafeTensorsFile.ReadHeader(weights);
        }
        return weights;
    }
}
