using Cluster.Grains.Platforms;
using Cluster.Screening;
using Cluster.Screening.NearDuplicates;
using Cluster.Silo.Hosting;

namespace Cluster.Silo.Rumors;

/// <summary>
/// The rumor / debunk library in force. Adding a rumor stores it, rebuilds the near-duplicate index off the hot
/// path and swaps it into the screening engine, so the next post that repeats the claim carries the debunk notice.
/// </summary>
internal sealed class RumorCatalog(IAdminStore store, ScreeningEngine engine, ILogger<RumorCatalog> logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<Rumor> _rumors = [];

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            _rumors.Clear();
            _rumors.AddRange((await store.AllRumorsAsync(cancellationToken)).Select(r => new Rumor(r.Id, r.Title, r.Claim, r.DebunkUrl)));
            Rebuild();
            SiloLog.RumorsLoaded(logger, _rumors.Count);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<string> AddAsync(string title, string claim, string debunkUrl, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var id = await store.AddRumorAsync(title, claim, debunkUrl, cancellationToken);
            _rumors.Add(new Rumor(id, title, claim, debunkUrl));
            Rebuild();
            SiloLog.RumorAdded(logger, id, _rumors.Count);
            return id;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Takes in rumors another silo added: when the store holds a different number of rumors than this silo (they are
    /// never deleted), the library is read again and rebuilt.
    /// </summary>
    public async Task RefreshAsync(long storedCount, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (storedCount == _rumors.Count)
            {
                return;
            }
            var stored = await store.AllRumorsAsync(cancellationToken);
            if (stored.Count == _rumors.Count)
            {
                return;
            }
            _rumors.Clear();
            _rumors.AddRange(stored.Select(r => new Rumor(r.Id, r.Title, r.Claim, r.DebunkUrl)));
            Rebuild();
            SiloLog.RumorsSynced(logger, _rumors.Count);
        }
        finally
        {
            _gate.Release();
        }
    }

    private void Rebuild() => engine.Swap(RumorLibrary.Build(_rumors, ScreeningEngine.MatchForm));
}
