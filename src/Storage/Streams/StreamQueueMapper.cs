using System.IO.Hashing;
using Orleans.Runtime;
using Orleans.Streams;

namespace Cluster.Storage.Streams;

/// <summary>
/// Maps a stream to one of <see cref="QueueCount"/> queues: queue = XxHash32(UTF-8 bytes of the stream key, seed 0) mod
/// QueueCount (the hash as the specification's 32-bit value). The queue is stored in every row, so this function is part of the on-disk format: a
/// change would send a stream's new events to another queue than its undelivered old ones, and two pulling agents
/// could then deliver them out of order. Hence our own function rather than Orleans' HashRingBasedStreamQueueMapper,
/// which hashes with <c>StreamId.GetHashCode()</c> (today XxHash32 of namespace + key, stable across processes, but an
/// implementation detail that has changed between Orleans major versions) and picks the queue on a ring, not by
/// modulo. The key alone is hashed so the facts store can compute a post's queue from platform/account.
/// Queue ids carry ring positions spread like Orleans' (i · ⌈2³²/n⌉) so the consistent-ring balancer works too.
/// </summary>
internal sealed class StreamQueueMapper : IConsistentRingStreamQueueMapper
{
    private readonly QueueId[] _queues;

    public StreamQueueMapper(string providerName, int queueCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(queueCount, 1);
        QueueCount = queueCount;
        _queues = new QueueId[queueCount];
        var portion = (uint)((1L << 32) / queueCount + 1);
        for (uint i = 0; i < queueCount; i++)
        {
            _queues[i] = QueueId.GetQueueId(providerName, i, queueCount == 1 ? 0 : portion * i);
        }
    }

    public int QueueCount { get; }

    public static int QueueOf(ReadOnlySpan<byte> streamKey, int queueCount) =>
        (int)(XxHash32.HashToUInt32(streamKey) % (uint)queueCount);

    public int QueueOf(StreamId streamId) => QueueOf(streamId.Key.Span, QueueCount);

    public QueueId QueueIdOf(int queue) => _queues[queue];

    public QueueId GetQueueForStream(StreamId streamId) => _queues[QueueOf(streamId)];

    public IEnumerable<QueueId> GetAllQueues() => _queues;

    public IEnumerable<QueueId> GetQueuesForRange(IRingRange range) =>
        _queues.Where(q => range.InRange(q.GetUniformHashCode())).ToList();
}
