using Cluster.Grains;
using Microsoft.Extensions.DependencyInjection;

namespace Cluster.Ingest.Posts;

/// <summary>
/// Decides whether ingest takes more work before any of it is read. Every admitted request (or NDJSON chunk) reserves
/// the posts it is expected to carry until their group commit finishes, and admission refuses when the reserved posts
/// would take longer than <see cref="IngestOptions.MaxQueueDelay"/> to drain at the rate the silo has been draining
/// them. A request that does not fit waits, unread, up to that same delay for room (first come, first served), so
/// the silo never idles while clients back off; then it is refused. A refused request costs only its headers: its
/// body is never parsed or screened, so under overload the CPU goes to work that will be accepted. (Before, every refused NDJSON body was parsed and screened first, and at 96
/// connections goodput fell from 17k to 10k posts/s; with a count bound alone, 32 connections × 1,000-line batches
/// queued 4.2 s of work and never saw a 429.)
/// </summary>
public sealed class IngestAdmission
{
    /// <summary>How often the drain rate is sampled; shorter windows follow load changes faster but are noisier.</summary>
    private static readonly TimeSpan RateWindow = TimeSpan.FromMilliseconds(250);

    /// <summary>Weight of the newest busy window in the drain-rate average.</summary>
    private const double RateSmoothing = 0.3;

    /// <summary>Requests waiting for room at most; past this, one more is refused at once. Each holds only a connection.</summary>
    public const int MaxWaiting = 1024;

    private readonly IngestOptions _options;
    private readonly TimeProvider _time;
    private readonly IngestMetrics _metrics;
    private readonly Lock _lock = new();
    private long _reserved;
    private double _rate;
    private long _windowStart;
    private long _windowDrained;
    private TimeSpan _windowIdle;
    private long? _idleSince;
    private readonly LinkedList<Waiter> _waiting = new();

    public IngestAdmission(IngestOptions options, [FromKeyedServices(ClusterClock.Key)] TimeProvider time, IngestMetrics metrics)
    {
        _options = options;
        _time = time;
        _metrics = metrics;
        _windowStart = time.GetTimestamp();
        _idleSince = _windowStart;
        metrics.Meter.CreateObservableGauge("ingest-reserved-posts", () => Reserved, description: "Posts admitted and not yet committed.");
    }

    /// <summary>Posts admitted and not yet committed.</summary>
    public long Reserved
    {
        get
        {
            lock (_lock)
            {
                return _reserved;
            }
        }
    }

    /// <summary>Posts per second drained while there was work waiting; 0 until first measured.</summary>
    public double DrainRate
    {
        get
        {
            lock (_lock)
            {
                return _rate;
            }
        }
    }

    /// <summary>
    /// Reserves room for about <paramref name="posts"/> posts now, or returns null when the silo already holds as much
    /// work as it drains within the delay bound (or others are waiting before this one). Work is always admitted when
    /// nothing is reserved, so a request larger than the budget still makes progress on an idle silo.
    /// </summary>
    public Reservation? TryAdmit(int posts)
    {
        posts = Math.Max(1, posts);
        lock (_lock)
        {
            Sample();
            if (_waiting.Count > 0 || !Fits(posts))
            {
                _metrics.Throttled.Add(1);
                return null;
            }
            return Reserve(posts);
        }
    }

    /// <summary>
    /// Like <see cref="TryAdmit"/>, but a request that does not fit waits for room, after those already waiting, for at
    /// most Ingest:MaxQueueDelay; null (answer 429) when it is still not admitted by then.
    /// </summary>
    public ValueTask<Reservation?> AdmitAsync(int posts, CancellationToken cancellationToken)
    {
        posts = Math.Max(1, posts);
        Waiter waiter;
        lock (_lock)
        {
            Sample();
            if (_waiting.Count == 0 && Fits(posts))
            {
                return ValueTask.FromResult<Reservation?>(Reserve(posts));
            }
            if (_waiting.Count >= MaxWaiting)
            {
                _metrics.Throttled.Add(1);
                return ValueTask.FromResult<Reservation?>(null);
            }
            waiter = new Waiter(posts);
            waiter.Node = _waiting.AddLast(waiter);
        }
        return new ValueTask<Reservation?>(WaitAsync(waiter, cancellationToken));
    }

