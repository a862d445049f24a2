namespace NativeTrustRegion.Models.Image;

/// <summary>A down or up block of the image UNet: ResNets only (DownBlock2D/UpBlock2D) or ResNet + attention pairs (AttnDownBlock2D/AttnUpBlock2D).</summary>
public enum UNetBlockKind
{
    Plain,
    Attention,
}
