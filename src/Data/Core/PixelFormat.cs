namespace NativeTrustRegion.Data;

/// <summary>How an <see cref="ImageDataset"/> stores its pixels.</summary>
public enum PixelFormat
{
    /// <summary>Unsigned bytes 0..255 (real data sets); scaled to [-1, 1] as v / 127.5 − 1 when read as floats.</summary>
    Byte,

    /// <summary>32-bit floats already on the training scale [-1, 1] (e.g. generated samples; may lie outside).</summary>
    Float,
}
