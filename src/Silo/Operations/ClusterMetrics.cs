using System.Diagnostics.Metrics;
using Cluster.Grains.Decisions;
using Cluster.Grains.Review;
using Cluster.Grains.Streams;
using Cluster.Storage.Streams;

namespace Cluster.Silo.Operations;

/// <summary>
/// Decision and queue instruments (meter "Cluster.Runtime"): decisions by action and source, counted once durable;
/// the "posts" stream's backlog per queue (rows not yet acknowledged: not delivered, or delivered with effects not yet
/// durable), under the names the inbox lag had; review queue depth; the "posts" queues this silo reads. Orleans' own
/// meter sits beside it in /metrics. A gauge read from the store reports nothing while the store does not answer, so
/// a scrape during a database outage still returns the rest.
/// </summary>
internal sealed class ClusterMetrics : IDisposable
{
    public const string MeterName = "Cluster.Runtime";

    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _decisions;
    private readonly StreamQueueOwnership _queues;

    public ClusterMetrics(IDecisionStore decisions, IQueueBacklog backlog, IReviewStore review, ILocalSiloDetails silo)
    {
        _queues = new StreamQueueOwnership(PostStreams.Provider, silo.SiloAddress);
        _decisions = _meter.CreateCounter<long>("decisions", description: "Durable decisions, by action and source.");
        _meter.CreateObservableGauge("inbox-lag", () => Read(() => backlog.Read()
            .Select(q => new Measurement<long>(q.Value, new KeyValuePair<string, object?>("queue", q.Key))).ToList()),
            description: "Posts stream rows not yet acknowledged, per queue with a backlog.");
        _meter.CreateObservableGauge("inbox-lag-total", () => Read(() => new[] { new Measurement<long>(backlog.Read().Values.Sum()) }),
            description: "Posts stream rows not yet acknowledged, all queues.");
        _meter.CreateObservableGauge("review-queue-depth", () => Read(() => review.QueueStatsAsync(CancellationToken.None).GetAwaiter().GetResult()
            .Select(q => new Measurement<int>(q.Depth, new KeyValuePair<string, object?>("queue", q.Queue))).ToList()),
            description: "Review items waiting to be claimed, per queue.");
        _meter.CreateObservableGauge("stream-queues-owned", () => _queues.Count,
            description: "Posts stream queues this silo's pulling agents read (in cluster mode: whose leases it holds).");
        decisions.Recorded += OnRecorded;
    }

    public Meter Meter => _meter;

    public void Dispose()
    {
        _meter.Dispose();
        _queues.Dispose();
    }

    /// <summary>A gauge's measurements, or none when the store does not answer (an outage: /readyz says so).</summary>
    private static IEnumerable<Measurement<T>> Read<T>(Func<IEnumerable<Measurement<T>>> read)
        where T : struct
    {
        try
        {
            return read();
        }
        catch (Exception)
        {
            return [];
        }
    }

    private void OnRecorded(IReadOnlyList<DecisionRecord> decisions)
    {
        foreach (var d in decisions)
        {
            _decisions.Add(1, new KeyValuePair<string, object?>("action", d.Action), new KeyValuePair<string, object?>("source", d.Source));
        }
    }
}
