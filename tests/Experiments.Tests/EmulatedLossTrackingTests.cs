using NativeTrustRegion.Engine;
using NativeTrustRegion.Experiments.Benchmarks;

namespace NativeTrustRegion.Experiments.Tests;

/// <summary>
/// Issue 11's end-to-end check of the CUDA back end without a GPU: a model trained on the emulated CUDA device
/// (kernels/emulator: our kernels as host code, cuBLAS/cuDNN stand-ins) from the same initial weights on the same
/// batches as the CPU gives the same losses, step for step, within 1e-5 relative over 20 Adam steps. What it runs is
/// everything a real GPU step runs through the engine: the CUDA back end, the launches, the vendor calls, the pool.
/// </summary>
public sealed class EmulatedLossTrackingTests
{
    [Theory]
    [InlineData("image-tiny")]
    [InlineData("policy-tiny")]
    public void TwentyStepsOnTheEmulatedDeviceTrackTheCpuLosses(string preset)
    {
        var folder = Directory.CreateTempSubdirectory($"ntr-losstrack-{preset}-").FullName;
        try
        {
            LossTrackingBatches.Export(preset, batch: 4, steps: 20, seed: 7, folder, "test");
            var cpu = LossTracking.Run(folder, Device.Cpu, TrainingPrecision.Fp32);
            var emulated = LossTracking.Run(folder, Device.Parse("cuda-emulated"), TrainingPrecision.Fp32);
            Assert.Equal(20, cpu.Losses.Count);
            Assert.Equal(20, emulated.Losses.Count);
            for (var i = 0; i < 20; i++)
            {
                Assert.True(double.IsFinite(cpu.Losses[i]) && cpu.Losses[i] > 0, $"step {i + 1}: CPU loss {cpu.Losses[i]}");
                var relative = Math.Abs(emulated.Losses[i] - cpu.Losses[i]) / cpu.Losses[i];
                Assert.True(relative <= 1e-5, $"{preset} step {i + 1}: emulated CUDA loss {emulated.Losses[i]:R} vs CPU {cpu.Losses[i]:R} ({relative:E2} relative > 1e-5)");
            }
            // the losses move (training happens), so agreement is not the agreement of two constants
            Assert.True(Math.Abs(cpu.Losses[19] - cpu.Losses[0]) > 1e-3 * cpu.Losses[0], $"{preset}: the loss did not change over 20 steps");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
