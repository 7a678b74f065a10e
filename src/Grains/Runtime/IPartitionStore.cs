namespace Cluster.Grains.Runtime;

/// <summary>
/// The narrow persistence seam of the grain runtime. SQLite fills it for the embedded silo; PostgreSQL fills it
/// in cluster mode, where <see cref="AcquireAsync"/> is a compare-and-swap on the lease row and
/// <see cref="FlushAsync"/> begins by checking owner and epoch FOR SHARE.
/// </summary>
public interface IPartitionStore
{
    /// <summary>Takes the partition, bumping its epoch so any previous owner's flushes are refused.</summary>
    Task<PartitionLease> AcquireAsync(PartitionId partition, string owner, CancellationToken cancellationToken);

    Task<long> LoadCheckpointAsync(PartitionId partition, CancellationToken cancellationToken);

    /// <summary>Messages with seq greater than <paramref name="afterSeq"/>, in seq order.</summary>
    Task<IReadOnlyList<InboxEnvelope>> ReadInboxAsync(PartitionId partition, long afterSeq, int max, CancellationToken cancellationToken);

    Task<GrainRecord?> LoadGrainAsync(GrainId id, CancellationToken cancellationToken);

    /// <summary>Writes the flush atomically; throws <see cref="LeaseLostException"/> (writing nothing) when fenced out.</summary>
    Task FlushAsync(PartitionFlush flush, CancellationToken cancellationToken);

    /// <summary>Appends messages to their targets' partitions; returns the partitions that received messages.</summary>
    Task<IReadOnlyCollection<PartitionId>> AppendAsync(IReadOnlyList<InboxMessage> messages, CancellationToken cancellationToken);

    /// <summary>The last sequence handed out and the checkpoint, per partition (inbox lag = head - checkpoint).</summary>
    IReadOnlyDictionary<int, (long Head, long Checkpoint)> ReadPositions();

    /// <summary>
    /// The newest sequence of the partition if this process sees every append to it (the embedded store), else null.
    /// Lets a host skip reading an inbox it knows is empty.
    /// </summary>
    long? KnownHead(PartitionId partition);

    /// <summary>
    /// Raised after commit with the messages this process appended, in sequence order per partition, so owners
    /// can apply them without reading them back. An optimisation only: hosts still read the store on any gap.
    /// </summary>
    event Action<PartitionId, IReadOnlyList<InboxEnvelope>>? Appended;
}
