using Cluster.Grains.Platforms;
using Cluster.Screening;
using Cluster.Screening.Lexicon;
using Cluster.Silo.Hosting;

namespace Cluster.Silo.Lexicons;

/// <summary>
/// The lexicons in force: the built-in lists (starter and default) plus every uploaded list, compiled into one automaton snapshot.
/// An upload stores the text, rebuilds the snapshot off the hot path and swaps it in atomically, so screening
/// never pauses and every finding names the list version that produced it.
/// </summary>
internal sealed class LexiconCatalog(IAdminStore store, ScreeningEngine engine, BuiltInLexicons builtIn, ILogger<LexiconCatalog> logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, LexiconSource> _sources = new(StringComparer.Ordinal);

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            foreach (var stored in await store.AllLexiconsAsync(cancellationToken))
            {
                _sources[stored.Name] = new LexiconSource(stored.Name, stored.Version, LexiconParser.Parse(stored.Body).Entries);
            }
            Rebuild();
            SiloLog.LexiconsLoaded(logger, _sources.Count + builtIn.Sources.Count, engine.Current.Lexicon.TermCount);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stores and activates a list; returns the parse errors instead when the text has any.</summary>
    public async Task<(long Version, int Terms, IReadOnlyList<string> Errors)> PutAsync(string name, string body, CancellationToken cancellationToken)
    {
        var parsed = LexiconParser.Parse(body);
        if (parsed.Errors.Count > 0)
        {
            return (0, 0, parsed.Errors);
        }
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var version = await store.PutLexiconAsync(name, body, parsed.Entries.Count, cancellationToken);
            _sources[name] = new LexiconSource(name, version, parsed.Entries);
            Rebuild();
            SiloLog.LexiconUpdated(logger, name, version, parsed.Entries.Count);
            return (version, parsed.Entries.Count, []);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Takes in what another silo stored: every list whose stored version is newer than the one held is read and parsed,
    /// then one rebuild swaps them all in. A list this silo stored itself is already held at that version and skipped.
    /// </summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var stored = await store.LexiconVersionsAsync(cancellationToken);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var changed = 0;
            foreach (var (name, version) in stored)
            {
                if (_sources.TryGetValue(name, out var held) && held.Version >= version)
                {
                    continue;
                }
                if (await store.GetLexiconAsync(name, cancellationToken) is not { } lexicon || (held is not null && held.Version >= lexicon.Version))
                {
                    continue;
                }
                var entries = LexiconParser.Parse(lexicon.Body).Entries;
                _sources[name] = new LexiconSource(name, lexicon.Version, entries);
                SiloLog.LexiconSynced(logger, name, lexicon.Version, entries.Count);
                changed++;
            }
            if (changed > 0)
            {
                Rebuild();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private void Rebuild() =>
        engine.Swap(LexiconSnapshot.Build(builtIn.Sources.Concat(_sources.Values).ToList()));
}
