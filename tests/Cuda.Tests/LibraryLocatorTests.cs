using NativeTrustRegion.Engine.Backends.Cuda;

namespace NativeTrustRegion.Cuda.Tests;

/// <summary>How CUDA libraries are found, and what the error says when one is not.</summary>
public class LibraryLocatorTests
{
    [Fact]
    public void MissingLibraryMessageNamesLibraryFoldersAndVariable()
    {
        var locator = new CudaLibraryLocator(["/nonexistent/ntr-test-folder"], useSystemLoader: false);
        var e = Assert.Throws<CudaLibraryNotFoundException>(() => locator.Load(CudaLibrary.Cudnn));
        Assert.Contains("libcudnn.so.9", e.Message);
        Assert.Contains("/nonexistent/ntr-test-folder", e.Message);
        Assert.Contains(CudaLibraryLocator.PathVariable, e.Message);
        Assert.Contains("nvidia-cudnn-cu13", e.Message);
    }

    [Fact]
    public void MissingNvrtcMessageNamesTheDebianPackage()
    {
        var locator = new CudaLibraryLocator([], useSystemLoader: false);
        var e = Assert.Throws<CudaLibraryNotFoundException>(() => locator.Load(CudaLibrary.Nvrtc));
        Assert.Contains("libnvrtc11.2", e.Message);
        Assert.Contains("libnvrtc.so.13", e.Message);
    }

    [Fact]
    public void FindsLibrariesInPythonWheelFolders()
    {
        var root = Path.Combine(Path.GetTempPath(), $"ntr-wheel-{Guid.NewGuid():N}");
        try
        {
            var cu13 = Path.Combine(root, "lib", "python3.12", "site-packages", "nvidia", "cu13", "lib");
            var cudnn = Path.Combine(root, "lib", "python3.12", "site-packages", "nvidia", "cudnn", "lib");
            Directory.CreateDirectory(cu13);
            Directory.CreateDirectory(cudnn);
            File.WriteAllText(Path.Combine(cu13, "libcublas.so.13"), "");
            File.WriteAllText(Path.Combine(cudnn, "libcudnn.so.9"), "");
            var folders = CudaLibraryLocator.WheelLibraryFolders(root).ToArray();
            Assert.Equal(cu13, folders[0]);
            Assert.Contains(cudnn, folders);
            var locator = new CudaLibraryLocator(folders, useSystemLoader: false);
            Assert.Equal(Path.Combine(cu13, "libcublas.so.13"), locator.FindFile(CudaLibrary.Cublas));
            Assert.Equal(Path.Combine(cudnn, "libcudnn.so.9"), locator.FindFile(CudaLibrary.Cudnn));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void EnvironmentFoldersComeFirst()
    {
        var locator = CudaLibraryLocator.FromEnvironment();
        Assert.Contains("/usr/local/cuda/lib64", locator.SearchDirectories);
        var env = Environment.GetEnvironmentVariable(CudaLibraryLocator.PathVariable);
        if (!string.IsNullOrEmpty(env))
        {
            Assert.Equal(env.Split(':')[0], locator.SearchDirectories[0]);
        }
    }
}
