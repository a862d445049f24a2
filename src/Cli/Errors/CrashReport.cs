using System.Globalization;

namespace NativeTrustRegion.Cli.Errors;

/// <summary>Writes the full trace of an unexpected exception to a file a user can attach to a bug report.</summary>
internal static class CrashReport
{
    /// <summary>The environment variable naming the folder for crash reports (default: the system temporary folder).</summary>
    public const string FolderVariable = "NTR_CRASH_DIR";

    /// <summary>Writes the report and returns its path, or null when it cannot be written.</summary>
    public static string? Write(Exception exception, IReadOnlyList<string> args, string? folder = null)
    {
        folder ??= Environment.GetEnvironmentVariable(FolderVariable) is { Length: > 0 } dir ? dir : Path.GetTempPath();
        var stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var path = Path.Combine(folder, $"ntr-crash-{stamp}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}.txt");
        try
        {
            Directory.CreateDirectory(folder);
            File.WriteAllText(path,
                $"ntr {string.Join(' ', args)}\n" +
                $"{DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture)}, .NET {Environment.Version}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}\n\n" +
                exception + "\n");
            return path;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
