namespace Cluster.Ingest.Posts;

/// <summary>The 200 body of POST /v1/screen: results for the valid posts in order, and the rejected ones.</summary>
public sealed record ScreenResponse(IReadOnlyList<ScreenResult> Results, IReadOnlyList<RejectedItem> Rejected);
