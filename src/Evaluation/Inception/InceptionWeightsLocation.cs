namespace NativeTrustRegion.Evaluation;

/// <summary>
/// Where the user's Inception-v3 weights are: the environment variable NTR_INCEPTION_WEIGHTS names a safetensors file
/// (see src/Evaluation/README.md for converting pytorch-fid's weights). When it is set, FID is computed on Inception-v3 pool3
/// features instead of our trained classifier's.
/// </summary>
public static class InceptionWeightsLocation
{
    public const string EnvironmentVariable = "NTR_INCEPTION_WEIGHTS";

    /// <summary>The full path from the environment, or null when the variable is unset or empty; a path that does not exist is an error.</summary>
    public static string? FromEnvironment()
    {
        var value = Environment.GetEnvironmentVariable(EnvironmentVariable);
        return string.IsNullOrWhiteSpace(value) ? null : Resolve(value, $"${EnvironmentVariable}");
    }

    /// <summary>The full path of a weights file named by <paramref name="origin"/> (an option or variable), checked to exist.</summary>
    public static string Resolve(string path, string origin)
    {
        var full = Path.GetFullPath(path.Trim());
        if (!File.Exists(full))
        {
            throw new FileNotFoundException(
                $"{origin} names the Inception-v3 weights file {full}, which does not exist. Fix: convert pytorch-fid's weights to safetensors (src/Evaluation/README.md) " +
                $"and give its path, or unset {EnvironmentVariable} to use the trained feature classifier.", full);
        }
        return full;
    }
}
