namespace NativeTrustRegion.Models;

/// <summary>
/// A contiguous run of a model's parameters that forms one architectural block: parameters
/// [<see cref="FirstIndex"/>, <see cref="EndIndex"/>) of the store, holding <see cref="Count"/> scalars.
/// </summary>
public sealed record ParameterBlock(string Name, string Description, int FirstIndex, int EndIndex, long Count);
