using Cluster.Storage.Streams;
using Microsoft.Extensions.Time.Testing;

namespace Cluster.Storage.Tests.Streams;

/// <summary>When a receiver reads its queue: always while not listening; while listening, when notified, after a full read, or after the fallback period.</summary>
public sealed class QueueWakeupsTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Without_notifications_every_poll_reads()
    {
        var wakeups = new QueueWakeups(4, TimeSpan.FromSeconds(2), _time);
        wakeups.Read(1, full: false);
        Assert.True(wakeups.ShouldRead(1));
        Assert.True(wakeups.ShouldRead(1));
    }

    [Fact]
    public void While_listening_a_queue_is_read_once_per_notification_and_again_after_a_full_read_or_the_fallback()
    {
        var wakeups = new QueueWakeups(4, TimeSpan.FromSeconds(2), _time);
        wakeups.SetListening(true);
        // Listening begins with every queue marked: rows may have committed before.
        Assert.True(wakeups.ShouldRead(2));
        wakeups.Read(2, full: false);
        Assert.False(wakeups.ShouldRead(2));

        wakeups.Wake(2);
        wakeups.Wake(2); // two appends before the next poll: one read
        Assert.True(wakeups.ShouldRead(2));
        wakeups.Read(2, full: false);
        Assert.False(wakeups.ShouldRead(2));

        // A read that filled the batch reads again at once; the next one that did not, does not.
        wakeups.Wake(2);
        Assert.True(wakeups.ShouldRead(2));
        wakeups.Read(2, full: true);
        Assert.True(wakeups.ShouldRead(2));
        wakeups.Read(2, full: false);
        Assert.False(wakeups.ShouldRead(2));

        // Nothing notified: read when the fallback period has passed since the last read.
        _time.Advance(TimeSpan.FromMilliseconds(1900));
        Assert.False(wakeups.ShouldRead(2));
        _time.Advance(TimeSpan.FromMilliseconds(200));
        Assert.True(wakeups.ShouldRead(2));
    }

    [Fact]
    public void A_notification_during_a_read_makes_the_next_poll_read()
    {
        var wakeups = new QueueWakeups(1, TimeSpan.FromMinutes(1), _time);
        wakeups.SetListening(true);
        Assert.True(wakeups.ShouldRead(0)); // the read begins (the mark is cleared first)
        wakeups.Wake(0);                    // an append commits while it runs
        wakeups.Read(0, full: false);       // the read ends, without that row perhaps
        Assert.True(wakeups.ShouldRead(0));
    }

    [Fact]
    public void Losing_the_connection_reads_every_poll_until_listening_again_which_marks_every_queue()
    {
        var wakeups = new QueueWakeups(2, TimeSpan.FromMinutes(1), _time);
        wakeups.SetListening(true);
        foreach (var q in new[] { 0, 1 })
        {
            Assert.True(wakeups.ShouldRead(q));
            wakeups.Read(q, full: false);
            Assert.False(wakeups.ShouldRead(q));
        }
        wakeups.SetListening(false);
        Assert.True(wakeups.ShouldRead(0));
        Assert.True(wakeups.ShouldRead(0));
        wakeups.Read(0, full: false);
        wakeups.Read(1, full: false);
        wakeups.SetListening(true);
        Assert.True(wakeups.ShouldRead(0));
        Assert.True(wakeups.ShouldRead(1));
        Assert.False(wakeups.ShouldRead(1));
    }
}
