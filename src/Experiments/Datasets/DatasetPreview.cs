using NativeTrustRegion.Data;

namespace NativeTrustRegion.Experiments.Datasets;

/// <summary>`ntr data preview`: a PNG grid of training images, one row per class (the first images of each class).</summary>
public static class DatasetPreview
{
    /// <summary>
    /// Loads <paramref name="name"/> from the cache (downloads nothing) and writes the grid of the first
    /// <paramref name="maxClasses"/> classes, <paramref name="perClass"/> images each (a short class repeats its last
    /// image), to <paramref name="path"/>; returns the number of images written.
    /// </summary>
    public static int Write(string name, string? dataRoot, bool padTo32, Action<string> log, int perClass, int maxClasses, string path)
    {
        DatasetSplits splits = DatasetCatalog.Load(name, new DatasetLoadOptions
        {
            DataRoot = dataRoot,
            PadTo32 = padTo32,
            AllowDownload = false,
            Log = log,
        });
        int columns = Math.Max(1, perClass);
        int classes = Math.Clamp(maxClasses, 1, splits.Train.ClassCount);
        var indices = new List<int>();
        var taken = new int[classes];
        var byClass = new List<int>[classes];
        for (int c = 0; c < classes; c++)
        {
            byClass[c] = new List<int>();
        }
        for (int i = 0; i < splits.Train.Count; i++)
        {
            int label = splits.Train.Label(i);
            if (label < classes && taken[label] < columns)
            {
                byClass[label].Add(i);
                taken[label]++;
            }
        }
        foreach (List<int> row in byClass.Where(r => r.Count > 0))
        {
            indices.AddRange(row);
            for (int k = row.Count; k < columns; k++)
            {
                indices.Add(row[^1]);
            }
        }
        PngGrid.Write(path, splits.Train, columns, indices.ToArray());
        return indices.Count;
    }
}
