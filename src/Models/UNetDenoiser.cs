using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Models;

/// <summary>
/// The <see cref="IDenoiser"/> state the UNets share: name, configuration, parameter store, sample and condition
/// shapes, parameter blocks, training mode and dropout stream. A subclass declares its layers in its constructor,
/// then sets <see cref="SampleShape"/>, <see cref="ConditionShape"/> and <see cref="Blocks"/>.
/// </summary>
public abstract class UNetDenoiser<TConfig>(ParameterStore store, TConfig config, string name) : IDenoiser
{
    public string Name { get; } = name;

    public TConfig Config { get; } = config;

    public ParameterStore Parameters { get; } = store;

    public IReadOnlyList<int> SampleShape { get; protected init; } = [];

    public IReadOnlyList<int>? ConditionShape { get; protected init; }

    public IReadOnlyList<ParameterBlock> Blocks { get; protected init; } = [];

    public bool Training { get; set; } = true;

    public Generator DropoutGenerator { get; set; } = new(0xD80F);

    public abstract Tensor PredictNoise(Tensor xt, Tensor timesteps, Tensor? condition);
}
