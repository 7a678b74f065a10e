namespace Cluster.Grains.Review;

public sealed record QueueStats(string Queue, int Depth, double OldestAgeSeconds, int Claimed);
