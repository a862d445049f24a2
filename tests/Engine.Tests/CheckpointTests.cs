using System.Diagnostics;
using System.Text.Json;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Checkpoints;
using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Engine.Tests;

public sealed class CheckpointTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ntr-ckpt-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ParameterStore Model(ulong seed)
    {
        var s = new ParameterStore();
        s.Declare("down_blocks.0.conv.weight", [4, 2, 3, 3], ParameterInit.FanIn(18));
        s.Declare("down_blocks.0.conv.bias", [4], ParameterInit.FanIn(18));
        s.Declare("class_embedding.weight", [5, 4], new ParameterInit.Normal(0, 1));
        s.Allocate(seed);
        return s;
    }

    [Fact]
    public void RoundTripIsBitExactWithLayerNamesAndMetadata()
    {
        var a = Model(1);
        var path = Path.Combine(_dir, "model.safetensors");
        var moments = a.NewFlat();
        moments.CopyFrom(Tensor.Randn([(int)a.Count], new Generator(9)));
        ParameterCheckpoint.Save(path, a, ParameterCheckpoint.Flat("adam.m.", a, moments), new Dictionary<string, string> { ["step"] = "17" });
        var b = Model(2);
        Assert.NotEqual(a.Data.ToFloatArray(), b.Data.ToFloatArray());
        var file = ParameterCheckpoint.Load(path, b);
        Assert.Equal(a.Data.ToFloatArray(), b.Data.ToFloatArray());
        Assert.Equal("17", file.Metadata["step"]);
        Assert.Contains("down_blocks.0.conv.weight", file.Names);
        Assert.Equal(new[] { 4, 2, 3, 3 }, file.Info("down_blocks.0.conv.weight").Shape);
        var m2 = b.NewFlat();
        ParameterCheckpoint.LoadFlat(file, "adam.m.", b, m2);
        Assert.Equal(moments.ToFloatArray(), m2.ToFloatArray());
    }

    [Fact]
    public void LayoutFollowsTheSpecification()
    {
        var a = Model(3);
        var path = Path.Combine(_dir, "spec.safetensors");
        ParameterCheckpoint.Save(path, a);
        var bytes = File.ReadAllBytes(path);
        var n = BitConverter.ToUInt64(bytes, 0);
        Assert.Equal(0UL, n % 8);
        using var doc = JsonDocument.Parse(bytes.AsMemory(8, (int)n));
        long expectedOffset = 0;
        foreach (var p in a.Parameters)
        {
            var e = doc.RootElement.GetProperty(p.Name);
            Assert.Equal("F32", e.GetProperty("dtype").GetString());
            var offsets = e.GetProperty("data_offsets").EnumerateArray().Select(x => x.GetInt64()).ToArray();
            Assert.Equal(expectedOffset, offsets[0]);
            expectedOffset = offsets[1];
        }
        Assert.Equal(bytes.Length - 8 - (long)n, expectedOffset);
    }

    [Fact]
    public void TruncatedAndCorruptFilesFailNamingTheFile()
    {
        var a = Model(4);
        var path = Path.Combine(_dir, "bad.safetensors");
        ParameterCheckpoint.Save(path, a);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes.AsSpan(0, bytes.Length - 10).ToArray());
        var e1 = Assert.Throws<SafeTensorsException>(() => ParameterCheckpoint.Load(path, Model(5)));
        Assert.Contains("bad.safetensors", e1.Message);
        File.WriteAllBytes(path, [1, 2, 3]);
        var e2 = Assert.Throws<SafeTensorsException>(() => SafeTensorsFile.Read(path));
        Assert.Contains("too short", e2.Message);
        var garbage = new byte[64];
        BitConverter.GetBytes(16UL).CopyTo(garbage, 0);
        File.WriteAllBytes(path, garbage);
        var e3 = Assert.Throws<SafeTensorsException>(() => SafeTensorsFile.Read(path));
        Assert.Contains("JSON header", e3.Message);
    }

    [Fact]
    public void TensorsOfOtherDtypesAreListedAndFailOnlyWhenRead()
    {
        // as PyTorch writes a BatchNorm: float weights plus an int64 counter
        var header = """{"bn.num_batches_tracked":{"dtype":"I64","shape":[],"data_offsets":[0,8]},"bn.weight":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}""";
        var json = System.Text.Encoding.UTF8.GetBytes(header.PadRight((header.Length + 7) / 8 * 8));
        var bytes = new List<byte>(BitConverter.GetBytes((ulong)json.Length));
        bytes.AddRange(json);
        bytes.AddRange(BitConverter.GetBytes(7L));
        bytes.AddRange(BitConverter.GetBytes(1.5f));
        bytes.AddRange(BitConverter.GetBytes(-2f));
        var path = Path.Combine(_dir, "torch-bn.safetensors");
        File.WriteAllBytes(path, bytes.ToArray());
        var file = SafeTensorsFile.Read(path);
        Assert.Equal(new[] { 1.5f, -2f }, file.ReadFloats("bn.weight"));
        Assert.Equal(new[] { "bn.num_batches_tracked", "bn.weight" }, file.AllNames);
        Assert.False(file.Contains("bn.num_batches_tracked"));
        Assert.Equal("I64", file.Describe("bn.num_batches_tracked").DType);
        var e = Assert.Throws<SafeTensorsException>(() => file.ReadFloats("bn.num_batches_tracked"));
        Assert.Contains("'bn.num_batches_tracked' has dtype I64", e.Message);
    }

    [Fact]
    public void MissingParameterNamesTheParameter()
    {
        var small = new ParameterStore();
        small.Declare("only.weight", [2], ParameterInit.Ones);
        small.Allocate(1);
        var path = Path.Combine(_dir, "small.safetensors");
        ParameterCheckpoint.Save(path, small);
        var e = Assert.Throws<SafeTensorsException>(() => ParameterCheckpoint.Load(path, Model(1)));
        Assert.Contains("down_blocks.0.conv.weight", e.Message);
    }

    [Fact]
    public void AtomicWriteLeavesTheOldFileWhenWritingFails()
    {
        var path = Path.Combine(_dir, "atomic.bin");
        AtomicFile.WriteAllText(path, "old");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.Write("partial"u8);
            throw new InvalidOperationException("crash mid-write");
        }));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_dir));
    }

    private static string? RunPython(params string[] args)
    {
        var script = Path.Combine(RepositoryRoot(), "tools", "safetensors_check.py");
        try
        {
            var psi = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add(script);
            foreach (var a in args)
            {
                psi.ArgumentList.Add(a);
            }
            using var p = Process.Start(psi)!;
            var output = p.StandardOutput.ReadToEnd();
            var error = p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, $"python3 {script} failed: {error}");
            return output;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    internal static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NativeTrustRegion.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
    }

    [SkippableFact]
    public void PythonReadsOurFileAndWeReadPythons()
    {
        var a = Model(6);
        var ours = Path.Combine(_dir, "ours.safetensors");
        ParameterCheckpoint.Save(ours, a, metadata: new Dictionary<string, string> { ["preset"] = "tiny" });
        var output = RunPython("read", ours);
        Skip.If(output is null, "python3 is not installed, so the cross-language check cannot run");
        using var doc = JsonDocument.Parse(output!);
        Assert.Equal("tiny", doc.RootElement.GetProperty("metadata").GetProperty("preset").GetString());
        foreach (var p in a.Parameters)
        {
            var t = doc.RootElement.GetProperty("tensors").GetProperty(p.Name);
            Assert.Equal(p.Shape, t.GetProperty("shape").EnumerateArray().Select(x => x.GetInt32()).ToArray());
            var sum = ParameterStore.ViewIn(a.Data, p).ToDoubleArray().Sum();
            Assert.Equal(sum, t.GetProperty("sum").GetDouble(), 4);
        }
        var theirs = Path.Combine(_dir, "theirs.safetensors");
        RunPython("write", theirs);
        var file = SafeTensorsFile.Read(theirs);
        Assert.Equal(new float[] { 0.5f, -1, 2, 3.25f, 0, -7.5f }, file.ReadFloats("layer.weight"));
        Assert.Equal(new double[] { 1, 2, 3 }, file.ReadDoubles("layer.bias"));
        Assert.Equal(Array.Empty<int>(), file.Info("scalar").Shape);
        Assert.Equal(42f, file.ReadFloats("scalar")[0]);
    }
}
