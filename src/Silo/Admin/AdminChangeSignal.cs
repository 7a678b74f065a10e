namespace Cluster.Silo.Admin;

/// <summary>
/// "A policy, lexicon or rumor may have changed": raised by the cluster's notification listener, awaited by
/// <see cref="AdminSync"/>. Raising it any number of times before the next wait wakes that wait once.
/// </summary>
internal sealed class AdminChangeSignal
{
    private readonly SemaphoreSlim _raised = new(0, 1);

    public void Raise()
    {
        try
        {
            _raised.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already raised and not yet awaited: one wake-up covers both.
        }
    }

    /// <summary>Completes when raised, or after <paramref name="timeout"/>.</summary>
    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _raised.WaitAsync(timeout, cancellationToken);
}
