namespace NativeTrustRegion.Engine.Autograd;

/// <summary>Whether ops are recorded on the tape. <see cref="NoGrad"/> opens a scope where nothing is recorded.</summary>
public static class GradMode
{
    [ThreadStatic]
    private static int _disabledDepth;

    public static bool IsEnabled => _disabledDepth == 0;

    public static IDisposable NoGrad()
    {
        _disabledDepth++;
        return new Restore();
    }

    private sealed class Restore : IDisposable
    {
        private bool _done;

        public void Dispose()
        {
            if (!_done)
            {
                _done = true;
                _disabledDepth--;
            }
        }
    }
}
