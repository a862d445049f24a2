using SharpFuzz;

namespace NativeTrustRegion.Fuzz;

/// <summary>
/// `ntr-fuzz TARGET` runs one parser target under AFL++ (started by tools/fuzz); `ntr-fuzz --corpus DIR` writes every
/// target's seed files to DIR/TARGET/; `ntr-fuzz --replay TARGET FILE…` runs inputs once (to reproduce a crash).
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args is ["--corpus", var corpus])
        {
            foreach (var target in ParserTargets.All)
            {
                string folder = Path.Combine(corpus, target.Name);
                Directory.CreateDirectory(folder);
                var seeds = target.Seeds(Directory.CreateTempSubdirectory("ntr-fuzz-seed-").FullName);
                for (int i = 0; i < seeds.Length; i++)
                {
                    File.WriteAllBytes(Path.Combine(folder, $"seed-{i}"), seeds[i]);
                }
            }
            return 0;
        }
        if (args.Length >= 1 && ParserTargets.All.FirstOrDefault(t => t.Name == args[^1] || (args[0] == "--replay" && t.Name == args[1])) is { } chosen)
        {
            string scratch = Directory.CreateTempSubdirectory($"ntr-fuzz-{chosen.Name}-").FullName;
            try
            {
                if (args[0] == "--replay")
                {
                    foreach (string file in args[2..])
                    {
                        chosen.Parse(File.ReadAllBytes(file), scratch);
                        Console.WriteLine($"{file}: rejected or parsed cleanly");
                    }
                    return 0;
                }
                Fuzzer.Run(stream =>
                {
                    var buffer = new MemoryStream();
                    stream.CopyTo(buffer);
                    chosen.Parse(buffer.ToArray(), scratch);
                });
                return 0;
            }
            finally
            {
                Directory.Delete(scratch, recursive: true);
            }
        }
        Console.Error.WriteLine($"usage: ntr-fuzz TARGET | --corpus DIR | --replay TARGET FILE...; targets: {string.Join(", ", ParserTargets.All.Select(t => t.Name))}");
        return 2;
    }
}
