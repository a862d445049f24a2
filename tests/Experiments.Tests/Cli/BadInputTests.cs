using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using NativeTrustRegion.Cli;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Experiments.Configuration;
using NativeTrustRegion.Experiments.Running;

namespace NativeTrustRegion.Experiments.Tests.Cli;

/// <summary>
/// Bad input to every command and file format, run in-process through <see cref="Program.Run"/>: the exit code
/// (2 bad usage, 1 failure), the message's key words, no stack trace, and not one file created or changed in the
/// working folder. Validation happens before any model is built, so each case takes milliseconds.
/// </summary>
[Collection("ntr console")] // Program.Run and ErrorBoundary share process-wide state: not in parallel with each other
public sealed class BadInputTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("ntr-badinput-").FullName;

    public BadInputTests()
    {
        // fixtures: run folders and files in every broken state a user can produce
        File.WriteAllText(P("a-file.txt"), "not a folder");
        Directory.CreateDirectory(P("empty"));
        Directory.CreateDirectory(P("corrupt-config"));
        File.WriteAllText(P("corrupt-config/config.json"), "{\"preset\": \"demo\", \"method\": ");
        new RunFolder(P("unknown-method")).WriteConfig(ExperimentPresets.Demo("ewc"));
        File.WriteAllText(P("unknown-method/config.json"), File.ReadAllText(P("unknown-method/config.json")).Replace("\"ewc\"", "\"nope\""));
        new RunFolder(P("no-checkpoint")).WriteConfig(ExperimentPresets.Demo("ewc"));
        var huge = new RunFolder(P("huge-header"));
        huge.WriteConfig(ExperimentPresets.Demo("ewc"));
        Directory.CreateDirectory(huge.CheckpointDirectory);
        var claim = new byte[64];
        BinaryPrimitives.WriteUInt64LittleEndian(claim, 1UL << 60);
        File.WriteAllBytes(huge.LatestCheckpoint, claim);
        File.WriteAllBytes(P("huge-header/checkpoints/after-task-01.safetensors"), claim);
        File.WriteAllBytes(P("truncated.safetensors"), Encoding.UTF8.GetBytes("\u0040\0\0\0\0\0\0\0{\"a\":{\"dtype\":\"F32\""));
        Directory.CreateDirectory(P("bad-results/run"));
        File.WriteAllText(P("bad-results/run/results.json"), "{\"method\": \"ewc\", \"matrix\": [[1.0,");
        Directory.CreateDirectory(P("bad-comparison"));
        File.WriteAllText(P("bad-comparison/compare.json"), "{\"preset\": \"demo\", \"methods\": [\"ewc\", \"nope\"], \"seeds\": [1], \"directory\": \"x\"}");
        Directory.CreateDirectory(P("demos"));
        var demo = new byte[100];
        "NTRDEMO\0"u8.CopyTo(demo);
        SHA256.HashData(demo.AsSpan(0, 68)).CopyTo(demo.AsSpan(68));
        File.WriteAllBytes(P("demos/faucet-close.ntrdemo"), demo);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string P(string relative) => Path.Combine(_root, relative);

    /// <summary>Each case: command line ({R} = the temporary root), exit code, words the error must contain.</summary>
    public static TheoryData<string, int, string> Cases() => new()
    {
        // run
        { "run --method nope --out {R}/r", 2, "unknown method 'nope'; valid: finetune, ewc" },
        { "run --method ewc --preset nope --out {R}/r", 2, "unknown preset 'nope'; valid: demo, split-mnist" },
        { "run --method ewc --seed abc --out {R}/r", 2, "'abc'|--seed" },
        { "run --method ewc --steps-per-task 0 --out {R}/r", 2, "--steps-per-task must be at least 1" },
        { "run --method ewc --device tpu --out {R}/r", 2, "unknown device 'tpu'; valid: cpu, cuda" },
        { "run --method ewc --out {R}/a-file.txt", 2, "is a file; give a folder" },
        { "run --method ewc --out {R}/huge-header", 2, "already holds an unfinished run|ntr resume" },
        { "run --out {R}/r", 2, "--method" },
        { "run --method ewc --bogus-option --out {R}/r", 2, "--bogus-option|ntr run --help" },
        // compare and demo: every run is validated before any starts
        { "compare --methods ewc,nope --out {R}/c", 2, "unknown method 'nope'" },
        { "compare --methods ewc --seeds abc --out {R}/c", 2, "--seeds: 'abc' is not a seed" },
        { "compare --methods , --out {R}/c", 2, "--methods is empty; valid:" },
        { "compare --methods ewc --workers 0 --out {R}/c", 2, "--workers must be at least 1" },
        { "compare --methods ewc --preset nope --out {R}/c", 2, "unknown preset 'nope'" },
        { "compare --methods ewc --steps-per-task -3 --out {R}/c", 2, "--steps-per-task must be at least 1" },
        { "compare --methods ewc", 2, "--out" },
        { "demo --methods finetune,nope --out {R}/d", 2, "unknown method 'nope'" },
        { "demo --seeds 1,x --out {R}/d", 2, "'x' is not a seed" },
        { "demo --out {R}/a-file.txt", 2, "is a file; give a folder" },
        // --set / --lambda: the key must exist, the value must have its type and range
        { "run --method ewc --set hyper.ewc_lamda=3 --out {R}/r", 2, "unknown setting 'hyper.ewc_lamda'; did you mean hyper.ewc_lambda" },
        { "run --method ewc --set ewc_lambda=abc --out {R}/r", 2, "ewc_lambda takes a number" },
        { "run --method ewc --set batch_size=2.5 --out {R}/r", 2, "hyper.batch_size takes a whole number" },
        { "run --method ewc --set seed=4 --out {R}/r", 2, "seed is chosen with --seed" },
        { "run --method ewc --set lambda --out {R}/r", 2, "is not KEY=VALUE" },
        { "run --method ewc --lambda -1 --out {R}/r", 2, "ewc_lambda must be a number ≥ 0" },
        { "compare --methods ewc --set evaluation.samples_per_task=1 --out {R}/c", 2, "evaluation.samples_per_task must be at least 2" },
        { "demo --methods ewc --set hyper.reset_optimizer_per_task=maybe --out {R}/d", 2, "takes true or false" },
        // resume
        { "resume {R}/missing", 2, "does not exist" },
        { "resume {R}/empty", 2, "is not a run folder (no config.json)" },
        { "resume {R}/corrupt-config", 1, "config.json is not a valid run configuration" },
        { "resume {R}/unknown-method", 1, "config.json: unknown method 'nope'; valid:" },
        { "resume {R}/huge-header", 1, "latest.safetensors: header length 1152921504606846976 exceeds the file size 64" },
        { "resume {R}/bad-comparison", 1, "compare.json: unknown method 'nope'" },
        // report
        { "report {R}/missing", 2, "does not exist" },
        { "report {R}/empty", 2, "no finished runs" },
        { "report {R}/bad-results", 1, "results.json is not a valid results file" },
        // fisher diagnose
        { "fisher diagnose --run {R}/missing", 2, "--run|does not exist" },
        { "fisher diagnose --run {R}/empty", 2, "not a run folder" },
        { "fisher diagnose --run {R}/no-checkpoint", 1, "no after-task checkpoint|--checkpoint" },
        { "fisher diagnose --run {R}/no-checkpoint --checkpoint {R}/missing.safetensors", 2, "--checkpoint|does not exist" },
        { "fisher diagnose --run {R}/no-checkpoint --checkpoint {R}/truncated.safetensors", 1, "truncated.safetensors: header length 64 exceeds" },
        { "fisher diagnose --run {R}/huge-header", 1, "after-task-01.safetensors: header length" },
        { "fisher diagnose --run {R}/unknown-method", 1, "unknown method 'nope'" },
        { "fisher diagnose --run {R}/no-checkpoint --checkpoint {R}/a-file.txt", 1, "a-file.txt" },
        // model, data, control, bench, check
        { "model summary --preset nope", 2, "unknown model preset 'nope'; valid: image-paper" },
        { "data check --dataset nope --data-dir {R}/data", 2, "unknown data set 'nope'; valid: embedded, mnist" },
        { "data check --dataset mnist --data-dir {R}/data", 1, "mnist data is not present|ntr data fetch mnist" },
        { "data check --dataset embedded --device tpu --data-dir {R}/data", 2, "unknown device 'tpu'" },
        { "data check --dataset embedded --inception {R}/missing.safetensors --data-dir {R}/data", 1, "missing.safetensors|does not exist" },
        { "data check --dataset embedded --inception {R}/truncated.safetensors --data-dir {R}/data", 1, "truncated.safetensors: header length" },
        { "data fetch nope --data-dir {R}/data", 2, "unknown data set 'nope'" },
        { "data preview --dataset nope --out {R}/p.png", 2, "unknown data set 'nope'" },
        { "data preview --per-class 0 --out {R}/p.png", 2, "--per-class must be at least 1" },
        { "data preview --out {R}/empty", 2, "is a folder; give a PNG file name" },
        { "control experts --task door-open", 2, "unknown control task 'door-open'; valid: hammer, push-wall" },
        { "control experts --episodes 0", 2, "--episodes must be at least 1" },
        { "control collect --task nope --out {R}/demos2", 2, "unknown control task 'nope'" },
        { "control grid --out {R}/grid --configs S1_O1", 2, "is not a policy configuration; write S<sequence length>_O<observation steps>_A<executed actions>" },
        { "control grid --out {R}/grid --configs S8_O8_A2", 2, "O + A − 1 ≤ S" },
        { "control collect --task push --episodes 0 --out {R}/demos2", 2, "--episodes must be at least 1" },
        { "control collect --task push --out {R}/a-file.txt", 2, "is a file; give a folder" },
        { "control trace --task nope", 2, "unknown control task 'nope'" },
        { "control demo --method nope --out {R}/cd --demos {R}/demos", 2, "unknown method 'nope'" },
        { "control demo --tasks faucet-close,nope --out {R}/cd --demos {R}/demos", 2, "unknown control task 'nope'" },
        { "control demo --steps-per-task 0 --out {R}/cd --demos {R}/demos", 2, "--steps-per-task must be at least 1" },
        { "control demo --out {R}/cd --demos {R}/demos", 1, "faucet-close.ntrdemo' is unusable" },
        { "bench train --preset nope --out {R}/b", 2, "unknown model preset 'nope'" },
        { "bench train --preset image-micro --device tpu --out {R}/b", 2, "unknown device 'tpu'" },
        { "bench kernels --device cpu --filter nope --output {R}/b", 2, "--filter 'nope' matches none of the" },
        { "bench kernels --device cpu --repeats 0 --output {R}/b", 2, "--repeats must be at least 1" },
        { "bench kernels --device tpu --output {R}/b", 2, "unknown device 'tpu'" },
        { "check --device cpu", 2, "needs a GPU device" },
        { "bench train --preset image-micro --device cpu --methods ewc,nope --out {R}/b", 2, "unknown method 'nope'" },
        { "kernels compile --target sm90", 2, "--target 'sm90' is not an NVRTC target" },
        { "frobnicate", 2, "frobnicate" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void BadInputFailsWithACodeAMessageAndNoWrites(string commandLine, int exitCode, string keyWords)
    {
        var args = commandLine.Replace("{R}", _root).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var before = Snapshot();
        var output = new StringWriter();
        var error = new StringWriter();
        int code = Program.Run(args, output, error);
        var text = output + "\n" + error;
        Assert.True(exitCode == code, $"exit code {code}, expected {exitCode}; output:\n{text}");
        foreach (var words in keyWords.Split('|'))
        {
            Assert.True(text.Contains(words.Replace("{R}", _root), StringComparison.Ordinal), $"'{words}' missing from:\n{text}");
        }
        Assert.DoesNotContain(text.Split('\n'), line => line.StartsWith("   at ", StringComparison.Ordinal));
        Assert.DoesNotContain("unexpected", text, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot());
    }

    [Fact]
    public void VerboseAddsTheStackTrace()
    {
        var error = new StringWriter();
        Assert.Equal(2, Program.Run(["run", "--method", "nope", "--out", P("r"), "--verbose"], new StringWriter(), error));
        Assert.Contains("unknown method 'nope'", error.ToString());
        Assert.Contains("   at ", error.ToString());
    }

    /// <summary>
    /// A bad NTR_BLAS (read lazily by the engine at the first float32 GEMM, mid-run) is refused before any command
    /// starts: exit 2, the valid values named, no run folder. In a child process, so the variable never reaches the
    /// test process's own GEMMs.
    /// </summary>
    [Fact]
    public async Task ABadGemmChoiceInTheEnvironmentIsRefusedBeforeAnyWork()
    {
        var before = Snapshot();
        var (code, stdout, stderr) = await NtrChildProcess.Run(new Dictionary<string, string> { ["NTR_BLAS"] = "bogus" },
            "run", "--method", "finetune", "--preset", "demo", "--steps-per-task", "1", "--tasks", "1", "--out", P("blas-run"));
        var text = stdout + "\n" + stderr;
        Assert.True(code == 2, $"exit code {code}, expected 2; output:\n{text}");
        Assert.Contains("error: NTR_BLAS=bogus is not a GEMM choice", stderr);
        Assert.Contains("NTR_BLAS=openblas", stderr);
        Assert.Contains("NTR_BLAS=managed", stderr);
        Assert.DoesNotContain("unexpected", text, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot());
    }

    [SkippableFact]
    public void RunOnAGpuThatIsNotThereFailsBeforeWritingAnything()
    {
        Skip.If(GpuPresent(), "this machine has a GPU");
        var before = Snapshot();
        var error = new StringWriter();
        Assert.Equal(1, Program.Run(["run", "--method", "ewc", "--device", "cuda", "--out", P("gpu-run")], new StringWriter(), error));
        Assert.Contains("no usable GPU", error.ToString());
        Assert.Contains("--device cpu", error.ToString());
        Assert.Equal(before, Snapshot());
    }

    private static bool GpuPresent()
    {
        try
        {
            BackendRegistry.For(Device.Cuda(0));
            return true;
        }
        catch (Exception)
        {
            return false;
        }
    }

    /// <summary>Every file and folder under the root with its length and content hash.</summary>
    private string Snapshot()
    {
        var lines = Directory.EnumerateFileSystemEntries(_root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(path =>
            File.Exists(path)
                ? $"{Path.GetRelativePath(_root, path)} {new FileInfo(path).Length} {Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)))}"
                : $"{Path.GetRelativePath(_root, path)}/");
        return string.Join("\n", lines);
    }
}
