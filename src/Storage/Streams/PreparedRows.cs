using Orleans.Runtime;
using Orleans.Serialization;

namespace Cluster.Storage.Streams;

/// <summary>
/// Stream events made ready for a queue table, outside the writer thread (the writer should only write): serialized,
/// and grouped by queue in ascending order, the order in which an append locks the queues' sequence rows.
/// </summary>
internal static class PreparedRows
{
    public static SortedDictionary<int, List<PreparedRow>> Prepare(
        StreamQueueMapper mapper, Serializer serializer, IReadOnlyList<(StreamId Stream, object[] Events)> items)
    {
        var byQueue = new SortedDictionary<int, List<PreparedRow>>();
        foreach (var (stream, events) in items)
        {
            if (events.Length == 0)
            {
                continue;
            }
            var queue = mapper.QueueOf(stream);
            if (!byQueue.TryGetValue(queue, out var rows))
            {
                byQueue[queue] = rows = [];
            }
            var ns = stream.GetNamespace() ?? "";
            var key = stream.GetKeyAsString();
            foreach (var e in events)
            {
                rows.Add(new PreparedRow(ns, key, serializer.SerializeToArray<object>(e)));
            }
        }
        return byQueue;
    }
}

/// <summary>One serialized event bound for a queue table.</summary>
internal readonly record struct PreparedRow(string Namespace, string Key, byte[] Payload);
