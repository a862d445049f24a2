using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Engine;

/// <summary>
/// Views share storage with their source (no copy) and are differentiable: reshape of a contiguous tensor,
/// permute/transpose, slice along an axis, expand (broadcast with stride 0), squeeze/unsqueeze.
/// Contiguous() and a reshape of a non-contiguous tensor copy.
/// </summary>
public sealed partial class Tensor
{
    /// <summary>A tensor sharing storage, outside autograd (no GradFn, no RequiresGrad).</summary>
    public Tensor Detach()
    {
        EnsureAlive("Detach");
        return new Tensor(Storage, Shape, Strides, Offset);
    }

    public Tensor Reshape(params int[] shape)
    {
        EnsureAlive("Reshape");
        var target = ResolveShape(shape);
        if (Engine.Shape.Equal(target, Shape))
        {
            return this;
        }
        var source = IsContiguous ? this : Contiguous();
        var view = new Tensor(source.Storage, target, Engine.Shape.ContiguousStrides(target), source.Offset);
        return GradTape.ShouldRecord(source) ? GradTape.Record(new ReshapeNode(source), view) : view;
    }

    private int[] ResolveShape(int[] shape)
    {
        var result = (int[])shape.Clone();
        var infer = -1;
        long known = 1;
        for (var i = 0; i < result.Length; i++)
        {
            if (result[i] == -1)
            {
                if (infer >= 0)
                {
                    throw new TensorOpException("Reshape", $"more than one -1 in target shape {TensorOpException.Format(shape)}", "infer at most one dimension");
                }
                infer = i;
            }
            else
            {
                known *= result[i];
            }
        }
        if (infer >= 0)
        {
            if (known == 0 || Numel % known != 0)
            {
                throw new TensorOpException("Reshape", $"cannot infer -1 in {TensorOpException.Format(shape)} for {Numel} elements of {TensorOpException.Format(Shape)}", "give sizes whose product divides the element count");
            }
            result[infer] = (int)(Numel / known);
        }
        if (Engine.Shape.Numel(result) != Numel)
        {
            throw new TensorOpException("Reshape", $"cannot view {TensorOpException.Format(Shape)} ({Numel} elements) as {TensorOpException.Format(shape)}", "keep the number of elements unchanged");
        }
        return result;
    }

    public Tensor Flatten(int startAxis = 0)
    {
        var start = Engine.Shape.Axis("Flatten", startAxis, Math.Max(Rank, 1));
        var shape = Shape.Take(start).Append((int)Engine.Shape.Numel(Shape.AsSpan(start))).ToArray();
        return Reshape(shape);
    }

    public Tensor Unsqueeze(int axis)
    {
        var a = axis < 0 ? axis + Rank + 1 : axis;
        if (a < 0 || a > Rank)
        {
            throw new TensorOpException("Unsqueeze", $"axis {axis} out of range for shape {TensorOpException.Format(Shape)}", $"use an axis in [-{Rank + 1}, {Rank}]");
        }
        var shape = Shape.ToList();
        shape.Insert(a, 1);
        return Reshape(shape.ToArray());
    }

    public Tensor Squeeze(int axis)
    {
        var a = Engine.Shape.Axis("Squeeze", axis, Rank);
        if (Shape[a] != 1)
        {
            throw new TensorOpException("Squeeze", $"dimension {axis} of {TensorOpException.Format(Shape)} has size {Shape[a]}, not 1", "squeeze only size-1 dimensions");
        }
        var shape = Shape.ToList();
        shape.RemoveAt(a);
        return Reshape(shape.ToArray());
    }

    public Tensor Permute(params int[] axes)
    {
        EnsureAlive("Permute");
        if (axes.Length != Rank || axes.Select(a => Engine.Shape.Axis("Permute", a, Rank)).Distinct().Count() != Rank)
        {
            throw new TensorOpException("Permute", $"axes {TensorOpException.Format(axes)} are not a permutation of the {Rank} dimensions of {TensorOpException.Format(Shape)}", "list every axis exactly once");
        }
        var norm = axes.Select(a => Engine.Shape.Axis("Permute", a, Rank)).ToArray();
        var shape = norm.Select(a => Shape[a]).ToArray();
        var strides = norm.Select(a => Strides[a]).ToArray();
        var view = new Tensor(Storage, shape, strides, Offset);
        return GradTape.ShouldRecord(this) ? GradTape.Record(new PermuteNode(this, norm), view) : view;
    }

    public Tensor Transpose(int axis0, int axis1)
    {
        var axes = Enumerable.Range(0, Rank).ToArray();
        var a = Engine.Shape.Axis("Transpose", axis0, Rank);
        var b = Engine.Shape.Axis("Transpose", axis1, Rank);
        (axes[a], axes[b]) = (axes[b], axes[a]);
        return Permute(axes);
    }

    /// <summary>Elements [start, start + length) along <paramref name="axis"/>, as a view.</summary>
    public Tensor Slice(int axis, int start, int length)
    {
        EnsureAlive("Slice");
        var a = Engine.Shape.Axis("Slice", axis, Rank);
        if (start < 0 || length < 0 || start + length > Shape[a])
        {
            throw new TensorOpException("Slice", $"range [{start}, {start + length}) is outside dimension {a} (size {Shape[a]}) of {TensorOpException.Format(Shape)}", "keep the slice inside the dimension");
        }
        var shape = (int[])Shape.Clone();
        shape[a] = length;
        var view = new Tensor(Storage, shape, Strides, Offset + (long)start * Strides[a]);
        return GradTape.ShouldRecord(this) ? GradTape.Record(new SliceNode(this, a, start), view) : view;
    }

