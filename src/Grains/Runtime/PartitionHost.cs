using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Cluster.Grains.Runtime;

/// <summary>
/// Owns one partition: reads its inbox in sequence order, applies each message to its grain (activating it on
/// first use), and flushes {dirty states, outputs, checkpoint} in one fenced transaction per batch. A host runs
/// one message at a time, which is what gives every grain of the partition one turn at a time without locks.
/// </summary>
internal sealed class PartitionHost
{
    private readonly IPartitionStore _store;
    private readonly GrainCatalog _catalog;
    private readonly TimeProvider _time;
    private readonly RuntimeOptions _options;
    private readonly ILogger _logger;
    private readonly Action<PartitionFlush> _flushed;
    private readonly string _owner;
    private readonly ConcurrentDictionary<GrainId, Activation> _activations = new(); // written by the host only; concurrent so metrics can read it
    private readonly HashSet<long> _poisoned = [];
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly ConcurrentQueue<InboxEnvelope> _tail = new();
    private int _tailCount;
    private volatile bool _stopping;
    private PartitionLease? _lease;

    public PartitionHost(
        PartitionId partition, string owner, IPartitionStore store, GrainCatalog catalog, TimeProvider time,
        RuntimeOptions options, ILogger logger, Action<PartitionFlush> flushed)
    {
        Partition = partition;
        _owner = owner;
        _store = store;
        _catalog = catalog;
        _time = time;
        _options = options;
        _logger = logger;
        _flushed = flushed;
    }

    public PartitionId Partition { get; }

    public long Checkpoint { get; private set; }

    public int ActivationCount => _activations.Count;

    /// <summary>Raised on the host's loop after each idle collection, with the number of activations collected.</summary>
    public event Action<PartitionId, int>? IdleCollected;

    public void Notify() => _signal.Writer.TryWrite(true);

    /// <summary>
    /// Messages just committed to this partition, handed over so the host need not read them back. Bounded: when the
    /// host lags, deliveries are dropped and the host reads the gap from the store.
    /// </summary>
    public void Deliver(IReadOnlyList<InboxEnvelope> envelopes)
    {
        if (Volatile.Read(ref _tailCount) + envelopes.Count > _options.MaxBatch * 4)
        {
            return;
        }
        foreach (var e in envelopes)
        {
            _tail.Enqueue(e);
        }
        Interlocked.Add(ref _tailCount, envelopes.Count);
    }

    /// <summary>Stops after the inbox is drained and flushed.</summary>
    public void BeginStop()
    {
        _stopping = true;
        Notify();
    }

    public async Task RunAsync(CancellationToken abort)
    {
        _lease = await _store.AcquireAsync(Partition, _owner, abort);
        Checkpoint = await _store.LoadCheckpointAsync(Partition, abort);
        RuntimeLog.HostStarted(_logger, Partition.Value, Checkpoint, _lease.Epoch);
        while (!abort.IsCancellationRequested)
        {
            var stopping = _stopping;
            bool lost;
            try
            {
                lost = !await PumpAsync(abort);
            }
            catch (OperationCanceledException) when (abort.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // A store read failed (disk, database restart). Nothing is lost: retry from the durable checkpoint.
                RuntimeLog.FlushFailed(_logger, ex, Partition.Value, Checkpoint);
                DropActivations(_activations.Values.ToList());
                await Task.Delay(_options.RetryDelay, _time, abort).ContinueWith(_ => { }, TaskScheduler.Default);
                continue;
            }
            if (lost || stopping)
            {
                return;
            }
            CollectIdle();
            await WaitForWorkAsync(abort);
        }
    }

    private async Task WaitForWorkAsync(CancellationToken abort)
    {
        try
        {
            await _signal.Reader.WaitToReadAsync(abort).AsTask().WaitAsync(_options.PollInterval, _time, abort);
            _signal.Reader.TryRead(out _);
        }
        catch (TimeoutException)
        {
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
        }
    }

