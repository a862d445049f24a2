using System.Globalization;
using NativeTrustRegion.Engine.Backends.Cuda;

namespace NativeTrustRegion.Engine.Distributed;

/// <summary>
/// What `ntr run --gpus N` tells each process it starts, through the environment: its rank, the number of ranks and
/// the NCCL communicator id (128 bytes as hex, made once by the launcher). Rank r trains on GPU r (CUDA ordinal = rank).
/// </summary>
public sealed record LaunchedRank(int Rank, int Size, string? NcclUniqueIdHex)
{
    public const string RankVariable = "NTR_RANK";
    public const string SizeVariable = "NTR_WORLD_SIZE";
    public const string NcclIdVariable = "NTR_NCCL_UNIQUE_ID";

    /// <summary>The variables a launched rank gets.</summary>
    public IReadOnlyDictionary<string, string> Environment()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [RankVariable] = Rank.ToString(CultureInfo.InvariantCulture),
            [SizeVariable] = Size.ToString(CultureInfo.InvariantCulture),
        };
        if (NcclUniqueIdHex is not null)
        {
            variables[NcclIdVariable] = NcclUniqueIdHex;
        }
        return variables;
    }

    /// <summary>This process's launch, or null when NTR_WORLD_SIZE is not set; malformed variables are an error naming them.</summary>
    public static LaunchedRank? FromEnvironment()
    {
        var sizeText = System.Environment.GetEnvironmentVariable(SizeVariable);
        if (sizeText is null)
        {
            return null;
        }
        var rankText = System.Environment.GetEnvironmentVariable(RankVariable);
        if (!int.TryParse(sizeText, NumberStyles.None, CultureInfo.InvariantCulture, out var size) || size < 1
            || !int.TryParse(rankText, NumberStyles.None, CultureInfo.InvariantCulture, out var rank) || rank >= size)
        {
            throw new InvalidOperationException(
                $"{SizeVariable}={sizeText} and {RankVariable}={rankText ?? "(unset)"} do not name a rank 0 … size − 1: these are set by `ntr run --gpus N`. Fix: unset them, or start the ranks with `ntr run --gpus N`.");
        }
        return new LaunchedRank(rank, size, System.Environment.GetEnvironmentVariable(NcclIdVariable));
    }

    /// <summary>The CUDA device of this rank.</summary>
    public Device Device => Device.Cuda(Rank);

    /// <summary>Opens this rank's GPU and joins the NCCL communicator (untested: no GPU was available).</summary>
    public NcclCollective JoinNccl()
    {
        if (NcclUniqueIdHex is null || NcclUniqueIdHex.Length != 2 * NcclCollective.UniqueIdBytes)
        {
            throw new InvalidOperationException($"{NcclIdVariable} must hold the {NcclCollective.UniqueIdBytes}-byte NCCL id as hex, set by `ntr run --gpus N`. Fix: start the ranks with `ntr run --gpus N`.");
        }
        var backend = (CudaBackend)BackendRegistry.For(Device);
        return NcclCollective.Create(Convert.FromHexString(NcclUniqueIdHex), Rank, Size, backend.Context.Stream, Device);
    }
}