    /// <summary>Broadcasts size-1 dimensions (and new leading ones) to <paramref name="shape"/> with stride 0.</summary>
    public Tensor Expand(params int[] shape)
    {
        EnsureAlive("Expand");
        if (shape.Length < Rank)
        {
            throw new TensorOpException("Expand", $"cannot expand {TensorOpException.Format(Shape)} to fewer dimensions {TensorOpException.Format(shape)}", "give at least as many dimensions");
        }
        var lead = shape.Length - Rank;
        var strides = new int[shape.Length];
        for (var i = 0; i < shape.Length; i++)
        {
            if (i < lead)
            {
                strides[i] = 0;
                continue;
            }
            var d = Shape[i - lead];
            if (d == shape[i])
            {
                strides[i] = Strides[i - lead];
            }
            else if (d == 1)
            {
                strides[i] = 0;
            }
            else
            {
                throw new TensorOpException("Expand", $"dimension {i} of {TensorOpException.Format(Shape)} has size {d}, cannot expand to {shape[i]}", "only size-1 dimensions can be expanded");
            }
        }
        if (Engine.Shape.Equal(shape, Shape))
        {
            return this;
        }
        var view = new Tensor(Storage, (int[])shape.Clone(), strides, Offset);
        return GradTape.ShouldRecord(this) ? GradTape.Record(new ExpandNode(this), view) : view;
    }

    /// <summary>This tensor if contiguous, else a contiguous copy (differentiable).</summary>
    public Tensor Contiguous()
    {
        EnsureAlive("Contiguous");
        if (IsContiguous)
        {
            return this;
        }
        var result = Empty(Shape, DType, Device);
        Backend.Copy(this, result);
        return GradTape.ShouldRecord(this) ? GradTape.Record(new CopyNode(this), result) : result;
    }

    private sealed class ReshapeNode(Tensor input) : Node(input)
    {
        public override string Name => "Reshape";

        public override void Backward(Tensor gradOutput, GradSink grads) =>
            grads.Accumulate(Inputs[0], gradOutput.Reshape(Inputs[0].Shape));

        public override void BackwardWithGraph(Tensor gradOutput, GradSink grads) => Backward(gradOutput, grads);
    }

    private sealed class PermuteNode(Tensor input, int[] axes) : Node(input)
    {
        public override string Name => "Permute";

        public override void Backward(Tensor gradOutput, GradSink grads)
        {
            var inverse = new int[axes.Length];
            for (var i = 0; i < axes.Length; i++)
            {
                inverse[axes[i]] = i;
            }
            grads.Accumulate(Inputs[0], gradOutput.Permute(inverse));
        }

        public override void BackwardWithGraph(Tensor gradOutput, GradSink grads) => Backward(gradOutput, grads);
    }

    private sealed class SliceNode(Tensor input, int axis, int start) : Node(input)
    {
        public override string Name => "Slice";

        public override void Backward(Tensor gradOutput, GradSink grads)
        {
            var dest = grads.Destination(Inputs[0], out var accumulate);
            if (!accumulate)
            {
                dest.Backend.Fill(dest, 0);
            }
            var region = new Tensor(dest.Storage, gradOutput.Shape, dest.Strides, dest.Offset + (long)start * dest.Strides[axis]);
            dest.Backend.Binary(BinaryOp.Add, region, gradOutput, region);
        }

        public override void BackwardWithGraph(Tensor gradOutput, GradSink grads)
        {
            // the gradient placed into zeros, as a recorded concatenation (its backward slices it out again)
            var input = Inputs[0];
            var total = input.Shape[axis];
            var length = gradOutput.Shape[axis];
            var parts = new List<Tensor>();
            if (start > 0)
            {
                parts.Add(Zeros(WithAxis(input.Shape, start), input.DType, input.Device));
            }
            parts.Add(gradOutput);
            if (start + length < total)
            {
                parts.Add(Zeros(WithAxis(input.Shape, total - start - length), input.DType, input.Device));
            }
            grads.Accumulate(input, parts.Count == 1 ? gradOutput : Ops.Concat(parts, axis));
        }

        private int[] WithAxis(int[] shape, int size)
        {
            var s = (int[])shape.Clone();
            s[axis] = size;
            return s;
        }
    }

    private sealed class ExpandNode(Tensor input) : Node(input)
    {
        public override string Name => "Expand";

        public override void Backward(Tensor gradOutput, GradSink grads) =>
            grads.Accumulate(Inputs[0], Ops.SumTo(gradOutput, Inputs[0].Shape));

        public override void BackwardWithGraph(Tensor gradOutput, GradSink grads) => Backward(gradOutput, grads);
    }

    private sealed class CopyNode(Tensor input) : Node(input)
    {
        public override string Name => "Contiguous";

        public override void Backward(Tensor gradOutput, GradSink grads) => grads.Accumulate(Inputs[0], gradOutput);

        public override void BackwardWithGraph(Tensor gradOutput, GradSink grads) => Backward(gradOutput, grads);
    }
}
