using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace NativeTrustRegion.Engine.Tests;

/// <summary>
/// The project graph of src/: lower layers never reference higher ones, Cli references only Experiments and Engine,
/// and the diagram in README.md's "How the pieces fit" says exactly who references whom. Reads the .csproj files as XML; builds nothing.
/// </summary>
public sealed class ProjectLayeringTests
{
    /// <summary>The layer order, bottom first. A project may reference only projects of a strictly lower layer,
    /// so projects of one layer (Models, Data, Control; Continual, Evaluation) never reference each other.</summary>
    private static readonly string[][] Layers =
    [
        ["Engine"],
        ["Models", "Data", "Control"],
        ["Continual", "Evaluation"],
        ["Experiments"],
        ["Cli"],
    ];

    /// <summary>
    /// Cli only parses options and presents results: it references Experiments and the engine (for its own check and
    /// bench entry points) and no other project, even one a layer below it.
    /// </summary>
    private static readonly string[] CliReferences = ["Engine", "Experiments"];

    private const string ReadmeMarker = "<!-- project graph";

    [Fact]
    public void EveryProjectUnderSrcHasALayer()
    {
        var graph = ReadProjectGraph(CheckpointTests.RepositoryRoot());
        Assert.NotEmpty(graph);
        var unplaced = graph.Keys.Where(p => LayerOf(p) < 0).ToList();
        Assert.True(unplaced.Count == 0,
            $"src/ projects without a layer: {string.Join(", ", unplaced)}; add them to {nameof(ProjectLayeringTests)}.{nameof(Layers)}");
    }

    [Fact]
    public void NoProjectReferencesItsOwnOrAHigherLayer()
    {
        var violations = Violations(ReadProjectGraph(CheckpointTests.RepositoryRoot()));
        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
    }

    [Fact]
    public void CliReferencesOnlyExperimentsAndTheEngine()
    {
        var graph = ReadProjectGraph(CheckpointTests.RepositoryRoot());
        Assert.True(graph.ContainsKey("Cli"), "no src/Cli project found");
        var extra = graph["Cli"].Except(CliReferences, StringComparer.Ordinal).ToList();
        Assert.True(extra.Count == 0,
            $"Cli references {string.Join(", ", extra)}: Cli only parses and presents, over Experiments and the engine's entry points "
            + $"({string.Join(", ", CliReferences)}); move the work it needs from those projects into an Experiments entry point");
    }

    /// <summary>
    /// The projects Experiments hides from Cli: reachable through Experiments' references, but Cli names none of their
    /// namespaces, so every model, method, data, control and evaluation step it runs goes through an Experiments entry point.
    /// </summary>
    private static readonly string[] HiddenFromCli = ["Data", "Models", "Continual", "Control", "Evaluation"];

