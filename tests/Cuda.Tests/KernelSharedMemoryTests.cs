using System.Text.RegularExpressions;
using NativeTrustRegion.Engine.Backends.Cuda;

namespace NativeTrustRegion.Cuda.Tests;

/// <summary>
/// <see cref="KernelSharedMemory"/>'s static shared bytes of every kernel equal the <c>.shared</c> declarations the
/// kernel's NVRTC PTX makes (its own, and any module-level ones it refers to), so the host's launch check cannot
/// drift from the kernels: a new or grown <c>__shared__</c> array fails CI until the table follows (the PTX check runs in
/// <see cref="KernelCompilationTests.CompilesToPtxForCompute90"/>, which compiles every module anyway).
/// </summary>
public partial class KernelSharedMemoryTests
{
    [GeneratedRegex(@"\.entry\s+(\w+)\s*\(")]
    private static partial Regex EntryPattern();

    [GeneratedRegex(@"^\s*(\.extern\s+)?\.shared\s+(?:\.align\s+\d+\s+)?\.b8\s+(\w+)\[(\d*)\];", RegexOptions.Multiline)]
    private static partial Regex SharedPattern();

    /// <summary>Kernel name → bytes of static shared memory declared in (or used by) its PTX body.</summary>
    internal static Dictionary<string, int> StaticSharedBytes(string ptx)
    {
        var moduleLevel = new Dictionary<string, int>();
        var entries = EntryPattern().Matches(ptx);
        var firstEntry = entries.Count > 0 ? entries[0].Index : ptx.Length;
        foreach (Match m in SharedPattern().Matches(ptx[..firstEntry]))
        {
            if (!m.Groups[1].Success)
            {
                moduleLevel[m.Groups[2].Value] = int.Parse(m.Groups[3].Value);
            }
        }
        var result = new Dictionary<string, int>();
        foreach (Match entry in entries)
        {
            var open = ptx.IndexOf('{', entry.Index);
            var depth = 0;
            var close = open;
            for (; close < ptx.Length; close++)
            {
                depth += ptx[close] == '{' ? 1 : ptx[close] == '}' ? -1 : 0;
                if (depth == 0)
                {
                    break;
                }
            }
            var body = ptx[open..close];
            var bytes = 0;
            foreach (Match m in SharedPattern().Matches(body))
            {
                bytes += m.Groups[1].Success || m.Groups[3].Value.Length == 0 ? 0 : int.Parse(m.Groups[3].Value);
            }
            foreach (var (name, size) in moduleLevel)
            {
                if (Regex.IsMatch(body, $@"\b{Regex.Escape(name)}\b"))
                {
                    bytes += size;
                }
            }
            result[entry.Groups[1].Value] = bytes;
        }
        return result;
    }

    [Fact]
    public void TheParserReadsFunctionAndModuleLevelDeclarations()
    {
        const string ptx = """
            .extern .shared .align 16 .b8 dynamic_bytes[];
            .shared .align 8 .b8 shared_table[512];
            .visible .entry a(
                .param .u64 a_param_0
            )
            {
                .shared .align 4 .b8 _ZZ1aE7scratch[128];
                mov.u64 %rd1, shared_table;
                { .reg .b32 inner; }
            }
            .visible .entry b(
                .param .u64 b_param_0
            )
            {
                mov.u64 %rd1, dynamic_bytes;
            }
            """;
        var bytes = StaticSharedBytes(ptx);
        Assert.Equal(640, bytes["a"]);
        Assert.Equal(0, bytes["b"]);
    }

    /// <summary>
    /// Asserts that the table's static shared bytes of every kernel of <paramref name="module"/> equal its PTX's, and that the
    /// table names no kernel the module lacks. Called by <see cref="KernelCompilationTests.CompilesToPtxForCompute90"/>
    /// on the PTX it compiles anyway (one NVRTC compile per module in CI, not two).
    /// </summary>
    internal static void AssertTableMatchesPtx(string module, string ptx)
    {
        var declared = StaticSharedBytes(ptx);
        var mismatches = declared.Where(e => KernelSharedMemory.StaticBytes(module, e.Key) != e.Value)
            .Select(e => $"{module}.{e.Key}: PTX declares {e.Value} B, KernelSharedMemory says {KernelSharedMemory.StaticBytes(module, e.Key)} B")
            .Concat(KernelSharedMemory.InModule(module).Keys.Where(k => !declared.ContainsKey(k)).Select(k => $"{module}.{k}: no such kernel in the PTX"))
            .ToArray();
        Assert.True(mismatches.Length == 0, "update src/Engine/Backends/Cuda/Kernels/KernelSharedMemory.cs:\n" + string.Join("\n", mismatches));
    }

    [Fact]
    public void TheTableCoversTheKernelsWithSharedMemory()
    {
        // every module the table names exists; the values the launch checks rely on
        var modules = KernelSources.Modules.Select(m => m.Name).ToHashSet();
        foreach (var module in new[] { "attention", "fisher", "groupnorm", "layernorm", "loss", "softmax", "vector" })
        {
            Assert.Contains(module, modules);
            Assert.NotEmpty(KernelSharedMemory.InModule(module));
        }
        Assert.Equal(128, KernelSharedMemory.StaticBytes("groupnorm", "groupnorm_forward_f32"));
        Assert.Equal(0, KernelSharedMemory.StaticBytes("groupnorm", "groupnorm_backward_f32"));
        Assert.Equal(2048, KernelSharedMemory.StaticBytes("attention", "attention_forward_f32_d8"));
        Assert.Equal(33024, KernelSharedMemory.StaticBytes("attention", "attention_backward_kv_f64_d128"));
        Assert.Equal(0, KernelSharedMemory.StaticBytes("copy", "fill_f64"));
    }
}
