namespace Cluster.Grains.Streams;

/// <summary>What the AccountGrain may assume of the "posts" stream provider's sequence tokens.</summary>
public sealed class PostStreamOptions
{
    /// <summary>
    /// True when an event's sequence token is its position in its queue, stored with it and the same on every delivery,
    /// so a token at or below the last applied one is a redelivery (the SQLite and PostgreSQL providers: sequences
    /// allocated in the appending transaction). False for Orleans' Azure queue adapter, whose receiver numbers messages
    /// as it reads them, from 0 again on every start and again for a message redelivered after its visibility timeout:
    /// there the token says nothing across a restart, and a new event could look older than one applied before it.
    /// With false the grain dedupes by its (post id, version) marks alone and leaves <c>LastSeq</c> as it is.
    /// </summary>
    public bool DurableTokens { get; set; } = true;
}
