using System.Runtime.InteropServices;

namespace NativeTrustRegion.Engine.Backends.Cuda;

/// <summary>NVRTC (libnvrtc.so.13 / .12 / .11.2): CUDA C++ to PTX or CUBIN at run time. Needs no GPU.</summary>
internal static unsafe partial class Nvrtc
{
    private const string Library = "nvrtc";

    public const int Success = 0;
    public const int ErrorCompilation = 6;

    static Nvrtc()
    {
        CudaLibraryLocator.RegisterImportResolvers();
    }

    public static void Check(int result, string api)
    {
        if (result != Success)
        {
            throw new CudaException(api, result, ErrorName(result), "see the NVRTC documentation");
        }
    }

    public static string ErrorName(int result)
    {
        try
        {
            var p = nvrtcGetErrorString(result);
            return p == 0 ? $"nvrtcResult {result}" : Marshal.PtrToStringUTF8(p) ?? $"nvrtcResult {result}";
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return $"nvrtcResult {result}";
        }
    }

    [LibraryImport(Library)]
    public static partial nint nvrtcGetErrorString(int result);

    [LibraryImport(Library)]
    public static partial int nvrtcVersion(out int major, out int minor);

    [LibraryImport(Library)]
    public static partial int nvrtcGetNumSupportedArchs(out int count);

    [LibraryImport(Library)]
    public static partial int nvrtcGetSupportedArchs(int* archs);

    [LibraryImport(Library)]
    public static partial int nvrtcCreateProgram(out nint program, byte* source, byte* name, int headerCount, byte** headers, byte** includeNames);

    [LibraryImport(Library)]
    public static partial int nvrtcCompileProgram(nint program, int optionCount, byte** options);

    [LibraryImport(Library)]
    public static partial int nvrtcGetProgramLogSize(nint program, out nuint size);

    [LibraryImport(Library)]
    public static partial int nvrtcGetProgramLog(nint program, byte* log);

    [LibraryImport(Library)]
    public static partial int nvrtcGetPTXSize(nint program, out nuint size);

    [LibraryImport(Library)]
    public static partial int nvrtcGetPTX(nint program, byte* ptx);

    [LibraryImport(Library)]
    public static partial int nvrtcGetCUBINSize(nint program, out nuint size);

    [LibraryImport(Library)]
    public static partial int nvrtcGetCUBIN(nint program, byte* cubin);

    [LibraryImport(Library)]
    public static partial int nvrtcDestroyProgram(ref nint program);
}