    private async Task<Reservation?> WaitAsync(Waiter waiter, CancellationToken cancellationToken)
    {
        try
        {
            return await waiter.Done.Task.WaitAsync(_options.MaxQueueDelay, _time, cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            lock (_lock)
            {
                if (waiter.Node is { List: not null } node)
                {
                    _waiting.Remove(node);
                    Grant(); // a large waiter leaving may let smaller ones behind it in
                    if (ex is OperationCanceledException)
                    {
                        throw;
                    }
                    _metrics.Throttled.Add(1);
                    return null;
                }
            }
            // Granted just as the wait ended: keep the room if still wanted, give it back if the caller is gone.
            var granted = await waiter.Done.Task;
            if (ex is OperationCanceledException)
            {
                granted?.Dispose();
                throw;
            }
            return granted;
        }
    }

    private bool Fits(int posts) => _reserved == 0 || _reserved + posts <= Budget();

    private Reservation Reserve(int posts)
    {
        if (_reserved == 0 && _idleSince is { } since)
        {
            _windowIdle += _time.GetElapsedTime(since);
            _idleSince = null;
        }
        _reserved += posts;
        return new Reservation(this, posts);
    }

    /// <summary>Admits waiters, oldest first, while they fit. Called under the lock whenever room may have freed.</summary>
    private void Grant()
    {
        while (_waiting.First is { } first && Fits(first.Value.Posts))
        {
            _waiting.RemoveFirst();
            first.Value.Done.TrySetResult(Reserve(first.Value.Posts)); // continuations run asynchronously, outside the lock
        }
    }

    /// <summary>Seconds a refused client should wait: how long the reserved work takes to drain, at least one.</summary>
    public int RetryAfterSeconds()
    {
        lock (_lock)
        {
            var seconds = _rate > 0 ? _reserved / _rate : _options.MaxQueueDelay.TotalSeconds;
            return (int)Math.Clamp(Math.Ceiling(seconds), 1, 60);
        }
    }

    /// <summary>
    /// Posts that fit: what drains within the delay bound at the measured rate, never less than one stream chunk
    /// (so a cold silo is not starved before it has measured anything), never more than Ingest:MaxPendingPosts.
    /// </summary>
    private double Budget() =>
        Math.Min(_options.MaxPendingPosts, Math.Max(_options.StreamChunk, _rate * _options.MaxQueueDelay.TotalSeconds));

    private void Resize(int from, int to)
    {
        lock (_lock)
        {
            _reserved += to - from;
            Grant();
        }
    }

    private void Release(int posts, bool drained)
    {
        lock (_lock)
        {
            Sample();
            _reserved -= posts;
            if (drained)
            {
                _windowDrained += posts;
            }
            if (_reserved == 0)
            {
                _idleSince = _time.GetTimestamp();
            }
            Grant();
        }
    }

    /// <summary>
    /// Closes the rate window once it is old enough. Only windows that had work waiting (nearly) throughout measure
    /// capacity; a window with idle spells measures the offered load, which may only raise the estimate.
    /// </summary>
    private void Sample()
    {
        var now = _time.GetTimestamp();
        var elapsed = _time.GetElapsedTime(_windowStart, now);
        if (elapsed < RateWindow)
        {
            return;
        }
        if (_idleSince is { } since)
        {
            _windowIdle += _time.GetElapsedTime(since, now);
            _idleSince = now;
        }
        var observed = _windowDrained / elapsed.TotalSeconds;
        if (_windowIdle < elapsed * 0.1)
        {
            _rate = _rate == 0 ? observed : (RateSmoothing * observed) + ((1 - RateSmoothing) * _rate);
        }
        else if (observed > _rate)
        {
            _rate = observed;
        }
        _windowStart = now;
        _windowDrained = 0;
        _windowIdle = TimeSpan.Zero;
    }

    private sealed class Waiter(int posts)
    {
        public int Posts { get; } = posts;

        public TaskCompletionSource<Reservation?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public LinkedListNode<Waiter>? Node { get; set; }
    }

    /// <summary>Room held for one request or chunk; dispose it when its commit has finished (or failed).</summary>
    public sealed class Reservation : IDisposable
    {
        private readonly IngestAdmission _owner;
        private int _posts;
        private bool _committed;
        private bool _released;

        internal Reservation(IngestAdmission owner, int posts)
        {
            _owner = owner;
            _posts = posts;
        }

        /// <summary>Corrects the estimate once the body has been read and the posts counted.</summary>
        public void Resize(int posts)
        {
            posts = Math.Max(1, posts);
            _owner.Resize(_posts, posts);
            _posts = posts;
        }

        /// <summary>Marks the posts as drained through the group commit, which is what the rate measures.</summary>
        public void Committed() => _committed = true;

        public void Dispose()
        {
            if (!_released)
            {
                _released = true;
                _owner.Release(_posts, _committed);
            }
        }
    }
}
