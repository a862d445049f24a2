using System.CommandLine;
using System.Text.RegularExpressions;
using NativeTrustRegion.Engine.Backends.Cuda;

namespace NativeTrustRegion.Cli.Commands;

/// <summary>`ntr kernels compile`: every embedded kernel source through NVRTC (no GPU needed).</summary>
public static class KernelsCommand
{
    public static Command Build()
    {
        var command = new Command("kernels", "CUDA kernel sources: compile them with NVRTC");
        var compile = new Command("compile", "compile every kernels/*.cu with NVRTC (default: compute_90 PTX); prints one line per file, then 'N passed, N failed'");
        var target = new Option<string>("--target") { Description = "NVRTC target: compute_XY (PTX) or sm_XY (CUBIN)", DefaultValueFactory = _ => "compute_90" };
        var resources = new Option<bool>("--resources") { Description = "with an sm_XY target: print each kernel's registers and spills (ptxas -v)" };
        compile.Add(target);
        compile.Add(resources);
        compile.SetAction(parse => Compile(parse.GetValue(target)!, parse.GetValue(resources)));
        command.Add(compile);
        return command;
    }

    private static int Compile(string target, bool resources)
    {
        if (!Regex.IsMatch(target, "^(compute|sm)_[0-9]{2,3}a?$"))
        {
            throw new NativeTrustRegion.Engine.UsageException($"--target '{target}' is not an NVRTC target; use compute_XY (PTX) or sm_XY (CUBIN), e.g. compute_90");
        }
        // no NVRTC: CudaLibraryNotFoundException, reported by the error boundary (exit code 1)
        var compiler = KernelCompiler.Open();
        Console.WriteLine($"NVRTC {compiler.Version}, target {target}, {KernelSources.Modules.Count} sources, headers {string.Join(", ", KernelSources.Headers.Select(h => h.FileName))}");
        int passed = 0, failed = 0;
        string[] extra = resources ? ["-Xptxas", "-v"] : [];
        foreach (var source in KernelSources.Modules)
        {
            var result = compiler.Compile(source, target, extra, useCache: false);
            if (result.Succeeded)
            {
                passed++;
                Console.WriteLine($"{source.FileName,-18} ok      {result.Image.Length / 1024.0,8:F1} KB  {result.Elapsed.TotalSeconds,6:F2} s");
                if (resources)
                {
                    PrintResources(result.Log);
                }
            }
            else
            {
                failed++;
                Console.WriteLine($"{source.FileName,-18} FAILED");
                Console.WriteLine(result.Log);
            }
        }
        Console.WriteLine($"{passed} passed, {failed} failed");
        return failed == 0 ? 0 : 1;
    }

    private static void PrintResources(string log)
    {
        string? kernel = null;
        foreach (var line in log.Split('\n'))
        {
            var entry = Regex.Match(line, "Compiling entry function '([^']+)'");
            if (entry.Success)
            {
                kernel = entry.Groups[1].Value;
            }
            var spill = Regex.Match(line, @"(\d+) bytes stack frame, (\d+) bytes spill stores");
            if (spill.Success && kernel is not null && (spill.Groups[1].Value != "0" || spill.Groups[2].Value != "0"))
            {
                Console.WriteLine($"    {kernel}: {line.Trim()}");
            }
            var regs = Regex.Match(line, @"Used (\d+) registers");
            if (regs.Success && kernel is not null)
            {
                Console.WriteLine($"    {kernel,-40} {regs.Groups[1].Value,4} registers");
            }
        }
    }
}
