using NativeTrustRegion.Engine.Backends.Cuda;
using NativeTrustRegion.Engine.Distributed;
using NativeTrustRegion.Experiments.Cluster;
using NativeTrustRegion.Experiments.Configuration;

namespace NativeTrustRegion.Cli.Commands;

/// <summary>`ntr run --gpus N`: checks the GPUs and the method, makes the NCCL id, starts the N ranks (or prints them with --dry-run) and waits.</summary>
internal static class GpuLaunch
{
    public static int Run(ExperimentConfig config, int gpus, IReadOnlyList<string> rankArguments, bool dryRun)
    {
        MultiGpuLaunch.CheckCount(gpus);
        if (gpus > 1 && !MethodNames.DataParallelMethods.Contains(config.Method))
        {
            Console.Error.WriteLine($"ntr: data-parallel training is implemented for {string.Join(", ", MethodNames.DataParallelMethods.Order())} only, not '{config.Method}'. Fix: run it on one GPU (--gpus 1 or --device cuda).");
            return 2;
        }
        var refusal = MultiGpuLaunch.Refusal(gpus, AvailableGpus(out var why), why);
        var ntr = NtrCommandLine.OfThisProcess();
        if (dryRun)
        {
            var ranks = MultiGpuLaunch.Plan(ntr, rankArguments, gpus, gpus > 1 ? MultiGpuLaunch.IdPlaceholder : null);
            Console.WriteLine($"would start {gpus} process(es), rank r on GPU r, and wait for them:");
            foreach (var rank in ranks)
            {
                Console.WriteLine(rank.ToString());
            }
            if (refusal is not null)
            {
                Console.WriteLine($"note: a real launch would stop here: {refusal}");
            }
            return 0;
        }
        if (refusal is not null)
        {
            Console.Error.WriteLine($"ntr: {refusal}");
            return 1;
        }
        string? id = null;
        if (gpus > 1)
        {
            try
            {
                id = Convert.ToHexString(NcclCollective.NewUniqueId());
            }
            catch (DllNotFoundException e)
            {
                Console.Error.WriteLine($"ntr: --gpus {gpus} needs NCCL: {e.Message}");
                return 1;
            }
        }
        return MultiGpuLaunch.Start(MultiGpuLaunch.Plan(ntr, rankArguments, gpus, id), Console.Error);
    }

    /// <summary>The GPUs the CUDA driver sees, or null (with the reason) when there is no usable driver.</summary>
    private static int? AvailableGpus(out string? why)
    {
        try
        {
            why = null;
            return CudaBackend.DeviceCount();
        }
        catch (Exception e) when (e is CudaLibraryNotFoundException or CudaException or DllNotFoundException)
        {
            why = e.Message.Split('\n')[0];
            return null;
        }
    }
}
