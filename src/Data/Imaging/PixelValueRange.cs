namespace NativeTrustRegion.Data;

/// <summary>The scale of float pixels handed to the PNG writer.</summary>
public enum PixelValueRange
{
    /// <summary>[-1, 1], the training scale (byte = round((v + 1)·127.5), clamped).</summary>
    MinusOneToOne,

    /// <summary>[0, 1] (byte = round(v·255), clamped).</summary>
    ZeroToOne,
}
