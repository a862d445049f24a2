using System.CommandLine;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Backends.Cuda;

namespace NativeTrustRegion.Cli.Commands;

/// <summary>`ntr check --device cuda`: the GPU parity suite (every op forward and backward against the CPU reference).</summary>
public static class CheckCommand
{
    public static Command Build()
    {
        var command = new Command("check", "GPU parity suite: every op forward and backward, the optimizer and Fisher kernels, on the GPU against the CPU reference");
        var device = new Option<string>("--device") { Description = "cuda, cuda:N or cuda-emulated (the emulated H200 of kernels/emulator)", DefaultValueFactory = _ => "cuda" };
        var filter = new Option<string?>("--filter") { Description = "run only cases whose name contains this text" };
        command.Add(device);
        command.Add(filter);
        command.SetAction(parse => Run(parse.GetValue(device)!, parse.GetValue(filter)));
        return command;
    }

    /// <summary>
    /// Opens the GPU back end of a --device value: a <see cref="UsageException"/> for a bad or non-GPU device, the
    /// CUDA library's exception (exit code 1, "no usable GPU") when there is none.
    /// </summary>
    private static CudaBackend OpenGpu(string deviceText)
    {
        var device = Device.Parse(deviceText);
        if (!device.IsCuda)
        {
            throw new UsageException($"this command needs a GPU device (--device cuda, cuda:N or cuda-emulated), not {device}");
        }
        return (CudaBackend)BackendRegistry.For(device);
    }

    private static int Run(string deviceText, string? filter)
    {
        var gpu = OpenGpu(deviceText);
        var d = gpu.Description;
        Console.WriteLine($"{d.Name} ({d.Architecture}, {d.Processors} SMs, {d.TotalMemoryBytes / (1L << 30)} GiB), driver CUDA {d.DriverVersion}, matmul precision {gpu.Precision}");
        Console.WriteLine("error = max|gpu - cpu| / max|cpu| over the output and every input gradient");
        Console.WriteLine($"{"case",-52} {"error",10} {"tolerance",10}  result");
        var results = new CudaParitySuite(gpu).Run(r =>
            Console.WriteLine($"{r.Name,-52} {r.Error,10:E2} {r.Tolerance,10:E0}  {(r.Passed ? "ok" : "FAILED")}{(r.Failure is null ? "" : "  " + r.Failure)}"), filter);
        foreach (var line in gpu.KernelLoadLog)
        {
            Console.WriteLine($"kernels: {line}");
        }
        var failed = results.Count(r => !r.Passed);
        Console.WriteLine($"{results.Count - failed} passed, {failed} failed");
        return failed == 0 ? 0 : 1;
    }
}
