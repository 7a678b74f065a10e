namespace Cluster.Grains.Review;

public enum ReviewOutcome : byte
{
    Done,

    /// <summary>No such item, or one outside the caller's queues: the two answer the same (404), so ids leak nothing.</summary>
    NotFound,

    /// <summary>An item the caller may see but does not hold an unexpired lease on, or one already closed (409).</summary>
    NotHeld,
}
