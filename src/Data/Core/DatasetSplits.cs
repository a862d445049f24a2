namespace NativeTrustRegion.Data;

/// <summary>A data set's training images and its held-out images (the FID reference set).</summary>
public sealed record DatasetSplits(ImageDataset Train, ImageDataset HeldOut)
{
    public string Name => Train.Name.EndsWith("/train", StringComparison.Ordinal) ? Train.Name[..^"/train".Length] : Train.Name;

    /// <summary>Both splits restricted to the classes of one task (labels stay global class ids).</summary>
    public DatasetSplits ForTask(ContinualTask task) => new(
        Train.WithClasses(task.ClassIds, $"{Name}/task{task.Index}/train"),
        HeldOut.WithClasses(task.ClassIds, $"{Name}/task{task.Index}/held-out"));
}
