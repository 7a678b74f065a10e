using Orleans.Runtime;
using Orleans.Streaming.Diagnostics;

namespace Cluster.Storage.Tests.Postgres;

/// <summary>
/// Which queues the pulling agents of each silo in this process read, from Orleans' streaming diagnostics: a queue is
/// a silo's from its agent's start (after the balancer gave it the queue) to that agent's stop. Waits are armed
/// before the change they wait for and complete on the first state (the current one included) that satisfies them.
/// </summary>
internal sealed class PullingAgents : IObserver<StreamingEvents.StreamingEvent>, IDisposable
{
    private readonly string _provider;
    private readonly IDisposable _subscription;
    private readonly Dictionary<SiloAddress, SortedSet<uint>> _queues = [];
    private readonly List<(Func<IReadOnlyDictionary<SiloAddress, SortedSet<uint>>, bool> Condition, TaskCompletionSource Done)> _waits = [];

    public PullingAgents(string provider)
    {
        _provider = provider;
        _subscription = StreamingEvents.AllEvents.Subscribe(this);
    }

    /// <summary>The queues of <paramref name="silo"/>'s running agents.</summary>
    public SortedSet<uint> Of(SiloAddress silo)
    {
        lock (_queues)
        {
            return _queues.TryGetValue(silo, out var q) ? new SortedSet<uint>(q) : [];
        }
    }

    public Task Until(Func<IReadOnlyDictionary<SiloAddress, SortedSet<uint>>, bool> condition)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_queues)
        {
            if (condition(_queues))
            {
                done.SetResult();
            }
            else
            {
                _waits.Add((condition, done));
            }
        }
        return done.Task;
    }

    /// <summary>Each of <paramref name="silos"/> reads its even share of <paramref name="queues"/> (n/k or one more), no queue read twice or not at all.</summary>
    public static bool Shared(IReadOnlyDictionary<SiloAddress, SortedSet<uint>> state, IReadOnlyList<SiloAddress> silos, int queues)
    {
        var counts = silos.Select(s => state.TryGetValue(s, out var q) ? q.Count : 0).ToList();
        var all = silos.SelectMany(s => state.TryGetValue(s, out var q) ? q : []).ToHashSet();
        var share = queues / silos.Count;
        return all.Count == queues && counts.Sum() == queues && counts.All(c => c == share || c == share + 1);
    }

    public string Describe()
    {
        lock (_queues)
        {
            return string.Join("; ", _queues.Select(p => $"{p.Key}: {p.Value.Count} queues"));
        }
    }

    public void OnNext(StreamingEvents.StreamingEvent value)
    {
        if (value.StreamProvider != _provider || value.SiloAddress is not { } silo)
        {
            return;
        }
        lock (_queues)
        {
            switch (value)
            {
                case StreamingEvents.PullingAgentStarted started:
                    (_queues.TryGetValue(silo, out var q) ? q : _queues[silo] = []).Add(started.QueueId.GetNumericId());
                    break;
                case StreamingEvents.PullingAgentStopped stopped:
                    if (_queues.TryGetValue(silo, out var held))
                    {
                        held.Remove(stopped.QueueId.GetNumericId());
                    }
                    break;
                default:
                    return;
            }
            for (var i = _waits.Count - 1; i >= 0; i--)
            {
                if (_waits[i].Condition(_queues))
                {
                    _waits[i].Done.SetResult();
                    _waits.RemoveAt(i);
                }
            }
        }
    }

    public void OnCompleted()
    {
    }

    public void OnError(Exception error)
    {
    }

    public void Dispose() => _subscription.Dispose();
}
