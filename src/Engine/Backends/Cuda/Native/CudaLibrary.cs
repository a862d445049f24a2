namespace NativeTrustRegion.Engine.Backends.Cuda;

/// <summary>
/// One CUDA library: the logical name its imports use, the sonames tried in order, companion libraries that must
/// be loaded from the same folder first (cuDNN 9's sub-libraries, NVRTC's builtins), and where it usually lives.
/// </summary>
public sealed record CudaLibrary(string ImportName, string DisplayName, string[] Sonames, string[] CompanionPatterns, string Hint)
{
    public static readonly CudaLibrary Driver = new("cuda", "CUDA driver", ["libcuda.so.1"], [],
        "the NVIDIA driver (none is installed on this machine, or its folder is not on the loader path)");

    public static readonly CudaLibrary Cublas = new("cublas", "cuBLAS", ["libcublas.so.13", "libcublas.so.12"], ["libcublasLt.so.*"],
        "pip wheel nvidia-cublas (site-packages/nvidia/cu13/lib) or a CUDA toolkit (/usr/local/cuda/lib64)");

    public static readonly CudaLibrary Cudnn = new("cudnn", "cuDNN 9", ["libcudnn.so.9"],
        ["libcudnn_graph.so.9", "libcudnn_engines_runtime_compiled.so.9", "libcudnn_engines_precompiled.so.9", "libcudnn_heuristic.so.9", "libcudnn_ops.so.9", "libcudnn_cnn.so.9", "libcudnn_adv.so.9"],
        "pip wheel nvidia-cudnn-cu13 (site-packages/nvidia/cudnn/lib)");

    public static readonly CudaLibrary Nvrtc = new("nvrtc", "NVRTC", ["libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2"], ["libnvrtc-builtins.so.*"],
        "pip wheel nvidia-cuda-nvrtc (site-packages/nvidia/cu13/lib), a CUDA toolkit, or on Debian the package libnvrtc11.2 from non-free (apt-get install libnvrtc11.2)");

    public static IReadOnlyList<CudaLibrary> All { get; } = [Driver, Cublas, Cudnn, Nvrtc];
}
