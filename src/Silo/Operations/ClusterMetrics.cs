using System.Diagnostics.Metrics;
using Cluster.Grains.Decisions;
using Cluster.Grains.Review;
using Cluster.Storage.Streams;

namespace Cluster.Silo.Operations;

/// <summary>
/// Decision and queue instruments (meter "Cluster.Runtime"): decisions by action and source, counted once durable;
/// the "posts" stream's backlog per queue (rows not yet acknowledged: not delivered, or delivered with effects not yet
/// durable), under the names the inbox lag had; review queue depth. Orleans' own meter sits beside it in /metrics.
/// </summary>
internal sealed class ClusterMetrics : IDisposable
{
    public const string MeterName = "Cluster.Runtime";

    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _decisions;

    public ClusterMetrics(IDecisionStore decisions, IQueueBacklog backlog, IReviewStore review)
    {
        _decisions = _meter.CreateCounter<long>("decisions", description: "Durable decisions, by action and source.");
        _meter.CreateObservableGauge("inbox-lag", () => backlog.Read()
            .Select(q => new Measurement<long>(q.Value, new KeyValuePair<string, object?>("queue", q.Key))),
            description: "Posts stream rows not yet acknowledged, per queue with a backlog.");
        _meter.CreateObservableGauge("inbox-lag-total", () => backlog.Read().Values.Sum(),
            description: "Posts stream rows not yet acknowledged, all queues.");
        _meter.CreateObservableGauge("review-queue-depth", () => review.QueueStatsAsync(CancellationToken.None).GetAwaiter().GetResult()
            .Select(q => new Measurement<int>(q.Depth, new KeyValuePair<string, object?>("queue", q.Queue))),
            description: "Review items waiting to be claimed, per queue.");
        decisions.Recorded += OnRecorded;
    }

    public Meter Meter => _meter;

    public void Dispose() => _meter.Dispose();

    private void OnRecorded(IReadOnlyList<DecisionRecord> decisions)
    {
        foreach (var d in decisions)
        {
            _decisions.Add(1, new KeyValuePair<string, object?>("action", d.Action), new KeyValuePair<string, object?>("source", d.Source));
        }
    }
}
