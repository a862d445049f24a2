using System.Globalization;

namespace NativeTrustRegion.Engine.Distributed;

/// <summary>The collective of this process: MPI when it was launched as one of several ranks by mpirun, else one rank.</summary>
public static class Collectives
{
    /// <summary>
    /// A rank started by `ntr run --gpus N` (NTR_RANK, NTR_WORLD_SIZE, NTR_NCCL_UNIQUE_ID) joins NCCL on GPU NTR_RANK;
    /// else OMPI_COMM_WORLD_SIZE &gt; 1 (set by OpenMPI's mpirun, and by srun --mpi=pmix with OpenMPI) initialises MPI;
    /// anything else is a single rank.
    /// </summary>
    public static ICollective FromEnvironment()
    {
        if (LaunchedRank.FromEnvironment() is { } launched)
        {
            return launched.Size == 1 ? SingleRank.Instance : launched.JoinNccl();
        }
        var size = Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE");
        if (size is null || !int.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 1)
        {
            return SingleRank.Instance;
        }
        var mpi = MpiCollective.Initialize();
        if (mpi.Size != n)
        {
            throw new InvalidOperationException($"OMPI_COMM_WORLD_SIZE is {n} but MPI_COMM_WORLD has {mpi.Size} ranks: this process was not started by the mpirun that set the variable");
        }
        return mpi;
    }

    /// <summary>Whether any rank asks for <paramref name="flag"/> (a logical or over the ranks; every rank must call it together).</summary>
    public static bool AnyRank(this ICollective collective, bool flag)
    {
        if (collective.Size == 1)
        {
            return flag;
        }
        Span<double> value = [flag ? 1 : 0];
        collective.AllReduceSum(value);
        return value[0] > 0;
    }

    /// <summary>
    /// This rank's contiguous share [start, start + count) of <paramref name="total"/> independent items (per-sample
    /// gradients, generated samples): rank r takes [⌊r·total/size⌋, ⌊(r+1)·total/size⌋), so the shares cover every
    /// item once, in rank order, and differ in length by at most one (a rank may get none when total &lt; size).
    /// </summary>
    public static (int Start, int Count) Share(this ICollective collective, int total)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(total);
        var start = (int)((long)collective.Rank * total / collective.Size);
        var end = (int)((long)(collective.Rank + 1) * total / collective.Size);
        return (start, end - start);
    }
}
