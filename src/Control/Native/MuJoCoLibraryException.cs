namespace NativeTrustRegion.Control.Native;

/// <summary>
/// A native library of the control suite (the MuJoCo runtime or the <c>libntr_mujoco.so</c> shim) is missing,
/// unloadable or of the wrong version. The message names the library and the command that fixes it.
/// </summary>
public sealed class MuJoCoLibraryException : Exception
{
    public MuJoCoLibraryException(string libraryName, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        LibraryName = libraryName;
    }

    /// <summary>File name of the library that failed, e.g. <c>libmujoco.so.2.2.2</c> or <c>libntr_mujoco.so</c>.</summary>
    public string LibraryName { get; }
}
