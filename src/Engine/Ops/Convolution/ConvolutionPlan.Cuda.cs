using NativeTrustRegion.Engine.Backends.Cuda;

namespace NativeTrustRegion.Engine;

/// <summary>
/// cuDNN descriptors and the chosen algorithms of one convolution shape (NCHW, cross-correlation, no dilation).
/// Each direction's algorithm is searched once with cudnnFind*Algorithm (real timing runs; never inside a graph
/// capture) and kept: the fastest one that succeeds, fits the workspace limit and, when asked, is deterministic
/// (<see cref="ConvolutionAlgorithmChoice"/>; its workspace is re-queried for the math type it runs with).
/// </summary>
internal sealed unsafe class ConvolutionPlan : IDisposable
{
    /// <summary>Largest workspace an algorithm may need (a small cap keeps cuDNN off tensor-core kernels).</summary>
    private const long WorkspaceLimit = 1L << 30;

    private readonly CudnnTensorDescriptor _x;
    private readonly CudnnFilterDescriptor _w;
    private readonly CudnnTensorDescriptor _y;
    private readonly CudnnConvolutionDescriptor[] _conv = new CudnnConvolutionDescriptor[3];
    private readonly (int Algorithm, long Workspace)?[] _chosen = new (int, long)?[3];
    private readonly int _dataType;
    private readonly bool _tf32;
    private readonly bool _deterministic;

    public ConvolutionPlan(ConvGeometry g, DType dtype, bool tf32, bool deterministic)
    {
        Geometry = g;
        _dataType = dtype switch
        {
            DType.F32 => Cudnn.DataFloat,
            DType.BF16 => Cudnn.DataBFloat16,
            _ => Cudnn.DataDouble,
        };
        // bf16 data computes in float32 (cuDNN's PSEUDO_BFLOAT16 configuration); float and double compute in their own type
        var computeType = dtype == DType.BF16 ? Cudnn.DataFloat : _dataType;
        _tf32 = tf32 && dtype == DType.F32;
        _deterministic = deterministic;
        Cudnn.Check(Cudnn.cudnnCreateTensorDescriptor(out var x), "cudnnCreateTensorDescriptor");
        _x = new CudnnTensorDescriptor(x);
        Cudnn.Check(Cudnn.cudnnSetTensor4dDescriptor(x, Cudnn.FormatNchw, _dataType, g.Batch, g.InChannels, g.InH, g.InW), "cudnnSetTensor4dDescriptor(x)");
        Cudnn.Check(Cudnn.cudnnCreateFilterDescriptor(out var w), "cudnnCreateFilterDescriptor");
        _w = new CudnnFilterDescriptor(w);
        Cudnn.Check(Cudnn.cudnnSetFilter4dDescriptor(w, _dataType, Cudnn.FormatNchw, g.OutChannels, g.InChannels, g.KernelH, g.KernelW), "cudnnSetFilter4dDescriptor");
        Cudnn.Check(Cudnn.cudnnCreateTensorDescriptor(out var y), "cudnnCreateTensorDescriptor");
        _y = new CudnnTensorDescriptor(y);
        Cudnn.Check(Cudnn.cudnnSetTensor4dDescriptor(y, Cudnn.FormatNchw, _dataType, g.Batch, g.OutChannels, g.OutH, g.OutW), "cudnnSetTensor4dDescriptor(y)");
        for (var i = 0; i < 3; i++)
        {
            Cudnn.Check(Cudnn.cudnnCreateConvolutionDescriptor(out var c), "cudnnCreateConvolutionDescriptor");
            _conv[i] = new CudnnConvolutionDescriptor(c);
            Cudnn.Check(Cudnn.cudnnSetConvolution2dDescriptor(c, g.PadH, g.PadW, g.StrideH, g.StrideW, 1, 1, Cudnn.CrossCorrelation, computeType), "cudnnSetConvolution2dDescriptor");
            // bf16 data: tensor cores allowed (DEFAULT_MATH); float data: TF32 only when asked
            Cudnn.Check(Cudnn.cudnnSetConvolutionMathType(c, _tf32 || dtype == DType.BF16 ? Cudnn.MathDefault : Cudnn.MathFma), "cudnnSetConvolutionMathType");
        }
    }

    public ConvGeometry Geometry { get; }

    private enum Direction
    {
        Forward = 0,
        BackwardData = 1,
        BackwardFilter = 2,
    }

    public void Forward(nint handle, CudaBackend backend, ulong x, ulong w, ulong y, double beta)
    {
        var (algo, ws) = Choose(handle, Direction.Forward);
        var workspace = backend.ConvolutionWorkspace(ws);
        Scalars(beta, out var a32, out var b32, out var a64, out var b64);
        void* alpha = _dataType == Cudnn.DataDouble ? &a64 : &a32;
        void* pbeta = _dataType == Cudnn.DataDouble ? &b64 : &b32;
        Cudnn.Check(Cudnn.cudnnConvolutionForward(handle, alpha, _x.DangerousGetHandle(), x, _w.DangerousGetHandle(), w, Conv(Direction.Forward), algo, workspace, (nuint)ws, pbeta,
            _y.DangerousGetHandle(), y), $"cudnnConvolutionForward({Describe()}, algo {algo})");
    }

    public void BackwardData(nint handle, CudaBackend backend, ulong dy, ulong w, ulong dx, double beta)
    {
        var (algo, ws) = Choose(handle, Direction.BackwardData);
        var workspace = backend.ConvolutionWorkspace(ws);
        Scalars(beta, out var a32, out var b32, out var a64, out var b64);
        void* alpha = _dataType == Cudnn.DataDouble ? &a64 : &a32;
        void* pbeta = _dataType == Cudnn.DataDouble ? &b64 : &b32;
        Cudnn.Check(Cudnn.cudnnConvolutionBackwardData(handle, alpha, _w.DangerousGetHandle(), w, _y.DangerousGetHandle(), dy, Conv(Direction.BackwardData), algo, workspace, (nuint)ws,
            pbeta, _x.DangerousGetHandle(), dx), $"cudnnConvolutionBackwardData({Describe()}, algo {algo})");
    }

