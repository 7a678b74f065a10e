using System.Diagnostics;
using Orleans.Streaming.Diagnostics;

namespace Cluster.Silo.Operations;

/// <summary>
/// The queues of one stream provider that this silo's pulling agents read: a queue is the silo's from its agent's start
/// (the balancer gave it the queue; in cluster mode the silo holds its lease) to the agent's stop. Follows Orleans'
/// streaming diagnostics (the "Orleans.Streaming" DiagnosticListener) for those two events only, so a delivery costs
/// nothing here. Events of other silos in the same process (tests host several) are told apart by the silo address.
/// </summary>
internal sealed class StreamQueueOwnership : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private readonly string _provider;
    private readonly SiloAddress _silo;
    private readonly HashSet<uint> _queues = [];
    private readonly Lock _lock = new();
    private readonly IDisposable _listeners;
    private IDisposable? _events;

    public StreamQueueOwnership(string provider, SiloAddress silo)
    {
        _provider = provider;
        _silo = silo;
        _listeners = DiagnosticListener.AllListeners.Subscribe(this);
    }

    /// <summary>Queues read by this silo's pulling agents now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _queues.Count;
            }
        }
    }

    public void Dispose()
    {
        _listeners.Dispose();
        Interlocked.Exchange(ref _events, null)?.Dispose();
    }

    void IObserver<DiagnosticListener>.OnNext(DiagnosticListener listener)
    {
        if (listener.Name == StreamingEvents.ListenerName)
        {
            Interlocked.Exchange(ref _events, listener.Subscribe(this, IsAgentEvent))?.Dispose();
        }
    }

    void IObserver<KeyValuePair<string, object?>>.OnNext(KeyValuePair<string, object?> value)
    {
        switch (value.Value)
        {
            case StreamingEvents.PullingAgentStarted started when Mine(started):
                lock (_lock)
                {
                    _queues.Add(started.QueueId.GetNumericId());
                }
                break;
            case StreamingEvents.PullingAgentStopped stopped when Mine(stopped):
                lock (_lock)
                {
                    _queues.Remove(stopped.QueueId.GetNumericId());
                }
                break;
        }
    }

    void IObserver<DiagnosticListener>.OnCompleted()
    {
    }

    void IObserver<DiagnosticListener>.OnError(Exception error)
    {
    }

    void IObserver<KeyValuePair<string, object?>>.OnCompleted()
    {
    }

    void IObserver<KeyValuePair<string, object?>>.OnError(Exception error)
    {
    }

    private static bool IsAgentEvent(string name) =>
        name is nameof(StreamingEvents.PullingAgentStarted) or nameof(StreamingEvents.PullingAgentStopped);

    private bool Mine(StreamingEvents.StreamingEvent e) => e.StreamProvider == _provider && _silo.Equals(e.SiloAddress);
}
