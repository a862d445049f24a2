using NativeTrustRegion.Engine.Backends.Cuda;

namespace NativeTrustRegion.Cuda.Tests;

/// <summary>Issue 11's defect 3: CudaGraph passed CUDA_GRAPH_INSTANTIATE_FLAG_UPLOAD (2) to cuGraphInstantiateWithFlags.</summary>
public class CudaGraphFlagsTests
{
    /// <summary>CUDA_GRAPH_INSTANTIATE_FLAG_UPLOAD, valid only for cuGraphInstantiateWithParams.</summary>
    private const ulong InstantiateFlagUpload = 2;

    [Fact]
    public void GraphsAreInstantiatedWithoutTheUploadFlag()
    {
        // cuGraphInstantiateWithFlags accepts only AUTO_FREE_ON_LAUNCH (1), DEVICE_LAUNCH (4) and USE_NODE_PRIORITY (8);
        // UPLOAD makes it return CUDA_ERROR_INVALID_VALUE, so every graph capture failed on a GPU
        Assert.Equal(0ul, CudaGraph.InstantiateFlags & InstantiateFlagUpload);
        Assert.Equal(0ul, CudaGraph.InstantiateFlags);
    }
}
