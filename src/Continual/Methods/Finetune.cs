namespace NativeTrustRegion.Continual.Methods;

/// <summary>Naive continual finetuning: L = L_diff(current task), fresh Adam per task; nothing kept between tasks.</summary>
public sealed class Finetune() : ReplayAndPenaltyMethod(replay: false, penalty: null)
{
    public override string Id => "finetune";
}
