using Cluster.Grains.Decisions;
using Cluster.Grains.Review;

namespace Cluster.Grains.Runtime;

/// <summary>What a turn may do besides changing its own state: emit outputs that are flushed with that state.</summary>
public sealed class TurnContext
{
    private readonly List<DecisionRecord> _decisions = [];
    private readonly List<ReviewItemRecord> _reviewItems = [];
    private readonly List<InboxMessage> _sends = [];

    internal TurnContext(PartitionId partition, TimeProvider time)
    {
        Partition = partition;
        Time = time;
    }

    public PartitionId Partition { get; }

    public TimeProvider Time { get; }

    /// <summary>The sequence of the message being applied; stable across replays, so ids derived from it are too.</summary>
    public long Seq { get; internal set; }

    internal IReadOnlyList<DecisionRecord> Decisions => _decisions;

    internal IReadOnlyList<ReviewItemRecord> ReviewItems => _reviewItems;

    internal IReadOnlyList<InboxMessage> Sends => _sends;

    internal bool IsEmpty => _decisions.Count == 0 && _reviewItems.Count == 0 && _sends.Count == 0;

    public void Decide(DecisionRecord decision) => _decisions.Add(decision);

    public void Escalate(ReviewItemRecord item) => _reviewItems.Add(item);

    /// <summary>A durable message to another grain, appended to its partition's inbox in the same flush.</summary>
    public void Send(InboxMessage message) => _sends.Add(message);

    internal void Clear()
    {
        _decisions.Clear();
        _reviewItems.Clear();
        _sends.Clear();
    }
}
