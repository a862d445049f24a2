using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Continual.Tasks;

/// <summary>
/// A task whose samples are held in host memory (images of a class range, or policy training windows):
/// x₀ rows of <see cref="SampleShape"/> and per-row conditions of <see cref="ConditionShape"/>. Batches are drawn
/// without replacement from a permutation that is re-drawn each epoch from Philox(seed, epoch), so the stream is a
/// pure function of (seed, epoch, position) and resumes exactly.
/// </summary>
public sealed class InMemoryTaskData : ITaskData
{
    private readonly float[] _samples;
    private readonly float[]? _conditions;
    private readonly int _sampleSize;
    private readonly int _conditionSize;
    private readonly ulong _seed;
    private readonly float[]? _replayConditionPool;
    private int[] _order;
    private long _epoch;
    private int _position;

    /// <param name="replayConditionPool">Distinct conditions to cycle through for replay (e.g. the task's class ids); defaults to the rows' conditions.</param>
    public InMemoryTaskData(string name, float[] samples, int[] sampleShape, float[]? conditions, int[] conditionShape, ulong seed,
        DType dtype, Device device, float[]? replayConditionPool = null)
    {
        Name = name;
        SampleShape = sampleShape;
        ConditionShape = conditionShape;
        _sampleSize = (int)Shape.Numel(sampleShape);
        _conditionSize = (int)Shape.Numel(conditionShape);
        if (_sampleSize == 0 || samples.Length % _sampleSize != 0)
        {
            throw new ArgumentException($"task '{name}': {samples.Length} values are not a whole number of samples of shape {TensorOpException.Format(sampleShape)}");
        }
        Count = samples.Length / _sampleSize;
        if (conditions is not null && conditions.Length != Count * _conditionSize)
        {
            throw new ArgumentException($"task '{name}': {conditions.Length} condition values for {Count} samples of condition shape {TensorOpException.Format(conditionShape)}");
        }
        if (Count == 0)
        {
            throw new ArgumentException($"task '{name}' has no samples");
        }
        _samples = samples;
        _conditions = conditions;
        _seed = seed;
        _replayConditionPool = replayConditionPool;
        DType = dtype;
        Device = device;
        _order = Permutation(0);
    }

    public string Name { get; }

    public int Count { get; }

    public int[] SampleShape { get; }

    public int[] ConditionShape { get; }

    public DType DType { get; }

    public Device Device { get; }

    public (long Epoch, int Position) Cursor
    {
        get => (_epoch, _position);
        set
        {
            _epoch = value.Epoch;
            _position = value.Position;
            _order = Permutation(_epoch);
        }
    }

    private int[] Permutation(long epoch)
    {
        var order = Enumerable.Range(0, Count).ToArray();
        Generator.Derive(_seed, (ulong)epoch).Shuffle<int>(order);
        return order;
    }

    public TrainingBatch NextBatch(int batchSize) => Gather(NextRows(batchSize));

    /// <summary>Whether rows carry conditions (class ids or observation histories).</summary>
    public bool HasConditions => _conditions is not null;

    /// <summary>The rows of the next batch of the stream (advances the cursor as <see cref="NextBatch"/> does).</summary>
    public int[] NextRows(int batchSize)
    {
        var rows = new int[batchSize];
        for (var i = 0; i < batchSize; i++)
        {
            if (_position >= Count)
            {
                _epoch++;
                _position = 0;
                _order = Permutation(_epoch);
            }
            rows[i] = _order[_position++];
        }
        return rows;
    }

    /// <summary>
    /// Copies the given rows' samples and conditions into host spans (e.g. page-locked staging of a captured step):
    /// the same values <see cref="Gather"/> puts on the device, as floats.
    /// </summary>
    public void GatherInto(IReadOnlyList<int> rows, Span<float> samples, Span<float> conditions)
    {
        for (var i = 0; i < rows.Count; i++)
        {
            _samples.AsSpan(rows[i] * _sampleSize, _sampleSize).CopyTo(samples.Slice(i * _sampleSize, _sampleSize));
            if (_conditions is not null)
            {
                _conditions.AsSpan(rows[i] * _conditionSize, _conditionSize).CopyTo(conditions.Slice(i * _conditionSize, _conditionSize));
            }
        }
    }

    public TrainingBatch Subset(int count, Generator generator)
    {
        var order = Enumerable.Range(0, Count).ToArray();
        generator.Shuffle<int>(order);
        return Gather(order.Take(Math.Min(count, Count)).ToArray());
    }

    /// <summary>The given rows as a batch on the task's device.</summary>
    public TrainingBatch Gather(IReadOnlyList<int> rows)
    {
        var x = new float[rows.Count * _sampleSize];
        for (var i = 0; i < rows.Count; i++)
        {
            _samples.AsSpan(rows[i] * _sampleSize, _sampleSize).CopyTo(x.AsSpan(i * _sampleSize));
        }
        var xShape = new[] { rows.Count }.Concat(SampleShape).ToArray();
        var x0 = Tensor.FromSpan((ReadOnlySpan<float>)x, xShape, DType, Device);
        Tensor? cond = null;
        if (_conditions is not null)
        {
            var c = new float[rows.Count * _conditionSize];
            for (var i = 0; i < rows.Count; i++)
            {
                _conditions.AsSpan(rows[i] * _conditionSize, _conditionSize).CopyTo(c.AsSpan(i * _conditionSize));
            }
            cond = Tensor.FromSpan((ReadOnlySpan<float>)c, new[] { rows.Count }.Concat(ConditionShape).ToArray(), DType, Device);
        }
        return new TrainingBatch(x0, cond);
    }

    public int ReplayClassCount => _conditions is null || _replayConditionPool is null ? 0 : _replayConditionPool.Length / _conditionSize;

    public Tensor? ReplayConditions(int count, Generator generator)
    {
        if (_conditions is null)
        {
            return null;
        }
        var c = new float[count * _conditionSize];
        if (_replayConditionPool is not null)
        {
            var distinct = _replayConditionPool.Length / _conditionSize;
            for (var i = 0; i < count; i++)
            {
                _replayConditionPool.AsSpan((i % distinct) * _conditionSize, _conditionSize).CopyTo(c.AsSpan(i * _conditionSize));
            }
        }
        else
        {
            for (var i = 0; i < count; i++)
            {
                var row = generator.NextInt(Count);
                _conditions.AsSpan(row * _conditionSize, _conditionSize).CopyTo(c.AsSpan(i * _conditionSize));
            }
        }
        return Tensor.FromSpan((ReadOnlySpan<float>)c, new[] { count }.Concat(ConditionShape).ToArray(), DType, Device);
    }
}
