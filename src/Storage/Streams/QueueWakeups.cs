namespace Cluster.Storage.Streams;

/// <summary>
/// Which queues of one stream provider may have new rows, so a receiver can skip the read of a queue nobody appended to.
/// Orleans' pulling agent asks every queue it holds for messages every period (50 ms here): 128 queues are 2,560
/// reads a second of a cluster at rest, each a round trip to the database. While <see cref="IsListening"/> (the
/// database's append notifications are arriving), a queue is read when an append to it was notified since its last
/// read, when its last read filled the batch (more may be waiting), or when <c>fallback</c> has passed since its last
/// read (the bound on a notification lost for any other reason). While not listening every poll reads, as without this.
/// Thread-safe; a notification arriving during a read marks the queue again, so the next poll reads it.
/// </summary>
internal sealed class QueueWakeups
{
    private readonly int[] _pending;
    private readonly long[] _readBy;
    private readonly long _fallbackTicks;
    private readonly TimeProvider _time;
    private volatile bool _listening;

    public QueueWakeups(int queues, TimeSpan fallback, TimeProvider time)
    {
        _pending = new int[queues];
        _readBy = new long[queues];
        _time = time;
        _fallbackTicks = (long)(fallback.TotalSeconds * time.TimestampFrequency);
    }

    public bool IsListening => _listening;

    /// <summary>Whether the receiver of <paramref name="queue"/> should read now; clears the queue's notification.</summary>
    public bool ShouldRead(int queue)
    {
        if (!_listening || (uint)queue >= (uint)_pending.Length)
        {
            return true;
        }
        return Interlocked.Exchange(ref _pending[queue], 0) == 1 || _time.GetTimestamp() >= Volatile.Read(ref _readBy[queue]);
    }

    /// <summary>After a read of <paramref name="queue"/>: the next fallback read is due in one period; <paramref name="full"/> reads again at once.</summary>
    public void Read(int queue, bool full)
    {
        if ((uint)queue >= (uint)_pending.Length)
        {
            return;
        }
        Volatile.Write(ref _readBy[queue], _time.GetTimestamp() + _fallbackTicks);
        if (full)
        {
            Volatile.Write(ref _pending[queue], 1);
        }
    }

    /// <summary>An append to <paramref name="queue"/> committed.</summary>
    public void Wake(int queue)
    {
        if ((uint)queue < (uint)_pending.Length)
        {
            Volatile.Write(ref _pending[queue], 1);
        }
    }

    /// <summary>
    /// Notifications start (a LISTEN succeeded) or stop (its connection broke). Starting marks every queue, for the
    /// appends that committed while nobody listened.
    /// </summary>
    public void SetListening(bool listening)
    {
        if (listening)
        {
            for (var q = 0; q < _pending.Length; q++)
            {
                Volatile.Write(ref _pending[q], 1);
            }
        }
        _listening = listening;
    }
}
