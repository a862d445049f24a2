namespace NativeTrustRegion.Engine.Backends.Cpu;

/// <summary>
/// Walks several tensors of one shape (each with its own strides and offset) as a list of inner runs:
/// dimensions are collapsed where every operand is contiguous across them, size-1 dimensions are dropped
/// (<see cref="MergedLayout"/>), and the last remaining dimension becomes the run. Kernels then vectorise each run.
/// </summary>
internal sealed class StridedRuns
{
    private readonly int[] _outerShape;
    private readonly int[][] _outerStrides;
    private readonly long[] _offsets;

    public StridedRuns(ReadOnlySpan<int> shape, params (long Offset, int[] Strides)[] operands)
    {
        var merged = MergedLayout.Of(shape, operands.Select(o => o.Strides).ToArray());
        var dims = merged.Shape;
        // per merged dimension, per operand; merged strides are strides of the operands, so they fit an int
        var strides = new int[dims.Length][];
        for (var d = 0; d < dims.Length; d++)
        {
            strides[d] = new int[operands.Length];
            for (var k = 0; k < operands.Length; k++)
            {
                strides[d][k] = (int)merged.Strides[k][d];
            }
        }
        Operands = operands.Length;
        _offsets = operands.Select(o => o.Offset).ToArray();
        if (dims.Length == 0)
        {
            InnerLength = Shape.Numel(shape) == 0 ? 0 : 1;
            InnerStrides = new int[operands.Length];
            _outerShape = [];
            _outerStrides = [];
            OuterCount = InnerLength == 0 ? 0 : 1;
            return;
        }
        InnerLength = dims[^1];
        InnerStrides = strides[^1];
        _outerShape = dims[..^1];
        _outerStrides = strides[..^1];
        OuterCount = checked((int)Shape.Numel(_outerShape));
        if (Shape.Numel(shape) == 0)
        {
            OuterCount = 0;
        }
    }

    public int Operands { get; }

    public int OuterCount { get; }

    public int InnerLength { get; }

    /// <summary>Per-operand stride of the inner run.</summary>
    public int[] InnerStrides { get; }

    /// <summary>Number of outer dimensions: the length of the index a <see cref="Start(int, Span{long}, Span{int})"/> cursor needs.</summary>
    public int OuterRank => _outerShape.Length;

    /// <summary>Storage offsets of every operand at the start of run <paramref name="outer"/>.</summary>
    public void Start(int outer, Span<long> offsets) => Start(outer, offsets, stackalloc int[_outerShape.Length]);

    /// <summary>
    /// Offsets at the start of run <paramref name="outer"/> and its multi-index, for walking on with <see cref="Next"/>
    /// (one division per dimension here, additions only afterwards).
    /// </summary>
    public void Start(int outer, Span<long> offsets, Span<int> index)
    {
        for (var k = 0; k < Operands; k++)
        {
            offsets[k] = _offsets[k];
        }
        for (var d = _outerShape.Length - 1; d >= 0; d--)
        {
            var size = _outerShape[d];
            var idx = outer % size;
            outer /= size;
            index[d] = idx;
            var s = _outerStrides[d];
            for (var k = 0; k < Operands; k++)
            {
                offsets[k] += (long)idx * s[k];
            }
        }
    }

    /// <summary>Moves a cursor from <see cref="Start(int, Span{long}, Span{int})"/> to the next run.</summary>
    public void Next(Span<int> index, Span<long> offsets)
    {
        for (var d = _outerShape.Length - 1; d >= 0; d--)
        {
            var s = _outerStrides[d];
            if (++index[d] < _outerShape[d])
            {
                for (var k = 0; k < Operands; k++)
                {
                    offsets[k] += s[k];
                }
                return;
            }
            index[d] = 0;
            var back = _outerShape[d] - 1;
            for (var k = 0; k < Operands; k++)
            {
                offsets[k] -= (long)back * s[k];
            }
        }
    }
}
