using NativeTrustRegion.Continual.Tasks;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Continual.Replay;

/// <summary>
/// A fixed pool of replay samples (x₀ and conditions) for all finished tasks, drawn without replacement through a
/// shuffled index pointer that is reshuffled when exhausted (as the authors' code does). The pool lives on the
/// device outside every scope; batches are gathered with the embedding kernel (a row gather).
/// </summary>
public sealed class ReplayPool
{
    private readonly Tensor _samples;
    private readonly Tensor? _conditions;
    private readonly int[] _sampleShape;
    private readonly int[] _conditionShape;
    private int[] _order;
    private int _position;
    private long _epoch;

    public ReplayPool(Tensor samples, Tensor? conditions)
    {
        Count = samples.Shape[0];
        _sampleShape = samples.Shape.Skip(1).ToArray();
        _conditionShape = conditions?.Shape.Skip(1).ToArray() ?? [];
        _samples = samples.Reshape(Count, -1);
        _conditions = conditions?.Reshape(Count, -1);
        _order = Enumerable.Range(0, Count).ToArray();
    }

    public int Count { get; }

    public Tensor Samples => _samples;

    public Tensor? Conditions => _conditions;

    public (long Epoch, int Position) Cursor => (_epoch, _position);

    /// <summary>Restores the pointer (the order is re-drawn from the same generator offsets on resume).</summary>
    public void Restore(long epoch, int position, ulong seed)
    {
        _epoch = epoch;
        _position = position;
        _order = Permutation(seed, epoch);
    }

    private int[] Permutation(ulong seed, long epoch)
    {
        var order = Enumerable.Range(0, Count).ToArray();
        Generator.Derive(seed, 0x5EED0000UL + (ulong)epoch).Shuffle<int>(order);
        return order;
    }

    public TrainingBatch Next(int count, ulong seed) => Gather(Tensor.FromSpan((ReadOnlySpan<double>)NextRows(count, seed), [count], _samples.DType, _samples.Device));

    /// <summary>The pool rows of the next batch (advances the pointer as <see cref="Next"/> does), as floats for the row gather.</summary>
    public double[] NextRows(int count, ulong seed)
    {
        if (_position == 0 && _epoch == 0 && _order[0] == 0)
        {
            _order = Permutation(seed, 0);
        }
        var rows = new double[count];
        for (var i = 0; i < count; i++)
        {
            if (_position >= Count)
            {
                _epoch++;
                _position = 0;
                _order = Permutation(seed, _epoch);
            }
            rows[i] = _order[_position++];
        }
        return rows;
    }

    /// <summary>The rows <paramref name="ids"/> ([count] row numbers on the pool's device) as a batch.</summary>
    public TrainingBatch Gather(Tensor ids)
    {
        var count = ids.Shape[0];
        var x = Ops.Embedding(_samples, ids).Reshape(new[] { count }.Concat(_sampleShape).ToArray());
        var c = _conditions is null ? null : Ops.Embedding(_conditions, ids).Reshape(new[] { count }.Concat(_conditionShape).ToArray());
        return new TrainingBatch(x, c);
    }

    /// <summary>Uniformly random rows with replacement (A-GEM / MER memory batches).</summary>
    public TrainingBatch Random(int count, Generator generator)
    {
        var rows = new double[count];
        for (var i = 0; i < count; i++)
        {
            rows[i] = generator.NextInt(Count);
        }
        var ids = Tensor.FromSpan((ReadOnlySpan<double>)rows, [count], _samples.DType, _samples.Device);
        var x = Ops.Embedding(_samples, ids).Reshape(new[] { count }.Concat(_sampleShape).ToArray());
        var c = _conditions is null ? null : Ops.Embedding(_conditions, ids).Reshape(new[] { count }.Concat(_conditionShape).ToArray());
        return new TrainingBatch(x, c);
    }
}
