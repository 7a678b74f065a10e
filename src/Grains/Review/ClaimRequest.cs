namespace Cluster.Grains.Review;

/// <summary>
/// A reviewer asking for work. <see cref="Queues"/> holds the queues the reviewer may see ("*" for all but the
/// senior queue); <see cref="Queue"/> narrows to one of them.
/// </summary>
public sealed record ClaimRequest(string Reviewer, IReadOnlyList<string> Queues, bool Senior, string? Queue, int Max, TimeSpan Lease);
