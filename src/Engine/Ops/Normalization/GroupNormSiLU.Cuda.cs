namespace NativeTrustRegion.Engine.Backends.Cuda;

public sealed partial class CudaBackend
{
    public void GroupNormSiLUForward(Tensor x, Tensor? gamma, Tensor? beta, Tensor? scale, Tensor? shift, int groups, double eps, Tensor y, Tensor mean, Tensor rstd) =>
        GroupNormForwardVariant(scale is null ? "groupnorm_silu" : "groupnorm_film_silu", x, gamma, beta, scale, shift, groups, eps, y, mean, rstd);

    public void GroupNormSiLUBackward(Tensor x, Tensor dy, Tensor mean, Tensor rstd, Tensor? gamma, Tensor? beta, Tensor? scale, Tensor? shift, int groups,
        Tensor? dx, bool accumulateDx, Tensor? dgamma, Tensor? dbeta, Tensor? dscale, Tensor? dshift) =>
        GroupNormBackwardVariant(scale is null ? "groupnorm_silu" : "groupnorm_film_silu", x, dy, mean, rstd, gamma, beta, scale, shift, groups,
            dx, accumulateDx, dgamma, dbeta, accumulateParams: true, dscale, dshift);
}