    public void BackwardFilter(nint handle, CudaBackend backend, ulong x, ulong dy, ulong dw, double beta)
    {
        var (algo, ws) = Choose(handle, Direction.BackwardFilter);
        var workspace = backend.ConvolutionWorkspace(ws);
        Scalars(beta, out var a32, out var b32, out var a64, out var b64);
        void* alpha = _dataType == Cudnn.DataDouble ? &a64 : &a32;
        void* pbeta = _dataType == Cudnn.DataDouble ? &b64 : &b32;
        Cudnn.Check(Cudnn.cudnnConvolutionBackwardFilter(handle, alpha, _x.DangerousGetHandle(), x, _y.DangerousGetHandle(), dy, Conv(Direction.BackwardFilter), algo, workspace, (nuint)ws,
            pbeta, _w.DangerousGetHandle(), dw), $"cudnnConvolutionBackwardFilter({Describe()}, algo {algo})");
    }

    private static void Scalars(double beta, out float a32, out float b32, out double a64, out double b64)
    {
        a32 = 1f;
        b32 = (float)beta;
        a64 = 1.0;
        b64 = beta;
    }

    private nint Conv(Direction d) => _conv[(int)d].DangerousGetHandle();

    private string Describe() => $"x [{Geometry.Batch},{Geometry.InChannels},{Geometry.InH},{Geometry.InW}], w [{Geometry.OutChannels},{Geometry.InChannels},{Geometry.KernelH},{Geometry.KernelW}], " +
                                 $"stride {Geometry.StrideH}x{Geometry.StrideW}, pad {Geometry.PadH}x{Geometry.PadW}";

    private (int Algorithm, long Workspace) Choose(nint handle, Direction direction)
    {
        if (_chosen[(int)direction] is { } chosen)
        {
            return chosen;
        }
        const int requested = 16;
        var results = stackalloc Cudnn.ConvolutionPerf[requested];
        int returned;
        var conv = Conv(direction);
        switch (direction)
        {
            case Direction.Forward:
                Cudnn.Check(Cudnn.cudnnFindConvolutionForwardAlgorithm(handle, _x.DangerousGetHandle(), _w.DangerousGetHandle(), conv, _y.DangerousGetHandle(), requested, out returned, results),
                    "cudnnFindConvolutionForwardAlgorithm");
                break;
            case Direction.BackwardData:
                Cudnn.Check(Cudnn.cudnnFindConvolutionBackwardDataAlgorithm(handle, _w.DangerousGetHandle(), _y.DangerousGetHandle(), conv, _x.DangerousGetHandle(), requested, out returned, results),
                    "cudnnFindConvolutionBackwardDataAlgorithm");
                break;
            default:
                Cudnn.Check(Cudnn.cudnnFindConvolutionBackwardFilterAlgorithm(handle, _x.DangerousGetHandle(), _y.DangerousGetHandle(), conv, _w.DangerousGetHandle(), requested, out returned, results),
                    "cudnnFindConvolutionBackwardFilterAlgorithm");
                break;
        }
        var forceFma = !_tf32 && _dataType == Cudnn.DataFloat;
        var descriptor = new DescriptorQueries(this, handle, direction);
        if (ConvolutionAlgorithmChoice.Choose(new ReadOnlySpan<Cudnn.ConvolutionPerf>(results, returned), forceFma, _deterministic, WorkspaceLimit, descriptor) is { } choice)
        {
            var pick = (choice.Algorithm, choice.Workspace);
            _chosen[(int)direction] = pick;
            return pick;
        }
        throw new CudaException($"cuDNN found no usable {direction} algorithm for {Describe()} ({returned} candidates; deterministic only: {_deterministic}). " +
                                "Fix: set NTR_CUDNN_DETERMINISTIC=0 to allow non-deterministic algorithms, or change the layer shape");
    }

    /// <summary>The math-type and workspace-size calls on one direction's descriptor.</summary>
    private sealed class DescriptorQueries(ConvolutionPlan plan, nint handle, Direction direction) : IConvolutionDescriptorQueries
    {
        public void SetMathType(int mathType) =>
            Cudnn.Check(Cudnn.cudnnSetConvolutionMathType(plan.Conv(direction), mathType), "cudnnSetConvolutionMathType");

        public int WorkspaceSize(int algorithm, out long bytes)
        {
            var conv = plan.Conv(direction);
            nint x = plan._x.DangerousGetHandle(), w = plan._w.DangerousGetHandle(), y = plan._y.DangerousGetHandle();
            nuint size;
            var status = direction switch
            {
                Direction.Forward => Cudnn.cudnnGetConvolutionForwardWorkspaceSize(handle, x, w, conv, y, algorithm, out size),
                Direction.BackwardData => Cudnn.cudnnGetConvolutionBackwardDataWorkspaceSize(handle, w, y, conv, x, algorithm, out size),
                _ => Cudnn.cudnnGetConvolutionBackwardFilterWorkspaceSize(handle, x, y, conv, w, algorithm, out size),
            };
            bytes = status == 0 ? (long)size : 0;
            return status;
        }
    }

    public void Dispose()
    {
        _x.Dispose();
        _w.Dispose();
        _y.Dispose();
        foreach (var c in _conv)
        {
            c.Dispose();
        }
    }
}
