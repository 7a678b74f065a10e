namespace Cluster.Grains.Review;

public enum ReviewOutcome : byte
{
    Done,
    NotFound,

    /// <summary>The caller does not hold an unexpired lease on the item (409).</summary>
    NotHeld,
}
