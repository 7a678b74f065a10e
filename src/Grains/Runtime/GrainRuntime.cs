using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cluster.Grains.Runtime;

/// <summary>
/// The in-process grain runtime: one <see cref="PartitionHost"/> per owned partition. The embedded silo owns
/// every partition; in cluster mode the lease balancer decides which hosts run here.
/// </summary>
public sealed class GrainRuntime : IHostedService
{
    private readonly PartitionHost[] _hosts;
    private readonly IPartitionStore _store;
    private readonly ILogger<GrainRuntime> _logger;
    private readonly CancellationTokenSource _abort = new();
    private Task[] _running = [];

    public GrainRuntime(IPartitionStore store, GrainCatalog catalog, PartitionMap map, RuntimeOptions options, TimeProvider time, ILogger<GrainRuntime> logger, string owner)
    {
        _logger = logger;
        _store = store;
        Map = map;
        _hosts = new PartitionHost[map.Count];
        for (var p = 0; p < map.Count; p++)
        {
            _hosts[p] = new PartitionHost(new PartitionId(p), owner, store, catalog, time, options, logger, OnFlushed);
            _hosts[p].IdleCollected += (partition, count) => IdleCollected?.Invoke(partition, count);
        }
    }

    public PartitionMap Map { get; }

    /// <summary>Raised on a partition's loop after each committed flush. Handlers must be quick and must not throw.</summary>
    public event Action<PartitionFlush>? Flushed;

    /// <summary>Raised after each idle collection pass of a partition, with the number collected.</summary>
    public event Action<PartitionId, int>? IdleCollected;

    public bool IsRunning { get; private set; }

    public int ActivationCount => _hosts.Sum(h => h.ActivationCount);

    public long Checkpoint(PartitionId partition) => _hosts[partition.Value].Checkpoint;

    internal bool IsActive(GrainId id) => _hosts[Map.Of(id).Value].IsActive(id);

    /// <summary>Wakes the hosts of partitions that were just appended to.</summary>
    public void Notify(IEnumerable<PartitionId> partitions)
    {
        foreach (var p in partitions)
        {
            _hosts[p.Value].Notify();
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _store.Appended += OnAppended;
        _running = _hosts.Select(h => Task.Run(() => h.RunAsync(_abort.Token), CancellationToken.None)).ToArray();
        IsRunning = true;
        return Task.CompletedTask;
    }

    /// <summary>Drains: every host applies what is in its inbox, flushes, and stops. Aborts if the host's stop timeout fires.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        IsRunning = false;
        _store.Appended -= OnAppended;
        foreach (var host in _hosts)
        {
            host.BeginStop();
        }
        await using (cancellationToken.Register(() => _abort.Cancel()))
        {
            await Task.WhenAll(_running);
        }
        RuntimeLog.Drained(_logger, _hosts.Length);
    }

    private void OnAppended(PartitionId partition, IReadOnlyList<InboxEnvelope> envelopes) => _hosts[partition.Value].Deliver(envelopes);

    private void OnFlushed(PartitionFlush flush)
    {
        foreach (var send in flush.Sends)
        {
            _hosts[Map.Of(send.Target).Value].Notify(); // the message is durable now; wake its partition
        }
        Flushed?.Invoke(flush);
    }
}
