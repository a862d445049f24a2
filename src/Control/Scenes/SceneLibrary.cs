using System.Xml.Linq;

namespace NativeTrustRegion.Control.Scenes;

/// <summary>
/// The MJCF scenes of the control suite, embedded in this assembly as <c>scenes/&lt;file&gt;.xml</c>. A task's
/// scene is <c>base.xml</c> (physics options, table, gripper) with the top-level sections of
/// <c>&lt;task-name&gt;.xml</c> appended (MJCF allows repeated sections such as worldbody and equality).
/// </summary>
public static class SceneLibrary
{
    private const string ResourcePrefix = "scenes/";

    /// <summary>Complete MJCF text of a task's scene.</summary>
    public static string ComposeScene(ControlTask task)
    {
        XDocument scene = LoadResource("base.xml");
        XDocument taskScene = LoadResource(task.ToName() + ".xml");
        XElement root = scene.Root!;
        root.SetAttributeValue("model", "ntr_" + task.ToName());
        foreach (XElement section in taskScene.Root!.Elements())
        {
            root.Add(new XElement(section));
        }
        return scene.ToString(SaveOptions.DisableFormatting);
    }

    private static XDocument LoadResource(string fileName)
    {
        using Stream stream = OpenResource(fileName);
        return XDocument.Load(stream);
    }

    private static Stream OpenResource(string fileName) =>
        typeof(SceneLibrary).Assembly.GetManifestResourceStream(ResourcePrefix + fileName)
        ?? throw new InvalidOperationException(
            $"Embedded scene '{ResourcePrefix}{fileName}' is missing from {typeof(SceneLibrary).Assembly.GetName().Name}; " +
            "check the EmbeddedResource item for Scenes/*.xml in NativeTrustRegion.Control.csproj.");
}
