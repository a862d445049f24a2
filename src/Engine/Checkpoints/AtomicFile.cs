namespace NativeTrustRegion.Engine.Checkpoints;

/// <summary>
/// Writes a file so that readers see either the old content or the complete new content, never a half file:
/// the bytes go to a temporary file in the same folder, are flushed to disk, and the file is renamed over the target.
/// </summary>
public static class AtomicFile
{
    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e)
        {
            try
            {
                File.Delete(temp);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
            }
            // name the file the caller wanted (not the temporary one) and say that its previous content is intact;
            // keep the exception type and HResult (errno), so callers can still tell a full disk from a read-only folder
            if (e is UnauthorizedAccessException)
            {
                throw new UnauthorizedAccessException(Failed(full, e), e);
            }
            if (e is IOException && e.GetType() == typeof(IOException))
            {
                throw new IOException(Failed(full, e), e.HResult);
            }
            throw;
        }
    }

    private static string Failed(string path, Exception e) =>
        $"could not write {path} ({e.Message}); " + (File.Exists(path) ? "its previous version is unchanged." : "nothing was written.");

    public static void WriteAllText(string path, string text) =>
        Write(path, s =>
        {
            using var w = new StreamWriter(s, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true);
            w.Write(text);
        });

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();
        Write(path, s => s.Write(copy));
    }
}
