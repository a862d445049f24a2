using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Engine;

/// <summary>
/// A region (typically one training step) whose temporary tensors are returned to the buffer pool when it ends.
/// Buffers created inside the scope belong to it; <see cref="Keep"/> hands a result to the enclosing scope.
/// Autograd nodes recorded inside the scope are dropped from the tape when it ends.
/// Outside any scope, buffers are plain allocations owned by the garbage collector.
/// </summary>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic]
    private static TensorScope? _current;

    private readonly TensorScope? _parent;
    private readonly List<Storage> _owned = new();
    private readonly int _tapeMark;
    private bool _disposed;

    private TensorScope()
    {
        _parent = _current;
        _tapeMark = GradTape.Current.Count;
        _current = this;
    }

    public static TensorScope? Current => _current;

    public static TensorScope Begin() => new();

    internal static Storage Allocate(IBackend backend, DType dtype, long length)
    {
        var scope = _current;
        if (scope is null)
        {
            return backend.AllocateUnpooled(dtype, length);
        }
        var storage = backend.Pool.Rent(dtype, length);
        storage.Owner = scope;
        scope._owned.Add(storage);
        return storage;
    }

    /// <summary>Moves the tensor's buffer to the enclosing scope (or to the garbage collector at top level).</summary>
    public static Tensor Keep(Tensor tensor)
    {
        var storage = tensor.Storage;
        var owner = storage.Owner;
        if (owner is null)
        {
            return tensor;
        }
        var target = owner._parent;
        storage.Owner = target;
        target?._owned.Add(storage);
        return tensor;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        if (!ReferenceEquals(_current, this))
        {
            throw new InvalidOperationException("tensor scopes must be disposed in reverse order of creation (use 'using')");
        }
        _disposed = true;
        GradTape.Current.Truncate(_tapeMark);
        foreach (var storage in _owned)
        {
            if (ReferenceEquals(storage.Owner, this))
            {
                storage.Pool!.Return(storage);
            }
        }
        _owned.Clear();
        _current = _parent;
    }
}
