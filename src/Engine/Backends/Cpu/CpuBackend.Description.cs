using System.Runtime.InteropServices;

namespace NativeTrustRegion.Engine.Backends.Cpu;

/// <summary>The CPU back end's description, timer, precision (always float32) and thread budget (<see cref="CpuParallel"/>).</summary>
public sealed partial class CpuBackend
{
    private DeviceDescription? _description;

    public DeviceDescription Description => _description ??= new DeviceDescription(CpuModel(), null, null, null, Environment.ProcessorCount, null);

    public DeviceMemory? Memory() => null;

    public IStepTimer CreateStepTimer() => new SynchronizedStopwatchStepTimer(this);

    public MatmulPrecision Precision
    {
        get => MatmulPrecision.Fp32;
        set
        {
            if (value != MatmulPrecision.Fp32)
            {
                throw new ArgumentException($"the CPU back end computes matrix products in float32 only, not {value}. Fix: use {MatmulPrecision.Fp32} on the CPU ({value} needs a CUDA GPU)", nameof(value));
            }
        }
    }

    public IStepCapture? StepCapture => null;

    public int ThreadBudget => CpuParallel.Threads;

    public IDisposable LimitThreads(int threads) => CpuParallel.LimitCurrentThread(threads);

    /// <summary>The processor's model name from /proc/cpuinfo (Linux), else the process architecture ("X64").</summary>
    private static string CpuModel()
    {
        try
        {
            if (File.Exists("/proc/cpuinfo"))
            {
                var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
                if (line is not null)
                {
                    return line[(line.IndexOf(':') + 1)..].Trim();
                }
            }
        }
        catch (IOException)
        {
        }
        return RuntimeInformation.ProcessArchitecture.ToString();
    }
}
