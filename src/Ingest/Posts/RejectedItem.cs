namespace Cluster.Ingest.Posts;

/// <summary>One item of a batch that was not accepted: its 0-based index (line, for NDJSON) and why.</summary>
public sealed record RejectedItem(int Index, string Error);
