using NativeTrustRegion.Control.Native;

namespace NativeTrustRegion.Control.Physics;

/// <summary>
/// Simulation state (<c>mjData</c>) of one <see cref="MuJoCoModel"/>, with checked access to state arrays and
/// to the writable model fields the environments change at reset (body_pos, eq_data, site_pos, timestep).
/// </summary>
public sealed unsafe class MuJoCoSimulation : IDisposable
{
    private readonly MuJoCoDataHandle _data;

    public MuJoCoSimulation(MuJoCoModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        byte* error = stackalloc byte[MuJoCoShim.ErrorBufferSize];
        error[0] = 0;
        _data = MuJoCoShim.MakeData(model.Handle, error, MuJoCoShim.ErrorBufferSize);
        if (_data.IsInvalid)
        {
            _data.Dispose();
            throw new MuJoCoException(
                $"MuJoCo could not allocate data for '{model.Source}': " +
                MuJoCoShim.DecodeMessage(new ReadOnlySpan<byte>(error, MuJoCoShim.ErrorBufferSize)));
        }
    }

    public MuJoCoModel Model { get; }

    private MuJoCoDataHandle Data
    {
        get
        {
            ObjectDisposedException.ThrowIf(_data.IsClosed, this);
            return _data;
        }
    }

    /// <summary>Number of MuJoCo warnings (bad qacc, contact buffer full, ...) raised since the last reset.</summary>
    public int WarningCount => MuJoCoShim.WarningCount(Data);

    /// <summary>Text of the latest MuJoCo warning raised on this thread ("" when none).</summary>
    public static string LastWarning()
    {
        byte* buffer = stackalloc byte[MuJoCoShim.ErrorBufferSize];
        buffer[0] = 0;
        MuJoCoShim.LastWarning(buffer, MuJoCoShim.ErrorBufferSize);
        return MuJoCoShim.DecodeMessage(new ReadOnlySpan<byte>(buffer, MuJoCoShim.ErrorBufferSize));
    }

    /// <summary><c>mj_resetData</c>: state back to qpos0, zero velocities, controls and time.</summary>
    public void Reset()
    {
        byte* error = stackalloc byte[MuJoCoShim.ErrorBufferSize];
        error[0] = 0;
        Check(MuJoCoShim.Reset(Model.Handle, Data, error, MuJoCoShim.ErrorBufferSize), "mj_resetData", error);
    }

    /// <summary>Runs <c>mj_step</c> <paramref name="count"/> times.</summary>
    public void Step(int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        byte* error = stackalloc byte[MuJoCoShim.ErrorBufferSize];
        error[0] = 0;
        Check(MuJoCoShim.Step(Model.Handle, Data, count, error, MuJoCoShim.ErrorBufferSize), "mj_step", error);
    }

    /// <summary><c>mj_forward</c>: recomputes positions, contacts and forces without advancing time.</summary>
    public void Forward()
    {
        byte* error = stackalloc byte[MuJoCoShim.ErrorBufferSize];
        error[0] = 0;
        Check(MuJoCoShim.Forward(Model.Handle, Data, error, MuJoCoShim.ErrorBufferSize), "mj_forward", error);
    }

    /// <summary>Copies <paramref name="destination"/>.Length scalars of a field starting at scalar index <paramref name="start"/>.</summary>
    public void Read(MuJoCoField field, int start, Span<double> destination)
    {
        fixed (double* output = destination)
        {
            int status = MuJoCoShim.Read(Model.Handle, Data, (int)field, start, destination.Length, output);
            if (status != 0)
            {
                throw OutOfRange(field, start, destination.Length, "read");
            }
        }
    }

    /// <summary>Overwrites scalars of a writable field starting at scalar index <paramref name="start"/>.</summary>
    public void Write(MuJoCoField field, int start, ReadOnlySpan<double> values)
    {
        fixed (double* input = values)
        {
            int status = MuJoCoShim.Write(Model.Handle, Data, (int)field, start, values.Length, input);
            if (status != 0)
            {
                throw OutOfRange(field, start, values.Length, "write");
            }
        }
    }

    /// <summary>Reads one scalar.</summary>
    public double Read(MuJoCoField field, int index)
    {
        double value = 0;
        Read(field, index, new Span<double>(ref value));
        return value;
    }

    /// <summary>Writes one scalar.</summary>
    public void Write(MuJoCoField field, int index, double value) => Write(field, index, new ReadOnlySpan<double>(in value));

    /// <summary>Reads a 3-vector stored at row <paramref name="row"/> of a field with 3 numbers per row.</summary>
    public Vec3 ReadVec3(MuJoCoField field, int row)
    {
        Span<double> values = stackalloc double[3];
        Read(field, 3 * row, values);
        return new Vec3(values[0], values[1], values[2]);
    }

    /// <summary>Writes a 3-vector at row <paramref name="row"/> of a field with 3 numbers per row.</summary>
    public void WriteVec3(MuJoCoField field, int row, Vec3 value)
    {
        ReadOnlySpan<double> values = [value.X, value.Y, value.Z];
        Write(field, 3 * row, values);
    }

    private ArgumentOutOfRangeException OutOfRange(MuJoCoField field, int start, int count, string verb) =>
        new(nameof(start),
            $"Cannot {verb} {count} values of {field} from index {start} in '{Model.Source}' " +
            $"(length {Model.FieldLength(field)}{(verb == "write" ? "; some fields are read-only" : "")}).");

    private void Check(int status, string operation, byte* error)
    {
        if (status != 0)
        {
            throw new MuJoCoException(
                $"MuJoCo failed in {operation} for '{Model.Source}': " +
                MuJoCoShim.DecodeMessage(new ReadOnlySpan<byte>(error, MuJoCoShim.ErrorBufferSize)));
        }
    }

    public void Dispose() => _data.Dispose();
}