    [Fact]
    public void CliSourcesNameNoProjectBelowExperimentsButTheEngine()
    {
        var cli = Path.Combine(CheckpointTests.RepositoryRoot(), "src", "Cli");
        var files = Directory.GetFiles(cli, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();
        Assert.True(files.Count > 10, $"found only {files.Count} .cs files under {cli}");
        var found = files.SelectMany(f => HiddenNamespaceUses(File.ReadAllLines(f))
            .Select(hit => $"{Path.GetRelativePath(cli, f)}:{hit.Line}: {hit.Text}")).ToList();
        Assert.True(found.Count == 0,
            "Cli names a project below Experiments (only the engine and Experiments are its to use); move the work into an "
            + "Experiments entry point (e.g. src/Experiments/Datasets, Control, Inspection, Configuration):\n" + string.Join("\n", found));
    }

    /// <summary>The projects that hold the science (methods, models, data, control, evaluation) run on any back end.</summary>
    private static readonly string[] BackEndNeutral = ["Data", "Models", "Continual", "Control", "Evaluation"];

    [Fact]
    public void MethodsAndModelsNameNoConcreteBackEnd()
    {
        var src = Path.Combine(CheckpointTests.RepositoryRoot(), "src");
        var found = new List<string>();
        foreach (var project in BackEndNeutral)
        {
            var folder = Path.Combine(src, project);
            Assert.True(Directory.Exists(folder), $"no folder {folder}");
            foreach (var file in Directory.GetFiles(folder, "*.cs", SearchOption.AllDirectories)
                         .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                                     && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
            {
                found.AddRange(ConcreteBackEndUses(File.ReadAllLines(file)).Select(hit => $"{Path.GetRelativePath(src, file)}:{hit.Line}: {hit.Text}"));
            }
        }
        Assert.True(found.Count == 0,
            "code above the engine names a concrete back end; ask the IBackend (e.g. IBackend.StepCapture, Description, Memory()) instead:\n"
            + string.Join("\n", found));
    }

    /// <summary>
    /// An op's definition (forward, backward, the IBackend methods it needs) reaches its kernels through the
    /// <see cref="IBackend"/> of its tensors; only the back ends' own files (X.Cpu.cs, X.Cuda.cs) name a back end. The
    /// CUDA launch planners (X.LaunchPlan.cs, …Launch*.cs) are CUDA code by name and purpose.
    /// </summary>
    [Fact]
    public void OpDefinitionsNameNoConcreteBackEnd()
    {
        var ops = Path.Combine(CheckpointTests.RepositoryRoot(), "src", "Engine", "Ops");
        var found = new List<string>();
        foreach (var file in Directory.GetFiles(ops, "*.cs", SearchOption.AllDirectories))
        {
            var name = Path.GetFileName(file);
            if (name.EndsWith(".Cpu.cs", StringComparison.Ordinal) || name.EndsWith(".Cuda.cs", StringComparison.Ordinal)
                || name.Contains("Launch", StringComparison.Ordinal))
            {
                continue;
            }
            found.AddRange(ConcreteBackEndUses(File.ReadAllLines(file)).Select(hit => $"{Path.GetRelativePath(ops, file)}:{hit.Line}: {hit.Text}"));
        }
        Assert.True(found.Count == 0,
            "an op definition calls a back end directly; declare the method on IBackend (partial interface beside the op) and implement it in the op's .Cpu.cs / .Cuda.cs:\n"
            + string.Join("\n", found));
    }

    [Fact]
    public void TheBackEndScanCatchesCodeButNotComments()
    {
        string[] lines =
        [
            "using NativeTrustRegion.Engine.Backends.Cuda;",       // 1
            "var gpu = (CudaBackend)ctx.Parameters.Data.Backend;", // 2
            "if (backend is Engine.Backends.Cpu.CpuBackend) { }",  // 3
            "// a CudaBackend would do this on the device",        // a comment
            "/// <see cref=\"CudaBackend\"/>",                     // a doc comment
            "var capture = backend.StepCapture;",                  // the neutral interface
        ];
        Assert.Equal([1, 2, 3], ConcreteBackEndUses(lines).Select(h => h.Line));
    }

    private static List<(int Line, string Text)> ConcreteBackEndUses(IReadOnlyList<string> lines)
    {
        var pattern = new System.Text.RegularExpressions.Regex(@"\b(Backends\.(Cuda|Cpu)\b|CudaBackend\b|CpuBackend\b)");
        var hits = new List<(int, string)>();
        for (var i = 0; i < lines.Count; i++)
        {
            var code = lines[i];
            var comment = code.IndexOf("//", StringComparison.Ordinal);
            if (comment >= 0)
            {
                code = code[..comment];
            }
            if (pattern.IsMatch(code))
            {
                hits.Add((i + 1, lines[i].Trim()));
            }
        }
        return hits;
    }

    [Fact]
    public void TheCliScanCatchesUsingsAndQualifiedNamesButNotMembersOrComments()
    {
        string[] lines =
        [
            "using NativeTrustRegion.Data;",                                  // 1: a using
            "using static NativeTrustRegion.Models.ModelPresets;",            // 2: a static using
            "using M = global::NativeTrustRegion.Continual.Methods;",         // 3: an alias
            "var x = NativeTrustRegion.Control.ControlTaskNames.Cw10;",       // 4: fully qualified
            "Console.WriteLine($\"{Continual.Training.DataParallel.Methods}\");", // 5: relative to NativeTrustRegion, in an interpolation
            "var e = new Evaluation.InceptionV3Network();",                   // 6: relative
            "using NativeTrustRegion.Experiments.Control;",                   // an Experiments namespace
            "var d = config.Control.DemonstrationDirectory;",                 // a member named Control
            "// NativeTrustRegion.Data is hidden from Cli",                   // a comment
            "/// <summary>see NativeTrustRegion.Models</summary>",            // a doc comment
            "var t = new Table().AddColumns(\"Data\", \"Models\");",          // words, not namespaces
        ];
        Assert.Equal([1, 2, 3, 4, 5, 6], HiddenNamespaceUses(lines).Select(h => h.Line));
    }

    /// <summary>
    /// Lines (1-based) outside comments that name a namespace of <see cref="HiddenFromCli"/>: fully qualified
    /// (NativeTrustRegion.Data…, in a using or in code) or relative to NativeTrustRegion (Data.X, which is what such a
    /// name means inside NativeTrustRegion.Cli).
    /// </summary>
    private static List<(int Line, string Text)> HiddenNamespaceUses(IReadOnlyList<string> lines)
    {
        var names = string.Join("|", HiddenFromCli);
        var qualified = new Regex($@"\bNativeTrustRegion\.({names})\b");
        var relative = new Regex($@"(?<![\w.""])({names})\.[A-Z]");
        var hits = new List<(int, string)>();
        for (var i = 0; i < lines.Count; i++)
        {
            var code = lines[i].TrimStart();
            if (code.StartsWith("//", StringComparison.Ordinal))
            {
                continue;
            }
            var comment = code.IndexOf(" //", StringComparison.Ordinal);
            if (comment >= 0)
            {
                code = code[..comment];
            }
            if (qualified.IsMatch(code) || relative.IsMatch(code))
            {
                hits.Add((i + 1, lines[i].Trim()));
            }
        }
        return hits;
    }

    [Fact]
    public void TheRuleCatchesAnUpwardAndASidewaysReference()
    {
        var graph = new Dictionary<string, SortedSet<string>>
        {
            ["Engine"] = [],
            ["Models"] = ["Engine"],
            ["Data"] = ["Engine", "Models"],
            ["Continual"] = ["Engine", "Models"],
            ["Control"] = ["Engine", "Continual"],
            ["Evaluation"] = ["Engine", "Data", "Continual"],
        };
        var violations = Violations(graph);
        Assert.Equal(3, violations.Count);
        Assert.Contains(violations, v => v.StartsWith("Evaluation → Continual", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.StartsWith("Data → Models", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.StartsWith("Control → Continual", StringComparison.Ordinal));
    }

    [Fact]
    public void ReadmeProjectGraphMatchesTheProjectFiles()
    {
        var root = CheckpointTests.RepositoryRoot();
        var actual = ReadProjectGraph(root);
        var documented = ReadReadmeGraph(File.ReadAllLines(Path.Combine(root, "README.md")));
        Assert.Equal(Describe(actual), Describe(documented));
    }

    [Fact]
    public void ReadmeGraphParserReadsArrowsAndNone()
    {
        string[] lines =
        [
            "text before",
            ReadmeMarker + ": checked by a test -->",
            "```text",
            "Models   → Engine",
            "Continual → Models, Engine",
            "Engine   → (none)",
            "```",
            "Cli → Engine",
        ];
        var graph = ReadReadmeGraph(lines);
        Assert.Equal(
            "Continual → Engine, Models\nEngine → (none)\nModels → Engine",
            Describe(graph));
    }

    private static int LayerOf(string project) =>
        Array.FindIndex(Layers, layer => layer.Contains(project, StringComparer.Ordinal));

    private static List<string> Violations(IReadOnlyDictionary<string, SortedSet<string>> graph)
    {
        var violations = new List<string>();
        foreach (var (project, references) in graph)
        {
            foreach (var reference in references)
            {
                if (LayerOf(reference) >= LayerOf(project))
                {
                    violations.Add($"{project} → {reference}: layer {LayerOf(project)} may reference only layers below it, "
                        + $"but {reference} is in layer {LayerOf(reference)} (layers, bottom first: "
                        + string.Join(" < ", Layers.Select(l => string.Join("/", l))) + ")");
                }
            }
        }
        return violations;
    }

    /// <summary>Project name (the folder under src/) → the src/ projects it references.</summary>
    private static Dictionary<string, SortedSet<string>> ReadProjectGraph(string root)
    {
        var graph = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var csproj in Directory.GetFiles(Path.Combine(root, "src"), "*.csproj", SearchOption.AllDirectories))
        {
            var references = XDocument.Load(csproj).Descendants("ProjectReference")
                .Select(r => ProjectName(r.Attribute("Include")?.Value
                    ?? throw new InvalidDataException($"{csproj}: a ProjectReference without Include")));
            graph[ProjectName(csproj)] = new SortedSet<string>(references, StringComparer.Ordinal);
        }
        return graph;
    }

    /// <summary>"../Engine/NativeTrustRegion.Engine.csproj" → "Engine".</summary>
    private static string ProjectName(string csprojPath)
    {
        var file = Path.GetFileNameWithoutExtension(csprojPath.Replace('\\', '/'));
        const string prefix = "NativeTrustRegion.";
        return file.StartsWith(prefix, StringComparison.Ordinal) ? file[prefix.Length..] : file;
    }

    /// <summary>The fenced block after the "&lt;!-- project graph" comment: one line per project, "A → B, C" or "A → (none)".</summary>
    private static Dictionary<string, SortedSet<string>> ReadReadmeGraph(IReadOnlyList<string> lines)
    {
        var marker = lines.ToList().FindIndex(l => l.TrimStart().StartsWith(ReadmeMarker, StringComparison.Ordinal));
        Assert.True(marker >= 0, $"README.md has no '{ReadmeMarker}' comment before the project graph block");
        Assert.True(marker + 1 < lines.Count && lines[marker + 1].StartsWith("```", StringComparison.Ordinal),
            "the project graph comment in README.md must be followed by a fenced block");
        var graph = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        for (var i = marker + 2; i < lines.Count && !lines[i].StartsWith("```", StringComparison.Ordinal); i++)
        {
            var parts = lines[i].Split('→');
            Assert.True(parts.Length == 2, $"README.md project graph line '{lines[i]}' is not 'Project → A, B' or 'Project → (none)'");
            var targets = parts[1].Trim() == "(none)"
                ? []
                : parts[1].Split(',').Select(t => t.Trim());
            graph[parts[0].Trim()] = new SortedSet<string>(targets, StringComparer.Ordinal);
        }
        return graph;
    }

    private static string Describe(IReadOnlyDictionary<string, SortedSet<string>> graph) =>
        string.Join("\n", graph.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => $"{p.Key} → {(p.Value.Count == 0 ? "(none)" : string.Join(", ", p.Value))}"));
}
