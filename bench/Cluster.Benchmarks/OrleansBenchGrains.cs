using Orleans.Streams;
using Orleans.Streams.Core;

namespace Cluster.Benchmarks;

/// <summary>Stream namespaces of the benchmark consumers (the product's "posts" namespace is left alone).</summary>
public static class BenchStreams
{
    /// <summary>Events consumed by <see cref="BenchCountingConsumerGrain"/>.</summary>
    public const string Counted = "bench-count";

    /// <summary>Events consumed by <see cref="BenchWritingConsumerGrain"/>.</summary>
    public const string Written = "bench-write";
}

/// <summary>A grain whose one method does nothing: the cost of a call is Orleans' own.</summary>
public interface IBenchPingGrain : IGrainWithIntegerKey
{
    Task Ping();
}

public sealed class BenchPingGrain : Grain, IBenchPingGrain
{
    public Task Ping() => Task.CompletedTask;
}

/// <summary>One stream event of the benchmarks; it crosses the queue table, so it has a generated serializer.</summary>
[GenerateSerializer, Immutable]
public sealed record BenchEvent([property: Id(0)] long Seq);

/// <summary>A stream consumer grain (key = stream key); <see cref="Delivered"/> is a sanity check.</summary>
public interface IBenchConsumerGrain : IGrainWithStringKey
{
    Task<long> Delivered();
}

/// <summary>Consumes <see cref="BenchStreams.Counted"/>: OnNextAsync only counts.</summary>
[ImplicitStreamSubscription(BenchStreams.Counted)]
public sealed class BenchCountingConsumerGrain(DeliveryCounter counter) : Grain, IBenchConsumerGrain, IStreamSubscriptionObserver
{
    private long _delivered;

    public async Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) =>
        await handleFactory.Create<BenchEvent>().ResumeAsync(OnNextAsync);

    public Task<long> Delivered() => Task.FromResult(_delivered);

    private Task OnNextAsync(BenchEvent e, StreamSequenceToken? token)
    {
        _delivered++;
        counter.Add();
        return Task.CompletedTask;
    }
}

/// <summary>
/// Consumes <see cref="BenchStreams.Written"/> in the shape of the product's AccountGrain: OnNextAsync changes the
/// grain's state and returns only once the state write is durable (the return is the event's acknowledgement).
/// </summary>
[ImplicitStreamSubscription(BenchStreams.Written)]
public sealed class BenchWritingConsumerGrain(
    [PersistentState("bench", OrleansBenchSilo.Storage)] IPersistentState<BenchConsumerState> state,
    DeliveryCounter counter) : Grain, IBenchConsumerGrain, IStreamSubscriptionObserver
{
    public async Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) =>
        await handleFactory.Create<BenchEvent>().ResumeAsync(OnNextAsync);

    public Task<long> Delivered() => Task.FromResult(state.State.Delivered);

    private async Task OnNextAsync(BenchEvent e, StreamSequenceToken? token)
    {
        var s = state.State;
        s.Delivered++;
        s.LastSeq = token?.SequenceNumber ?? s.LastSeq;
        s.Risk = s.Risk * 0.9 + 0.1;
        await state.WriteStateAsync();
        counter.Add();
    }
}

/// <summary>The writing consumer's state: four fields of JSON, as in <see cref="SqliteGrainStorageBenchmarks"/>.</summary>
public sealed class BenchConsumerState
{
    public int Version { get; set; } = 1;

    public long Delivered { get; set; }

    public long LastSeq { get; set; }

    public double Risk { get; set; }
}

/// <summary>
/// Counts deliveries across the silo (a singleton the consumers get injected) and completes a task when the expected
/// number has arrived, so a benchmark waits without polling.
/// </summary>
public sealed class DeliveryCounter
{
    private long _count;
    private long _target = long.MaxValue;
    private TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Starts a round of <paramref name="events"/> deliveries; fails if the last round got more than it expected.</summary>
    public Task Expect(long events)
    {
        var previous = Interlocked.Read(ref _count);
        if (_target != long.MaxValue && previous != _target)
        {
            throw new InvalidOperationException($"the last round expected {_target} deliveries and got {previous} (redelivered?)");
        }
        _done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref _count, 0);
        Volatile.Write(ref _target, events);
        return _done.Task;
    }

    public long Count => Interlocked.Read(ref _count);

    public void Add()
    {
        if (Interlocked.Increment(ref _count) == Volatile.Read(ref _target))
        {
            _done.TrySetResult();
        }
    }
}
