using System.Collections.Concurrent;

namespace NativeTrustRegion.Data;

/// <summary>
/// Streams shuffled batches of an <see cref="ImageDataset"/> as [-1, 1] floats, epoch after epoch,
/// reshuffling each epoch. A background thread prepares the next <see cref="BatchLoaderOptions.PrefetchBatches"/>
/// batches into reusable staging buffers while the caller works on the current one. The batch
/// sequence depends only on the data set and the options (see <see cref="BatchSchedule"/>), never on
/// thread timing or prefetch depth. Use from one consumer thread.
/// </summary>
public sealed class BatchLoader : IDisposable
{
    private readonly ImageDataset dataset;
    private readonly BatchLoaderOptions options;
    private readonly LoadedBatch[] slots;
    private readonly BlockingCollection<LoadedBatch>? free;
    private readonly BlockingCollection<LoadedBatch>? ready;
    private readonly CancellationTokenSource stop = new();
    private readonly Thread? producer;
    private volatile Exception? producerFailure;
    private LoadedBatch? current;
    private long nextStep;
    private bool disposed;

    public BatchSchedule Schedule { get; }
    public ImageDataset Dataset => dataset;
    public int BatchesPerEpoch => Schedule.BatchesPerEpoch;
    public int ImageSize => dataset.ImageSize;

    public BatchLoader(ImageDataset dataset, BatchLoaderOptions? options = null)
    {
        this.dataset = dataset;
        this.options = options ??= new BatchLoaderOptions();
        if (options.PrefetchBatches < 0) throw new ArgumentOutOfRangeException(nameof(options), options.PrefetchBatches, "PrefetchBatches must be ≥ 0");
        Schedule = new BatchSchedule(dataset.Count, options.BatchSize, options.Seed, options.Shuffle, options.DropLast);
        IStagingAllocator allocator = options.Allocator ?? ManagedStagingAllocator.Instance;
        slots = new LoadedBatch[options.PrefetchBatches + 1];
        for (int i = 0; i < slots.Length; i++)
        {
            IStagingBuffer buffer = allocator.Allocate(options.BatchSize * dataset.ImageSize, options.BatchSize);
            if (buffer.Images.Length < options.BatchSize * dataset.ImageSize || buffer.Labels.Length < options.BatchSize)
                throw new InvalidOperationException($"{allocator.GetType().Name} returned a staging buffer smaller than requested");
            slots[i] = new LoadedBatch(buffer, options.BatchSize, dataset.ImageSize);
        }
        if (options.PrefetchBatches > 0)
        {
            free = new BlockingCollection<LoadedBatch>(new ConcurrentQueue<LoadedBatch>());
            ready = new BlockingCollection<LoadedBatch>(new ConcurrentQueue<LoadedBatch>());
            foreach (LoadedBatch slot in slots) free.Add(slot);
            producer = new Thread(Produce) { IsBackground = true, Name = $"BatchLoader({dataset.Name})" };
            producer.Start();
        }
    }

    /// <summary>The next batch. The previous batch's buffer goes back to the pool and must no longer be used.</summary>
    public LoadedBatch Next()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (producer is null)
        {
            current = slots[0];
            Fill(current, nextStep++);
            return current;
        }
        if (current is not null) free!.Add(current);
        current = null;
        try
        {
            current = ready!.Take(stop.Token);
        }
        catch (OperationCanceledException) when (producerFailure is not null)
        {
        }
        if (producerFailure is not null)
            throw new InvalidOperationException($"preparing a batch of {dataset.Name} failed: {producerFailure.Message}", producerFailure);
        return current!;
    }

    /// <summary>The batches of one epoch, starting wherever the stream is (normally at an epoch start).</summary>
    public IEnumerable<LoadedBatch> NextEpoch()
    {
        int remaining = BatchesPerEpoch;
        while (remaining-- > 0) yield return Next();
    }

    private void Produce()
    {
        long step = 0;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                LoadedBatch slot = free!.Take(stop.Token);
                Fill(slot, step++);
                ready!.Add(slot, stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            producerFailure = e;
            stop.Cancel();
        }
    }

    private void Fill(LoadedBatch slot, long step)
    {
        int count = Schedule.GetBatch(step, slot.ItemIndices);
        int epoch = Schedule.EpochOf(step);
        int batchInEpoch = (int)(step % Schedule.BatchesPerEpoch);
        int imageSize = dataset.ImageSize;
        Span<float> images = slot.Buffer.Images;
        Span<int> labels = slot.Buffer.Labels;
        for (int i = 0; i < count; i++)
        {
            int item = slot.ItemIndices[i];
            bool flip = options.HorizontalFlip && Schedule.Flip(epoch, batchInEpoch * Schedule.BatchSize + i);
            dataset.CopyImage(item, images.Slice(i * imageSize, imageSize), flip);
            labels[i] = dataset.Label(item);
        }
        slot.Count = count;
        slot.Step = step;
        slot.Epoch = epoch;
        slot.BatchInEpoch = batchInEpoch;
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        stop.Cancel();
        producer?.Join();
        foreach (LoadedBatch slot in slots) slot.Buffer.Dispose();
        free?.Dispose();
        ready?.Dispose();
        stop.Dispose();
    }
}
