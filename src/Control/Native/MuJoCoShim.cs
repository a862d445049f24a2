using System.Runtime.InteropServices;

namespace NativeTrustRegion.Control.Native;

/// <summary>
/// P/Invoke surface of the C shim <c>libntr_mujoco.so</c> (src/Control/Native/ntr_mujoco.h). Every type crossing
/// the boundary is blittable; strings are UTF-8. Call <see cref="MuJoCoRuntime.EnsureLoaded"/> before the first call
/// so a missing library is reported with a fix instead of a bare <see cref="DllNotFoundException"/>.
/// </summary>
internal static unsafe partial class MuJoCoShim
{
    public const string LibraryName = "ntr_mujoco";
    public const int ExpectedAbiVersion = 1;
    public const int ErrorBufferSize = 1024;

    [LibraryImport(LibraryName, EntryPoint = "ntr_abi_version")]
    public static partial int AbiVersion();

    [LibraryImport(LibraryName, EntryPoint = "ntr_mujoco_version")]
    public static partial int MuJoCoVersion();

    [LibraryImport(LibraryName, EntryPoint = "ntr_mujoco_header_version")]
    public static partial int MuJoCoHeaderVersion();

    [LibraryImport(LibraryName, EntryPoint = "ntr_load_xml_file", StringMarshalling = StringMarshalling.Utf8)]
    public static partial MuJoCoModelHandle LoadXmlFile(string path, byte* error, int errorSize);

    [LibraryImport(LibraryName, EntryPoint = "ntr_load_xml_string", StringMarshalling = StringMarshalling.Utf8)]
    public static partial MuJoCoModelHandle LoadXmlString(string xml, byte* error, int errorSize);

    [LibraryImport(LibraryName, EntryPoint = "ntr_free_model")]
    public static partial void FreeModel(IntPtr model);

    [LibraryImport(LibraryName, EntryPoint = "ntr_model_sizes")]
    public static partial int ModelSizes(MuJoCoModelHandle model, out MuJoCoModelSizes sizes);

    [LibraryImport(LibraryName, EntryPoint = "ntr_make_data")]
    public static partial MuJoCoDataHandle MakeData(MuJoCoModelHandle model, byte* error, int errorSize);

    [LibraryImport(LibraryName, EntryPoint = "ntr_free_data")]
    public static partial void FreeData(IntPtr data);

    [LibraryImport(LibraryName, EntryPoint = "ntr_reset")]
    public static partial int Reset(MuJoCoModelHandle model, MuJoCoDataHandle data, byte* error, int errorSize);

    [LibraryImport(LibraryName, EntryPoint = "ntr_step")]
    public static partial int Step(MuJoCoModelHandle model, MuJoCoDataHandle data, int count, byte* error, int errorSize);

    [LibraryImport(LibraryName, EntryPoint = "ntr_forward")]
    public static partial int Forward(MuJoCoModelHandle model, MuJoCoDataHandle data, byte* error, int errorSize);

    [LibraryImport(LibraryName, EntryPoint = "ntr_name_to_id", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int NameToId(MuJoCoModelHandle model, int type, string name);

    [LibraryImport(LibraryName, EntryPoint = "ntr_joint_qpos_address")]
    public static partial int JointQposAddress(MuJoCoModelHandle model, int joint);

    [LibraryImport(LibraryName, EntryPoint = "ntr_joint_dof_address")]
    public static partial int JointDofAddress(MuJoCoModelHandle model, int joint);

    [LibraryImport(LibraryName, EntryPoint = "ntr_body_mocap_id")]
    public static partial int BodyMocapId(MuJoCoModelHandle model, int body);

    [LibraryImport(LibraryName, EntryPoint = "ntr_field_length")]
    public static partial int FieldLength(MuJoCoModelHandle model, int field);

    [LibraryImport(LibraryName, EntryPoint = "ntr_read")]
    public static partial int Read(MuJoCoModelHandle model, MuJoCoDataHandle data, int field, int start, int count, double* output);

    [LibraryImport(LibraryName, EntryPoint = "ntr_read")]
    public static partial int ReadModel(MuJoCoModelHandle model, IntPtr noData, int field, int start, int count, double* output);

    [LibraryImport(LibraryName, EntryPoint = "ntr_write")]
    public static partial int Write(MuJoCoModelHandle model, MuJoCoDataHandle data, int field, int start, int count, double* values);

    [LibraryImport(LibraryName, EntryPoint = "ntr_warning_count")]
    public static partial int WarningCount(MuJoCoDataHandle data);

    [LibraryImport(LibraryName, EntryPoint = "ntr_last_warning")]
    public static partial int LastWarning(byte* buffer, int bufferSize);

    /// <summary>Decodes a NUL-terminated UTF-8 message written by the shim.</summary>
    public static string DecodeMessage(ReadOnlySpan<byte> buffer)
    {
        int length = buffer.IndexOf((byte)0);
        if (length < 0)
        {
            length = buffer.Length;
        }
        return System.Text.Encoding.UTF8.GetString(buffer[..length]).Trim();
    }
}
