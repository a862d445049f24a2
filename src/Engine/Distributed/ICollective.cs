namespace NativeTrustRegion.Engine.Distributed;

/// <summary>
/// Collective operations among the ranks (processes) of one data-parallel run, as PyTorch's process group: every rank
/// holds the model, trains on its shard of each batch, and the flat gradient buffer is all-reduced before the
/// optimizer step. Every rank must call the same operations in the same order with equally long buffers.
/// Transports: <see cref="SingleRank"/> (one process: every operation leaves the data as it is), <see cref="MpiCollective"/>
/// (host memory over Debian's OpenMPI; tested with two ranks on the CPU) and <see cref="NcclCollective"/> (device
/// memory over NCCL; written, never run: no GPU was available).
/// </summary>
public interface ICollective : IDisposable
{
    /// <summary>This process's rank, 0 … <see cref="Size"/> − 1; rank 0 writes the run folder.</summary>
    int Rank { get; }

    int Size { get; }

    /// <summary>"single", "mpi" or "nccl".</summary>
    string Transport { get; }

    /// <summary>Replaces <paramref name="data"/> on every rank by the element-wise sum over all ranks.</summary>
    void AllReduceSum(Span<float> data);

    void AllReduceSum(Span<double> data);

    /// <summary>Copies <paramref name="data"/> of rank <paramref name="root"/> to every rank.</summary>
    void Broadcast(Span<float> data, int root);

    void Broadcast(Span<double> data, int root);
}
