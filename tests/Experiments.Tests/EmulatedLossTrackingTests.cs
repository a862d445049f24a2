using System.Diagnostics;
using System.Text.Json;

namespace NativeTrustRegion.Experiments.Tests;

/// <summary>
/// Issue 11's end-to-end check of the CUDA back end without a GPU: `ntr bench loss-track --device cuda-emulated`
/// (kernels/emulator: our kernels as host code, cuBLAS/cuDNN stand-ins) from the same initial weights on the same
/// batches as `--device cpu` gives the same losses, step for step, within 1e-5 relative over 20 Adam steps. It runs
/// everything a real GPU step runs through the engine: the CUDA back end, the launches, the vendor calls, the pool.
/// Each `ntr` runs in its own process: choosing the emulated device is fixed for a process, and the other tests of
/// this project expect `--device cuda` to find no GPU.
/// </summary>
public sealed class EmulatedLossTrackingTests
{
    [Theory]
    [InlineData("image-tiny")]
    [InlineData("policy-tiny")]
    public async Task TwentyStepsOnTheEmulatedDeviceTrackTheCpuLosses(string preset)
    {
        var folder = Directory.CreateTempSubdirectory($"ntr-losstrack-{preset}-").FullName;
        try
        {
            await Ntr("bench", "export-batches", "--preset", preset, "--batch", "4", "--steps", "20", "--seed", "7", "--out", folder);
            var cpuFile = Path.Combine(folder, "cpu.json");
            var emulatedFile = Path.Combine(folder, "emulated.json");
            await Ntr("bench", "loss-track", "--batches", folder, "--device", "cpu", "--out", cpuFile);
            await Ntr("bench", "loss-track", "--batches", folder, "--device", "cuda-emulated", "--out", emulatedFile);
            var cpu = Losses(cpuFile);
            var emulated = Losses(emulatedFile);
            Assert.Equal(20, cpu.Length);
            Assert.Equal(20, emulated.Length);
            for (var i = 0; i < 20; i++)
            {
                Assert.True(double.IsFinite(cpu[i]) && cpu[i] > 0, $"step {i + 1}: CPU loss {cpu[i]}");
                var relative = Math.Abs(emulated[i] - cpu[i]) / cpu[i];
                Assert.True(relative <= 1e-5, $"{preset} step {i + 1}: emulated CUDA loss {emulated[i]:R} vs CPU {cpu[i]:R} ({relative:E2} relative > 1e-5)");
            }
            // the losses move (training happens), so agreement is not the agreement of two constants
            Assert.True(Math.Abs(cpu[19] - cpu[0]) > 1e-3 * cpu[0], $"{preset}: the loss did not change over 20 steps");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static double[] Losses(string file)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(file));
        return json.RootElement.GetProperty("losses").EnumerateArray().Select(e => e.GetDouble()).ToArray();
    }

    private static Task Ntr(params string[] args) => NtrChildProcess.RunSucceeding(args);
}
