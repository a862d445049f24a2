using System.Diagnostics;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Backends.Cuda;

namespace NativeTrustRegion.Cuda.Tests;

/// <summary>The emulated CUDA device itself: how it is chosen, what it reports, how its failures reach the caller.</summary>
[Collection(CudaTestDevice.Collection)]
public class EmulatedDeviceTests
{
    [SkippableFact]
    public void CudaEmulatedParsesAsGpuZeroAndRequestsTheEmulator()
    {
        // Parsing the name asks for the emulator: never in a process that uses the real GPU.
        Skip.IfNot(CudaTestDevice.Emulated, "these tests run on the real GPU (NTR_CUDA_TESTS_REAL_GPU=1)");
        Assert.Equal(Device.Cuda(0), Device.Parse("cuda-emulated"));
        Assert.True(CudaEmulationRequest.IsRequested);
        var e = Assert.ThrowsAny<ArgumentException>(() => Device.Parse("cuda-emulator"));
        Assert.Contains("cuda-emulated", e.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void TheEmulatedDeviceIsAnH200()
    {
        Skip.IfNot(CudaTestDevice.Emulated, "these tests run on the real GPU (NTR_CUDA_TESTS_REAL_GPU=1)");
        var gpu = GpuParityTests.RequireGpu();
        Assert.Equal("NVIDIA H200 (emulated)", gpu.Info.Name);
        Assert.Equal((9, 0), (gpu.Info.ComputeMajor, gpu.Info.ComputeMinor));
        Assert.Equal(132, gpu.Info.Multiprocessors);
        Assert.All(gpu.KernelLoadLog, line => Assert.Contains("compute_90", line, StringComparison.Ordinal));
    }

    [SkippableFact]
    public unsafe void ALaunchBeyondTheGridLimitFailsNamingTheKernel()
    {
        Skip.IfNot(CudaTestDevice.Emulated, "these tests run on the real GPU (NTR_CUDA_TESTS_REAL_GPU=1)");
        var gpu = GpuParityTests.RequireGpu();
        var x = Tensor.Zeros([4, 8], device: gpu.Device);
        var e = LaunchSoftmaxInPlace(gpu, gpu.Ptr(x), rowLength: 8, gridY: 70_000, threads: 32);
        Assert.NotNull(e);
        Assert.Equal(1, e.Code);
        Assert.Contains("softmax_forward_f32", e.Message, StringComparison.Ordinal);
        Assert.Contains("grid 1x70000x1", e.Message, StringComparison.Ordinal);
        // the engine's own launch-rule check (LaunchRules) refuses it before the driver sees it; the emulator's check of
        // the same rule is exercised without the engine in the native self-test (EmulatorSelfTest: grid y 70,000 → 1)
        Assert.Contains("grid y and z must be at most 65535", e.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public unsafe void AKernelReadingPastItsBufferFaultsNamingTheKernel()
    {
        Skip.IfNot(CudaTestDevice.Emulated, "these tests run on the real GPU (NTR_CUDA_TESTS_REAL_GPU=1)");
        var gpu = GpuParityTests.RequireGpu();
        // 64 floats (256 bytes, the back end's allocation granule), read as one softmax row of 1000
        var storage = (CudaStorage)gpu.AllocateUnpooled(DType.F32, 64);
        var e = LaunchSoftmaxInPlace(gpu, storage.Pointer, rowLength: 1000, gridY: 1, threads: 128);
        storage.Free();
        Assert.NotNull(e);
        Assert.Equal(700, e.Code);
        Assert.Contains("CUDA_ERROR_ILLEGAL_ADDRESS", e.Message, StringComparison.Ordinal);
        // Threads run in order until they wait, so thread 0 faults first: its second element, 128, is 256 bytes past the end.
        Assert.True(e.Message.Contains("kernel softmax_forward_f32, block (0,0,0), thread (0,0,0): read of address", StringComparison.Ordinal) &&
                    e.Message.Contains("256 bytes past the end of the 256-byte device buffer", StringComparison.Ordinal) &&
                    e.Message.Contains("element 128 as float", StringComparison.Ordinal), e.Message);
    }

    [SkippableFact]
    public void ManagedNullReferencesStillWorkAfterAKernelFault()
    {
        // The emulator's SIGSEGV handler (installed at the first launch) must hand faults outside kernels to .NET's.
        Skip.IfNot(CudaTestDevice.Emulated, "these tests run on the real GPU (NTR_CUDA_TESTS_REAL_GPU=1)");
        AKernelReadingPastItsBufferFaultsNamingTheKernel();
        var gpu = GpuParityTests.RequireGpu();
        Assert.Equal(4.0, Ops.SumAll(Tensor.Ones([4], device: gpu.Device)).Item());
        object? nothing = NullObject();
        Assert.Throws<NullReferenceException>(() => nothing!.GetHashCode());
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static object? NullObject() => null;

    /// <summary>
    /// The engine's own <see cref="CudaGraph"/> captures and replays on the emulated device (issue 11 defect 3: it
    /// passed CUDA_GRAPH_INSTANTIATE_FLAG_UPLOAD to cuGraphInstantiateWithFlags, which the driver and the emulator refuse).
    /// </summary>
    [SkippableFact]
    public void CudaGraphCaptureAndReplayOfAFusedStep()
    {
        Skip.IfNot(CudaTestDevice.Emulated, "these tests run on the real GPU (NTR_CUDA_TESTS_REAL_GPU=1)");
        var gpu = GpuParityTests.RequireGpu();
        var x = Tensor.FromArray(new float[] { 1, 2, 3, 4 }, 4).To(gpu.Device);
        using (TensorScope.Begin())
        {
            Ops.SiLU(Ops.Affine(x, 3, -1));  // warms the pool: no allocation while capturing
        }
        using var scope = TensorScope.Begin();
        Tensor? y = null;
        using var graph = CudaGraph.Capture(gpu, () => y = Ops.SiLU(Ops.Affine(x, 3, -1)));
        static double Silu(double v) => v / (1 + Math.Exp(-v));
        foreach (var input in new[] { new float[] { 0.5f, -1, 2, 0 }, new float[] { -3, 1, 0.25f, 4 } })
        {
            gpu.CopyFromHost<float>(input, x);
            graph.Launch();
            var got = y!.ToDoubleArray();
            for (var i = 0; i < 4; i++)
            {
                Assert.Equal(Silu(3.0 * input[i] - 1), got[i], 5);
            }
        }
    }

    /// <summary>
    /// Graph capture through the driver calls the engine makes: launches are recorded (not run) while capturing and
    /// replayed with their captured arguments by cuGraphLaunch; CUDA_GRAPH_INSTANTIATE_FLAG_UPLOAD is refused by
    /// cuGraphInstantiateWithFlags, as the driver does.
    /// </summary>
    [SkippableFact]
    public void ACapturedGraphReplaysTheEnginesKernels()
    {
        Skip.IfNot(CudaTestDevice.Emulated, "these tests run on the real GPU (NTR_CUDA_TESTS_REAL_GPU=1)");
        var gpu = GpuParityTests.RequireGpu();
        var x = Tensor.FromArray(new float[] { 1, 2, 3, 4 }, 4).To(gpu.Device);
        using (TensorScope.Begin())
        {
            Ops.Affine(x, 2, 1);  // warms the pool: no allocation while capturing
        }
        using var scope = TensorScope.Begin();
        var context = gpu.Context;
        context.MakeCurrent();
        CudaDriver.Check(CudaDriver.cuStreamBeginCapture(context.Stream, CudaDriver.CaptureModeThreadLocal), "cuStreamBeginCapture_v2");
        var y = Ops.Affine(x, 2, 1);
        CudaDriver.Check(CudaDriver.cuStreamEndCapture(context.Stream, out var graph), "cuStreamEndCapture");
        try
        {
            Assert.Equal(1, CudaDriver.cuGraphInstantiateWithFlags(out _, graph, 2UL /* CUDA_GRAPH_INSTANTIATE_FLAG_UPLOAD: only for cuGraphInstantiateWithParams */));
            CudaDriver.Check(CudaDriver.cuGraphInstantiateWithFlags(out var exec, graph, 0), "cuGraphInstantiateWithFlags");
            gpu.CopyFromHost<float>(new float[] { 10, 20, 30, 40 }, x);
            CudaDriver.Check(CudaDriver.cuGraphLaunch(exec, context.Stream), "cuGraphLaunch");
            Assert.Equal(new double[] { 21, 41, 61, 81 }, y.ToDoubleArray());
            gpu.CopyFromHost<float>(new float[] { -1, 0, 1, 2 }, x);
            CudaDriver.Check(CudaDriver.cuGraphLaunch(exec, context.Stream), "cuGraphLaunch");
            Assert.Equal(new double[] { -1, 1, 3, 5 }, y.ToDoubleArray());
            CudaDriver.Check(CudaDriver.cuGraphExecDestroy(exec), "cuGraphExecDestroy");
        }
        finally
        {
            CudaDriver.cuGraphDestroy(graph);
        }
    }

    [SkippableFact]
    public void AMissingVendorStandInIsAClearError()
    {
        Skip.IfNot(CudaTestDevice.Emulated, "these tests run on the real GPU (NTR_CUDA_TESTS_REAL_GPU=1)");
        GpuParityTests.RequireGpu();
        Skip.If(GpuParityTests.VendorStandInsMerged, "the stand-ins are merged: the parity suite runs GEMM and convolutions on the emulated device");
        var e = Assert.Throws<CudaLibraryNotFoundException>(() => CudaLibraryLocator.Default.Load(CudaLibrary.Cublas));
        Assert.Contains("no cuBLAS stand-in", e.Message, StringComparison.Ordinal);
        Assert.Contains("cublas_standin.cpp", e.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The native self-test (kernels/emulator/selftest, AddressSanitizer): correct kernels give the host reference's
    /// values, and each broken kernel (off-by-one write, early return before __syncthreads, missing __syncthreads,
    /// 49 KiB of static shared memory, grid y = 70,000, block of 1025, dynamic shared overflow, shuffle over an exited
    /// lane) fails with the driver's CUresult and a message naming it.
    /// </summary>
    [Fact]
    public async Task TheNativeSelfTestCatchesEveryBrokenKernel()
    {
        var executable = Path.Combine(AppContext.BaseDirectory, "ntr_cuda_emulator_selftest");
        Assert.True(File.Exists(executable), $"{executable} was not built (tests/Cuda.Tests/EmulatorSelfTest.targets; needs cmake and g++)");
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment["NTR_EMULATED_THREADS"] = "2";
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var all = output + await stderr;
        Assert.True(process.ExitCode == 0, $"self-test exit code {process.ExitCode}:\n{all}");
        Assert.Matches(@"\b([1-9][0-9]*) of \1 checks passed", output);
        Assert.DoesNotContain("AddressSanitizer", all, StringComparison.Ordinal);
    }

    /// <summary>
    /// The cuBLAS/cuDNN stand-ins' own self-test (kernels/emulator/selftest/run_standin_test.sh): every GEMM type and
    /// transpose combination and every convolution direction against naive double loops written in the test, the
    /// adjoint identity, workspace sizes exact/one byte short/null, the documented error statuses, and stream capture;
    /// built and run twice, optimised and with AddressSanitizer + UBSan.
    /// </summary>
    [Fact]
    public async Task TheVendorStandInsPassTheirSelfTestUnderAddressSanitizer()
    {
        var root = AppContext.BaseDirectory;
        while (root is not null && !File.Exists(Path.Combine(root, "NativeTrustRegion.sln")))
        {
            root = Path.GetDirectoryName(root.TrimEnd('/'));
        }
        Assert.True(root is not null, $"the repository root (NativeTrustRegion.sln) is not above {AppContext.BaseDirectory}");
        var script = Path.Combine(root!, "kernels", "emulator", "selftest", "run_standin_test.sh");
        var output = Directory.CreateTempSubdirectory("ntr-standin-selftest-").FullName;
        try
        {
            var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(script);
            start.ArgumentList.Add(output);
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            var all = stdout + await stderr;
            Assert.True(process.ExitCode == 0, $"stand-in self-test exit code {process.ExitCode}:\n{all}");
            // both builds end with "N checks, 0 failed"
            Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(stdout, @"\b[1-9][0-9]* checks, 0 failed").Count);
            Assert.DoesNotContain("runtime error", all, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    /// <summary>Launches softmax_forward_f32 over one row of <paramref name="rowLength"/> floats in place; the CudaException it raised, or null.</summary>
    private static unsafe CudaException? LaunchSoftmaxInPlace(CudaBackend gpu, ulong pointer, int rowLength, uint gridY, uint threads)
    {
        var p = pointer;
        var d = rowLength;
        void** args = stackalloc void*[3];
        args[0] = &p;
        args[1] = &p;
        args[2] = &d;
        try
        {
            gpu.Launch("softmax", "softmax_forward", DType.F32, 1, gridY, threads, 0, args);
            return null;
        }
        catch (CudaException caught)
        {
            return caught;
        }
    }
}
