using NativeTrustRegion.Control.Native;

namespace NativeTrustRegion.Control.Physics;

/// <summary>A compiled MuJoCo model (<c>mjModel</c>). Owns the native model; dispose it after its simulations.</summary>
public sealed unsafe class MuJoCoModel : IDisposable
{
    private readonly MuJoCoModelHandle _handle;

    private MuJoCoModel(MuJoCoModelHandle handle, string source)
    {
        _handle = handle;
        Source = source;
        if (MuJoCoShim.ModelSizes(handle, out MuJoCoModelSizes sizes) != 0)
        {
            throw new MuJoCoException($"Could not read the sizes of the MuJoCo model '{source}'.");
        }
        Sizes = sizes;
    }

    /// <summary>Where the model came from (file path or scene name); used in messages.</summary>
    public string Source { get; }

    public MuJoCoModelSizes Sizes { get; }

    internal MuJoCoModelHandle Handle
    {
        get
        {
            ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
            return _handle;
        }
    }

    /// <summary>Compiles an MJCF file.</summary>
    /// <exception cref="MuJoCoException">MuJoCo rejected the file; the message names the file and MuJoCo's reason.</exception>
    public static MuJoCoModel LoadFile(string path)
    {
        MuJoCoRuntime.EnsureLoaded();
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"MJCF file '{path}' does not exist.", path);
        }
        byte* error = stackalloc byte[MuJoCoShim.ErrorBufferSize];
        error[0] = 0;
        MuJoCoModelHandle handle = MuJoCoShim.LoadXmlFile(path, error, MuJoCoShim.ErrorBufferSize);
        return Wrap(handle, path, new ReadOnlySpan<byte>(error, MuJoCoShim.ErrorBufferSize));
    }

    /// <summary>Compiles MJCF text held in memory; <paramref name="sourceName"/> names it in error messages.</summary>
    /// <exception cref="MuJoCoException">MuJoCo rejected the text; the message names the source and MuJoCo's reason.</exception>
    public static MuJoCoModel LoadXml(string xml, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(xml);
        MuJoCoRuntime.EnsureLoaded();
        byte* error = stackalloc byte[MuJoCoShim.ErrorBufferSize];
        error[0] = 0;
        MuJoCoModelHandle handle = MuJoCoShim.LoadXmlString(xml, error, MuJoCoShim.ErrorBufferSize);
        return Wrap(handle, sourceName, new ReadOnlySpan<byte>(error, MuJoCoShim.ErrorBufferSize));
    }

    private static MuJoCoModel Wrap(MuJoCoModelHandle handle, string source, ReadOnlySpan<byte> error)
    {
        if (handle.IsInvalid)
        {
            handle.Dispose();
            throw new MuJoCoException($"MuJoCo could not compile the MJCF model '{source}': {MuJoCoShim.DecodeMessage(error)}");
        }
        return new MuJoCoModel(handle, source);
    }

    /// <summary>Id of a named object, or -1 when the model has no such object.</summary>
    public int FindId(MuJoCoObjectType type, string name) => MuJoCoShim.NameToId(Handle, (int)type, name);

    /// <summary>Id of a named object.</summary>
    /// <exception cref="MuJoCoException">The model has no object of that type and name.</exception>
    public int RequireId(MuJoCoObjectType type, string name)
    {
        int id = FindId(type, name);
        if (id < 0)
        {
            throw new MuJoCoException($"The MuJoCo model '{Source}' has no {type.ToString().ToLowerInvariant()} named '{name}'.");
        }
        return id;
    }

    /// <summary>Start of a named joint's coordinates in qpos.</summary>
    public int JointQposAddress(string jointName) =>
        MuJoCoShim.JointQposAddress(Handle, RequireId(MuJoCoObjectType.Joint, jointName));

    /// <summary>Start of a named joint's velocities in qvel.</summary>
    public int JointDofAddress(string jointName) =>
        MuJoCoShim.JointDofAddress(Handle, RequireId(MuJoCoObjectType.Joint, jointName));

    /// <summary>Mocap index of a named mocap body.</summary>
    /// <exception cref="MuJoCoException">The body is not a mocap body.</exception>
    public int MocapId(string bodyName)
    {
        int id = MuJoCoShim.BodyMocapId(Handle, RequireId(MuJoCoObjectType.Body, bodyName));
        if (id < 0)
        {
            throw new MuJoCoException($"Body '{bodyName}' of the MuJoCo model '{Source}' is not a mocap body.");
        }
        return id;
    }

    /// <summary>Scalar length of a field for this model.</summary>
    public int FieldLength(MuJoCoField field)
    {
        int length = MuJoCoShim.FieldLength(Handle, (int)field);
        if (length < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(field), field, "The MuJoCo shim does not know this field.");
        }
        return length;
    }

    /// <summary>Reads a model field (body_pos, eq_data, timestep, ...) starting at scalar index <paramref name="start"/>.</summary>
    public void Read(MuJoCoField field, int start, Span<double> destination)
    {
        fixed (double* output = destination)
        {
            int status = MuJoCoShim.ReadModel(Handle, IntPtr.Zero, (int)field, start, destination.Length, output);
            if (status != 0)
            {
                throw new ArgumentOutOfRangeException(nameof(start),
                    $"Cannot read {destination.Length} values of model field {field} from index {start} of '{Source}' " +
                    $"(length {FieldLength(field)}; data fields need a simulation).");
            }
        }
    }

    public void Dispose() => _handle.Dispose();
}