    /// <summary>Applies and flushes batches until the inbox is empty. False when the lease was lost.</summary>
    private async Task<bool> PumpAsync(CancellationToken abort)
    {
        var context = new TurnContext(Partition, _time);
        while (true)
        {
            IReadOnlyList<InboxEnvelope>? batch = TakeFromTail();
            if (batch is null)
            {
                if (_store.KnownHead(Partition) is { } head && head <= Checkpoint)
                {
                    return true;
                }
                batch = await _store.ReadInboxAsync(Partition, Checkpoint, _options.MaxBatch, abort);
            }
            if (batch.Count == 0)
            {
                return true;
            }

            context.Clear();
            var touched = new HashSet<Activation>();
            var deadLetters = new List<DeadLetter>();
            Activation? failed = null;
            foreach (var envelope in batch)
            {
                var activation = await ActivateAsync(envelope.Message.Target, abort);
                activation.LastUsed = _time.GetTimestamp();
                if (envelope.Seq <= activation.Grain.LastAppliedSeq)
                {
                    continue; // replay of a message whose effects are already in the stored state
                }
                if (_poisoned.Contains(envelope.Seq))
                {
                    deadLetters.Add(new DeadLetter(Partition, envelope.Seq, envelope.Message.Target, "turn threw"));
                    continue;
                }
                context.Seq = envelope.Seq;
                try
                {
                    await activation.Grain.ApplyAsync(envelope, context);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The batch's in-memory effects can no longer be trusted; drop them and replay it without this message.
                    RuntimeLog.TurnFailed(_logger, ex, envelope.Message.Target.ToString(), Partition.Value, envelope.Seq);
                    _poisoned.Add(envelope.Seq);
                    failed = activation;
                    break;
                }
                activation.Grain.LastAppliedSeq = envelope.Seq;
                touched.Add(activation);
            }

            if (failed is not null)
            {
                touched.Add(failed); // its state may be half-changed by the turn that threw
                DropActivations(touched);
                continue;
            }

            var flush = new PartitionFlush(
                _lease!,
                batch[^1].Seq,
                touched.Select(a => new GrainRecord(a.Grain.Id, Partition, a.Grain.LastAppliedSeq, a.Grain.SaveState())).ToList(),
                context.Decisions.ToList(),
                context.ReviewItems.ToList(),
                context.Sends.ToList(),
                deadLetters);
            try
            {
                await _store.FlushAsync(flush, abort);
            }
            catch (LeaseLostException)
            {
                RuntimeLog.LeaseLost(_logger, Partition.Value, _lease!.Epoch);
                DropActivations(_activations.Values.ToList());
                return false;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Memory is ahead of the store now: forget it and rebuild from the last durable state.
                RuntimeLog.FlushFailed(_logger, ex, Partition.Value, Checkpoint);
                DropActivations(touched);
                await Task.Delay(_options.RetryDelay, _time, abort);
                continue;
            }

            Checkpoint = flush.Checkpoint;
            _poisoned.RemoveWhere(seq => seq <= Checkpoint);
            _flushed(flush);
        }
    }

    /// <summary>The delivered messages that continue exactly from the checkpoint, or null when there is a gap.</summary>
    private List<InboxEnvelope>? TakeFromTail()
    {
        while (_tail.TryPeek(out var old) && old.Seq <= Checkpoint && _tail.TryDequeue(out _))
        {
            Interlocked.Decrement(ref _tailCount);
        }
        if (!_tail.TryPeek(out var first) || first.Seq != Checkpoint + 1)
        {
            return null;
        }
        var batch = new List<InboxEnvelope>(Math.Min(_options.MaxBatch, Volatile.Read(ref _tailCount)));
        var expected = Checkpoint + 1;
        while (batch.Count < _options.MaxBatch && _tail.TryPeek(out var next) && next.Seq == expected && _tail.TryDequeue(out _))
        {
            Interlocked.Decrement(ref _tailCount);
            batch.Add(next);
            expected++;
        }
        return batch;
    }

    private async ValueTask<Activation> ActivateAsync(GrainId id, CancellationToken abort)
    {
        if (_activations.TryGetValue(id, out var activation))
        {
            return activation;
        }
        var record = await _store.LoadGrainAsync(id, abort);
        var grain = _catalog.Activate(id, record?.State);
        grain.LastAppliedSeq = record?.LastAppliedSeq ?? 0;
        activation = new Activation(grain);
        _activations[id] = activation;
        return activation;
    }

    private void DropActivations(IEnumerable<Activation> activations)
    {
        foreach (var activation in activations)
        {
            _activations.TryRemove(activation.Grain.Id, out _);
        }
    }

    /// <summary>After a flush every activation is clean, so an idle one can simply be forgotten.</summary>
    private void CollectIdle()
    {
        var idle = _activations.Values.Where(a => _time.GetElapsedTime(a.LastUsed) >= _options.IdleTimeout).ToList();
        DropActivations(idle);
        IdleCollected?.Invoke(Partition, idle.Count);
    }

    internal bool IsActive(GrainId id) => _activations.ContainsKey(id);

    private sealed class Activation(Grain grain)
    {
        public Grain Grain { get; } = grain;

        public long LastUsed { get; set; }
    }
}
