using System.Reflection;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Backends.Cuda;
using NativeTrustRegion.Engine.Checkpoints;
using NativeTrustRegion.Experiments.Running;

namespace NativeTrustRegion.Cli.Errors;

/// <summary>
/// The one place where `ntr` turns exceptions into exit codes and messages: a user error (bad input, a corrupt or
/// missing file, no GPU, out of GPU memory, a full disk, diverged training) prints one or two lines naming the cause
/// and the fix (the stack trace only with --verbose); anything else prints a short message and writes the full trace
/// to a crash report whose path it prints.
/// </summary>
internal static class ErrorBoundary
{
    /// <summary>Linux errno of "No space left on device" (IOException.HResult carries the errno on Unix).</summary>
    private const int NoSpaceErrno = 28;

    /// <summary>
    /// The folder the current command writes into (a run or comparison folder), once its input is validated: a crash
    /// report goes there, next to the run it belongs to. Reset by every <see cref="Run"/> (one command at a time).
    /// </summary>
    public static string? WorkFolder { get; set; }

    /// <summary>Runs <paramref name="body"/> and maps any exception to an exit code after reporting it on <paramref name="error"/>.</summary>
    public static int Run(Func<int> body, TextWriter error, bool verbose, IReadOnlyList<string> args, string? crashFolder = null)
    {
        WorkFolder = null;
        try
        {
            return body();
        }
        catch (Exception thrown)
        {
            var e = Unwrap(thrown);
            if (Describe(e) is { } known)
            {
                error.WriteLine($"error: {known.Message}");
                if (verbose)
                {
                    error.WriteLine(thrown.ToString());
                }
                return known.ExitCode;
            }
            var report = CrashReport.Write(thrown, args, crashFolder ?? (Directory.Exists(WorkFolder) ? WorkFolder : null));
            error.WriteLine($"error: unexpected {e.GetType().Name}: {FirstLine(e.Message)}");
            error.WriteLine(report is null
                ? "this is a bug in ntr; the full trace follows, please include it in a bug report:\n" + thrown
                : $"this is a bug in ntr; the full trace is in {report} (please include it in a bug report)");
            if (verbose && report is not null)
            {
                error.WriteLine(thrown.ToString());
            }
            return ExitCodes.Failure;
        }
    }

    /// <summary>The exit code and message of an anticipated failure, or null for an unexpected exception.</summary>
    public static (int ExitCode, string Message)? Describe(Exception e) => e switch
    {
        UsageException => (ExitCodes.Usage, e.Message),
        // training diverged, MuJoCo missing or failing, a corrupt demonstration file, a malformed data set
        _ when UserFacingFailures.Includes(e) => (ExitCodes.Failure, e.Message),
        CudaOutOfMemoryException or RunOutOfMemoryException => (ExitCodes.Failure, e.Message),
        CudaLibraryNotFoundException => (ExitCodes.Failure, NoGpu(e)),
        DllNotFoundException when e.Message.Contains("cuda", StringComparison.OrdinalIgnoreCase) => (ExitCodes.Failure, NoGpu(e)),
        DllNotFoundException => (ExitCodes.Failure, $"{FirstLine(e.Message)} Fix: install the system packages with tools/setup-system.sh"),
        CudaException => (ExitCodes.Failure, $"GPU error: {e.Message}"),
        SafeTensorsException or InvalidDataException => (ExitCodes.Failure, e.Message),
        FileNotFoundException f => (ExitCodes.Failure, f.FileName is { } name && !f.Message.Contains(name, StringComparison.Ordinal) ? $"{name}: {f.Message}" : f.Message),
        DirectoryNotFoundException => (ExitCodes.Failure, e.Message),
        UnauthorizedAccessException => (ExitCodes.Failure, $"{e.Message} Fix: choose a folder you can write to (e.g. --out), or change its permissions; nothing already written was changed"),
        IOException when IsDiskFull(e) => (ExitCodes.Failure, $"disk full: {e.Message} Fix: free some space or write to another disk (--out); files written before were left intact"),
        IOException => (ExitCodes.Failure, e.Message),
        // a failure whose message already tells the user what to do (missing data, a mismatched resume, npm) is not a bug
        InvalidOperationException when e.Message.Contains("Fix:", StringComparison.Ordinal) || e.Message.Contains("`ntr ", StringComparison.Ordinal) => (ExitCodes.Failure, e.Message),
        _ => null,
    };

    private static string NoGpu(Exception e) => e.Message.Contains("Fix:", StringComparison.Ordinal)
        ? $"no usable GPU (run on the CPU with --device cpu): {e.Message}"
        : $"no usable GPU: {FirstLine(e.Message)} Fix: run on the CPU (--device cpu), or install the NVIDIA driver and CUDA libraries";

    private static bool IsDiskFull(Exception e) =>
        e.HResult == NoSpaceErrno || (e.HResult & 0xFFFF) == 0x70 /* Windows ERROR_DISK_FULL */ || e.Message.Contains("No space left", StringComparison.Ordinal);

    /// <summary>The exception that says what happened: the single inner exception of an aggregate or a reflection call.</summary>
    public static Exception Unwrap(Exception e) => e switch
    {
        AggregateException { InnerExceptions.Count: 1 } a => Unwrap(a.InnerExceptions[0]),
        TargetInvocationException { InnerException: { } inner } => Unwrap(inner),
        TypeInitializationException { InnerException: { } inner } => Unwrap(inner),
        _ => e,
    };

    private static string FirstLine(string text) => text.Split('\n', 2)[0].TrimEnd();
}
