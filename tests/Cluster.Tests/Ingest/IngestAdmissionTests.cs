using Cluster.Ingest;
using Cluster.Ingest.Posts;
using Microsoft.Extensions.Time.Testing;

namespace Cluster.Tests.Ingest;

public sealed class IngestAdmissionTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly IngestMetrics _metrics = new();
    private readonly IngestAdmission _admission;

    public IngestAdmissionTests() =>
        _admission = new IngestAdmission(
            new IngestOptions { StreamChunk = 10, MaxPendingPosts = 1_000_000, MaxQueueDelay = TimeSpan.FromSeconds(1) }, _time, _metrics);

    public void Dispose() => _metrics.Dispose();

    [Fact]
    public void An_idle_silo_admits_a_request_larger_than_its_budget_and_nothing_beside_it()
    {
        using var big = _admission.TryAdmit(5_000);
        Assert.NotNull(big);
        Assert.Null(_admission.TryAdmit(1));
        Assert.Equal(5_000, _admission.Reserved);
    }

    [Fact]
    public void The_budget_is_what_drains_within_the_delay_bound_at_the_measured_rate()
    {
        // 400 posts drain in 250 ms: 1,600 posts/s, so 1,600 posts fit within the 1 s bound.
        var first = _admission.TryAdmit(400)!;
        _time.Advance(TimeSpan.FromMilliseconds(250));
        first.Committed();
        first.Dispose();
        _time.Advance(TimeSpan.FromMilliseconds(250));

        using var a = _admission.TryAdmit(1_000);
        using var b = _admission.TryAdmit(600);
        Assert.NotNull(a);
        Assert.NotNull(b);
        Assert.Equal(1_600, _admission.DrainRate);
        Assert.Null(_admission.TryAdmit(1));
        Assert.Equal(1, _admission.RetryAfterSeconds());
    }

    [Fact]
    public void A_drain_that_stalls_shrinks_the_budget_and_lengthens_retry_after()
    {
        var first = _admission.TryAdmit(400)!;
        _time.Advance(TimeSpan.FromMilliseconds(250));
        first.Committed();
        first.Dispose();
        _time.Advance(TimeSpan.FromMilliseconds(250));
        using var held = _admission.TryAdmit(1_500)!;

        // A busy quarter second in which nothing drains: the estimate falls to 0.3 × 0 + 0.7 × 1,600 = 1,120 posts/s.
        _time.Advance(TimeSpan.FromMilliseconds(250));
        Assert.Null(_admission.TryAdmit(1));
        Assert.Equal(1_120, _admission.DrainRate, 6);
        Assert.Equal(2, _admission.RetryAfterSeconds()); // 1,500 / 1,120 = 1.34 s, rounded up
    }

    [Fact]
    public void A_light_load_never_lowers_the_measured_capacity()
    {
        var first = _admission.TryAdmit(400)!;
        _time.Advance(TimeSpan.FromMilliseconds(250));
        first.Committed();
        first.Dispose();

        // Quiet windows: a trickle of posts that drain at once measures the offered load, not capacity.
        for (var i = 0; i < 8; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(250));
            var trickle = _admission.TryAdmit(1)!;
            trickle.Committed();
            trickle.Dispose();
        }
        Assert.Equal(1_600, _admission.DrainRate);
    }

    [Fact]
    public void Posts_that_fail_to_commit_are_released_without_counting_as_drained()
    {
        var failed = _admission.TryAdmit(400)!;
        _time.Advance(TimeSpan.FromMilliseconds(250));
        failed.Dispose();
        failed.Dispose(); // idempotent
        _time.Advance(TimeSpan.FromMilliseconds(250));
        using var next = _admission.TryAdmit(1);
        Assert.Equal(0, _admission.DrainRate);
        Assert.Equal(1, _admission.Reserved);
    }

    [Fact]
    public void A_resized_reservation_counts_what_was_read()
    {
        using var r = _admission.TryAdmit(3)!;
        r.Resize(8);
        Assert.Equal(8, _admission.Reserved);
        Assert.Null(_admission.TryAdmit(3)); // 8 + 3 > the 10-post floor
        r.Resize(2);
        using var more = _admission.TryAdmit(8);
        Assert.NotNull(more);
    }

    [Fact]
    public async Task A_request_that_does_not_fit_waits_unread_and_is_admitted_when_room_frees()
    {
        var held = _admission.TryAdmit(8)!; // the 10-post floor: 8 held, 3 more do not fit
        var waiting = _admission.AdmitAsync(3, CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        Assert.Null(_admission.TryAdmit(1)); // nothing overtakes a waiter

        held.Dispose();
        var admitted = await waiting;
        Assert.NotNull(admitted);
        Assert.Equal(3, _admission.Reserved);
        admitted.Dispose();
    }

    [Fact]
    public async Task Waiters_are_admitted_in_arrival_order_and_refused_once_the_delay_bound_passes()
    {
        var held = _admission.TryAdmit(10)!;
        var first = _admission.AdmitAsync(6, CancellationToken.None).AsTask();
        var second = _admission.AdmitAsync(6, CancellationToken.None).AsTask();
        var third = _admission.AdmitAsync(1, CancellationToken.None).AsTask();

        held.Dispose(); // room for the first (6 of 10); the second would pass the budget, and the third waits behind it
        using var a = await first;
        Assert.NotNull(a);
        Assert.False(second.IsCompleted);
        Assert.False(third.IsCompleted);

        _time.Advance(TimeSpan.FromSeconds(1)); // Ingest:MaxQueueDelay in this test
        Assert.Null(await second);
        using var c = await third; // the second's departure lets the third in beside the first
        Assert.NotNull(c);
        Assert.Equal(7, _admission.Reserved);
    }

    [Fact]
    public async Task A_waiter_whose_client_went_away_leaves_no_reservation_behind()
    {
        var held = _admission.TryAdmit(10)!;
        using var gone = new CancellationTokenSource();
        var waiting = _admission.AdmitAsync(5, gone.Token).AsTask();
        await gone.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);

        held.Dispose();
        Assert.Equal(0, _admission.Reserved);
        Assert.NotNull(_admission.TryAdmit(1));
    }
}
