using NativeTrustRegion.Continual.Replay;
using NativeTrustRegion.Continual.Tasks;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Optim;
using NativeTrustRegion.Engine.Randomness;
using NativeTrustRegion.Models;
using NativeTrustRegion.Models.Diffusion;

namespace NativeTrustRegion.Continual.Training;

/// <summary>
/// What a continual method works with: the model, the diffusion schedule, the outer optimizer, the task stream, the
/// replay generator of the domain (DDIM samples per old class for images, teacher rollouts for control), the
/// hyperparameters, and named random streams derived from the run's seed (so every draw is reproducible and
/// checkpointable as an offset).
/// </summary>
public sealed class ContinualContext
{
    public ContinualContext(IDenoiser model, NoiseSchedule schedule, TaskStream stream, Hyperparameters hyper, IReplayGenerator replay, ulong seed)
    {
        Model = model;
        Schedule = schedule;
        Stream = stream;
        Hyper = hyper;
        ReplayGenerator = replay;
        Seed = seed;
        Optimizer = new Adam(model.Parameters, hyper.LearningRate);
        Noise = Generator.Derive(seed, 1);
        Sampling = Generator.Derive(seed, 2);
        Fisher = Generator.Derive(seed, 3);
        model.DropoutGenerator = Generator.Derive(seed, 4);
    }

    public IDenoiser Model { get; }

    public ParameterStore Parameters => Model.Parameters;

    public NoiseSchedule Schedule { get; }

    public TaskStream Stream { get; }

    public Hyperparameters Hyper { get; }

    public IReplayGenerator ReplayGenerator { get; }

    public ulong Seed { get; }

    public Adam Optimizer { get; }

    /// <summary>Timesteps and noise of training losses.</summary>
    public Generator Noise { get; }

    /// <summary>Replay pool order, memory sampling, support/query splits.</summary>
    public Generator Sampling { get; }

    /// <summary>Fisher estimation draws (subset, timesteps, noise).</summary>
    public Generator Fisher { get; }

    /// <summary>
    /// The ranks of a data-parallel run (one process each, every one with this whole context): each trains on its
    /// shard of every batch and the gradients are averaged before the optimizer step (<see cref="DataParallel"/>).
    /// One rank (the default) is today's training.
    /// </summary>
    public Engine.Distributed.ICollective Collective { get; set; } = Engine.Distributed.SingleRank.Instance;

    /// <summary>Named generator offsets for checkpoints.</summary>
    public IReadOnlyDictionary<string, Generator> Generators => new Dictionary<string, Generator>
    {
        ["noise"] = Noise,
        ["sampling"] = Sampling,
        ["fisher"] = Fisher,
        ["dropout"] = Model.DropoutGenerator,
    };
}
