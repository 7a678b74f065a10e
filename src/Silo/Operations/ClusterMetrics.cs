using System.Diagnostics.Metrics;
using Cluster.Grains.Review;
using Cluster.Grains.Runtime;

namespace Cluster.Silo.Operations;

/// <summary>
/// Runtime and decision instruments (meter "Cluster.Runtime"): decisions by action and source, counted only once
/// their flush committed; inbox lag per partition; activations; review queue depth.
/// </summary>
internal sealed class ClusterMetrics : IDisposable
{
    public const string MeterName = "Cluster.Runtime";

    private readonly Meter _meter = new(MeterName);

    public Meter Meter => _meter;
    private readonly Counter<long> _decisions;

    public ClusterMetrics(GrainRuntime runtime, IPartitionStore store, IReviewStore review)
    {
        _decisions = _meter.CreateCounter<long>("decisions", description: "Durable decisions, by action and source.");
        _meter.CreateObservableGauge("inbox-lag", () => store.ReadPositions()
            .Where(p => p.Value.Head > p.Value.Checkpoint)
            .Select(p => new Measurement<long>(p.Value.Head - p.Value.Checkpoint, new KeyValuePair<string, object?>("partition", p.Key))),
            description: "Inbox messages not yet applied, per partition with a backlog.");
        _meter.CreateObservableGauge("inbox-lag-total", () => store.ReadPositions().Values.Sum(p => Math.Max(0, p.Head - p.Checkpoint)),
            description: "Inbox messages not yet applied, all partitions.");
        _meter.CreateObservableGauge("activations", () => runtime.ActivationCount, description: "Grain activations in memory.");
        _meter.CreateObservableGauge("review-queue-depth", () => review.QueueStatsAsync(CancellationToken.None).GetAwaiter().GetResult()
            .Select(q => new Measurement<int>(q.Depth, new KeyValuePair<string, object?>("queue", q.Queue))),
            description: "Review items waiting to be claimed, per queue.");
        runtime.Flushed += OnFlushed;
    }

    public void Dispose() => _meter.Dispose();

    private void OnFlushed(PartitionFlush flush)
    {
        foreach (var d in flush.Decisions)
        {
            _decisions.Add(1, new KeyValuePair<string, object?>("action", d.Action), new KeyValuePair<string, object?>("source", d.Source));
        }
    }
}
