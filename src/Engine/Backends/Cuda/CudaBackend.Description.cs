namespace NativeTrustRegion.Engine.Backends.Cuda;

/// <summary>The CUDA back end's description (what the driver reports), CUDA-event timer, matmul precision and thread budget (ignored: kernels run on the GPU).</summary>
public sealed partial class CudaBackend
{
    public DeviceDescription Description => new(Info.Name, Info.Architecture, $"{Info.ComputeMajor}.{Info.ComputeMinor}", Info.DriverCudaVersion, Info.Multiprocessors, Info.TotalMemoryBytes);

    DeviceMemory? IBackend.Memory()
    {
        var (free, total) = MemoryInfo();
        return new DeviceMemory(free, total);
    }

    public IStepTimer CreateStepTimer() => new CudaEventStepTimer(this);

    /// <summary>Whether float32 GEMMs and convolutions use TF32 tensor cores (10-bit mantissa products); Tf32 unless NTR_TF32=0.</summary>
    public MatmulPrecision Precision { get; set; } = Environment.GetEnvironmentVariable("NTR_TF32") == "0" ? MatmulPrecision.Fp32 : MatmulPrecision.Tf32;

    internal bool Tf32 => Precision == MatmulPrecision.Tf32;

    public IStepCapture? StepCapture => this;

    public int ThreadBudget => 1;

    public IDisposable LimitThreads(int threads) => NoLimit.Instance;

    private sealed class NoLimit : IDisposable
    {
        public static readonly NoLimit Instance = new();

        public void Dispose()
        {
        }
    }
}
