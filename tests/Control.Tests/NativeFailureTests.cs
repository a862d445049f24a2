using NativeTrustRegion.Control.Native;
using NativeTrustRegion.Control.Physics;

namespace NativeTrustRegion.Control.Tests;

public sealed class NativeFailureTests
{
    [Fact]
    public void CorruptMjcfRaisesAnExceptionNamingTheSourceAndMuJoCosReason()
    {
        var error = Assert.Throws<MuJoCoException>(() =>
            MuJoCoModel.LoadXml("<mujoco><worldbody><geom type='bogus'/></worldbody></mujoco>", "corrupt-scene"));

        Assert.Contains("corrupt-scene", error.Message);
        Assert.Contains("invalid keyword: 'bogus'", error.Message);
    }

    [Fact]
    public void RangeWithoutLimitedIsRejectedByMuJoCo222()
    {
        const string xml = "<mujoco><worldbody><body><joint type='slide' range='0 1'/><geom size='0.1'/></body></worldbody></mujoco>";

        var error = Assert.Throws<MuJoCoException>(() => MuJoCoModel.LoadXml(xml, "unlimited-range"));

        Assert.Contains("unlimited-range", error.Message);
        Assert.Contains("`limited`", error.Message);
    }

    [Fact]
    public void TruncatedXmlAndMissingFilesFailWithoutEndingTheProcess()
    {
        var truncated = Assert.Throws<MuJoCoException>(() => MuJoCoModel.LoadXml("<mujoco><worldbody>", "truncated"));
        Assert.Contains("XML", truncated.Message);

        string missing = Path.Combine(Path.GetTempPath(), $"ntr-missing-{Guid.NewGuid():N}.xml");
        var notFound = Assert.Throws<FileNotFoundException>(() => MuJoCoModel.LoadFile(missing));
        Assert.Contains(missing, notFound.Message);

        string corruptFile = Path.Combine(Path.GetTempPath(), $"ntr-corrupt-{Guid.NewGuid():N}.xml");
        File.WriteAllText(corruptFile, "<mujoco><worldbody><geom type='bogus'/></worldbody></mujoco>");
        try
        {
            var fromFile = Assert.Throws<MuJoCoException>(() => MuJoCoModel.LoadFile(corruptFile));
            Assert.Contains(corruptFile, fromFile.Message);
        }
        finally
        {
            File.Delete(corruptFile);
        }
    }

    [Fact]
    public void EngineErrorDuringSteppingBecomesAnExceptionInsteadOfExit()
    {
        // A 120-slot stack is enough to compile this model but not for the Newton solver once the ball lands.
        const string xml =
            "<mujoco><option solver='Newton' cone='elliptic'/><size nstack='120'/><worldbody>" +
            "<geom type='plane' size='1 1 0.1'/><body pos='0 0 0.5'><freejoint/><geom size='0.1' condim='6'/></body>" +
            "</worldbody></mujoco>";
        using MuJoCoModel model = MuJoCoModel.LoadXml(xml, "tiny-stack");
        using var simulation = new MuJoCoSimulation(model);

        var error = Assert.Throws<MuJoCoException>(() => simulation.Step(2000));

        Assert.Contains("mj_step", error.Message);
        Assert.Contains("Stack overflow", error.Message);
        simulation.Reset();
        Assert.Equal(0.5, simulation.Read(MuJoCoField.Qpos, 2));
    }

    [Fact]
    public void MissingShimRaisesAnExceptionNamingTheLibraryAndTheBuildCommand()
    {
        string emptyFolder = Directory.CreateTempSubdirectory("ntr-no-shim-").FullName;
        try
        {
            string candidate = Path.Combine(emptyFolder, MuJoCoLibraryLoader.ShimFileName);

            var error = Assert.Throws<MuJoCoLibraryException>(() => MuJoCoLibraryLoader.Load([candidate]));

            Assert.Equal("libntr_mujoco.so", error.LibraryName);
            Assert.Contains("libntr_mujoco.so", error.Message);
            Assert.Contains(candidate, error.Message);
            Assert.Contains("cmake --build build/native --target ntr_mujoco", error.Message);
            Assert.Contains("NTR_NATIVE_PATH", error.Message);
        }
        finally
        {
            Directory.Delete(emptyFolder, recursive: true);
        }
    }

    [Fact]
    public void UnloadableShimFileRaisesAnExceptionNamingIt()
    {
        string folder = Directory.CreateTempSubdirectory("ntr-bad-shim-").FullName;
        try
        {
            string candidate = Path.Combine(folder, MuJoCoLibraryLoader.ShimFileName);
            File.WriteAllText(candidate, "this is not an ELF shared object");

            var error = Assert.Throws<MuJoCoLibraryException>(() => MuJoCoLibraryLoader.Load([candidate]));

            Assert.Contains(candidate, error.Message);
            Assert.Contains("could not be loaded", error.Message);
            Assert.Contains("cmake", error.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void MissingMuJoCoRuntimeRaisesAnExceptionNamingItAndTheAptCommand()
    {
        var error = Assert.Throws<MuJoCoLibraryException>(() =>
            MuJoCoLibraryLoader.Load(MuJoCoLibraryLoader.DefaultShimCandidates(), "libmujoco.so.0.0.0-not-installed"));

        Assert.Equal("libmujoco.so.0.0.0-not-installed", error.LibraryName);
        Assert.Contains("libmujoco.so.0.0.0-not-installed", error.Message);
        Assert.Contains("sudo apt-get install libmujoco2.2.2 libmujoco-dev", error.Message);
    }

    [Fact]
    public void InstalledRuntimeIsMuJoCo222()
    {
        Assert.True(MuJoCoRuntime.IsAvailable);
        Assert.Equal(222, MuJoCoRuntime.MuJoCoVersion);
    }
}
