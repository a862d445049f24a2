namespace NativeTrustRegion.Engine;

/// <summary>Table lookups with repeated ids (gradients collected per row) and sinusoidal timestep features.</summary>
internal sealed class EmbeddingCases : IOpCaseSource
{
    public IEnumerable<OpCase> Cases()
    {
        yield return OpCase.Autograd("Embedding/Embedding", "embedding [10,16]", t => Ops.Embedding(t[0], Ids(t[0], 3, 0, 9, 3, 3, 7)), new([10, 16], 110)) with { Checks = OpChecks.Parity };
        yield return OpCase.Autograd("Embedding/Embedding", "embedding [5,3]", t => Ops.Embedding(t[0], Ids(t[0], 4, 0, 4, 2, 1, 4)), new([5, 3], 1600));
        // the image-paper model's class embedding: 500 classes of 512, batch 128
        yield return OpCase.Autograd("Embedding/Embedding", "embedding image-paper classes [500,512] batch 128", t => Ops.Embedding(t[0], ClassIds(t[0], 128, 500)), new([500, 512], 179))
            with { Checks = OpChecks.Parity | OpChecks.Benchmark };

        yield return OpCase.Comparison("Embedding/TimestepEmbedding", "timestep embedding dim 64 / 33", 1e-6, d =>
        {
            var t = Tensor.FromArray(new float[] { 0, 1, 17, 999, 250.5f }, 5).To(d);
            return [Ops.TimestepEmbedding(t, 64, true).ToDoubleArray(), Ops.TimestepEmbedding(t, 33, false, 1).ToDoubleArray()];
        });
        // image-paper's 128-wide and policy-paper's 512-wide timestep features
        yield return OpCase.Prepared("Embedding/TimestepEmbedding", "timestep embedding image-paper 128 / policy-paper 512", 1e-6, d =>
        {
            var image = Tensor.FromArray(Enumerable.Range(0, 128).Select(i => (float)(i * 7 % 1000)).ToArray(), 128).To(d);
            var policy = Tensor.FromArray(Enumerable.Range(0, 256).Select(i => (float)(i * 3 % 100)).ToArray(), 256).To(d);
            Tensor? imageFeatures = null, policyFeatures = null;
            return new(() =>
            {
                imageFeatures = Ops.TimestepEmbedding(image, 128, true, 0);
                policyFeatures = Ops.TimestepEmbedding(policy, 512, false, 1);
            }, () => [imageFeatures!.ToDoubleArray(), policyFeatures!.ToDoubleArray()], 4.0 * (128 + 256 + 128 * 128 + 256 * 512));
        }) with { Checks = OpChecks.Parity | OpChecks.Benchmark };
    }

    private static Tensor Ids(Tensor table, params double[] ids) => Tensor.FromArray(ids, ids.Length).To(table.DType).To(table.Device);

    /// <summary>Class ids spread over 0..classes-1 in a fixed scrambled order; every fourth sample repeats an earlier id (so some rows of the gradient collect two samples).</summary>
    private static Tensor ClassIds(Tensor table, int count, int classes) =>
        Ids(table, Enumerable.Range(0, count).Select(i => (double)((i * 3 / 4) * 37 % classes)).ToArray());
}
