namespace NativeTrustRegion.Data;

/// <summary>
/// Where downloaded packages, user-supplied data files and converted caches live:
/// <c>$NTR_DATA_DIR</c> when set, else <c>~/.cache/ntr</c>.
/// </summary>
public static class DataDirectory
{
    public const string EnvironmentVariable = "NTR_DATA_DIR";

    public static string Resolve(string? overridePath = null)
    {
        if (!string.IsNullOrWhiteSpace(overridePath)) return Path.GetFullPath(overridePath);
        string? fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment)) return Path.GetFullPath(fromEnvironment);
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (string.IsNullOrEmpty(home))
            throw new InvalidOperationException(
                $"Cannot find a home directory for the data cache; set {EnvironmentVariable} to a writable folder.");
        return Path.Combine(home, ".cache", "ntr");
    }
}
