using Orleans.Providers.Streams.Common;
using Orleans.Runtime;
using Orleans.Streams;

namespace Cluster.Storage.Streams;

/// <summary>
/// One stored queue row as Orleans delivers it: one event of one stream, with the row's per-queue sequence as its
/// token. The token is what a consumer keeps as its dedupe mark (events of one stream come from one queue, in
/// sequence order). It crosses the grain boundary (the pulling agent passes it to the consumer), hence the serializer;
/// nothing mutates it, hence [Immutable] (no copy per delivery).
/// </summary>
[GenerateSerializer, Immutable]
internal sealed class QueueBatchContainer : IBatchContainer
{
    public QueueBatchContainer(StreamId streamId, object @event, EventSequenceTokenV2 token)
    {
        StreamId = streamId;
        Event = @event;
        Token = token;
    }

    [Id(0)]
    public StreamId StreamId { get; }

    [Id(1)]
    public object Event { get; }

    [Id(2)]
    public EventSequenceTokenV2 Token { get; }

    /// <summary>The row's sequence within its queue.</summary>
    public long Seq => Token.SequenceNumber;

    public StreamSequenceToken SequenceToken => Token;

    public IEnumerable<Tuple<T, StreamSequenceToken>> GetEvents<T>()
    {
        if (Event is T typed)
        {
            yield return Tuple.Create<T, StreamSequenceToken>(typed, Token);
        }
    }

    public bool ImportRequestContext() => false;

    public override string ToString() => $"QueueBatchContainer({StreamId}, seq {Seq})";
}
