using System.Diagnostics.Metrics;

namespace Cluster.Ingest.Posts;

/// <summary>Ingest's instruments (meter "Cluster.Ingest").</summary>
public sealed class IngestMetrics : IDisposable
{
    public const string MeterName = "Cluster.Ingest";

    private readonly Meter _meter = new(MeterName);

    /// <summary>This silo's meter: exporters match on it, so two silos in one process never mix their figures.</summary>
    public Meter Meter => _meter;

    public IngestMetrics()
    {
        Accepted = _meter.CreateCounter<long>("posts-accepted", description: "Posts made durable by the group commit.");
        Duplicates = _meter.CreateCounter<long>("posts-duplicate", description: "Posts whose (platform, id) was already stored.");
        Rejected = _meter.CreateCounter<long>("posts-rejected", description: "Posts rejected by validation.");
        Throttled = _meter.CreateCounter<long>("ingest-throttled", description: "Requests answered 429 because the commit queue was full.");
        CommitSize = _meter.CreateHistogram<int>("group-commit-posts", description: "Posts per group commit.");
    }

    public Counter<long> Accepted { get; }

    public Counter<long> Duplicates { get; }

    public Counter<long> Rejected { get; }

    public Counter<long> Throttled { get; }

    public Histogram<int> CommitSize { get; }

    public void Dispose() => _meter.Dispose();
}
