using System.Collections.Concurrent;

namespace Cluster.Storage.Tests.Support;

/// <summary>
/// What the test grain reports to its test, per run (stream keys start with the run id). Waits are armed before the
/// events are appended and complete from the grain's own reports.
/// </summary>
public sealed class TestProbe
{
    private static readonly ConcurrentDictionary<string, TestProbe> Runs = new();
    private readonly ConcurrentDictionary<string, int> _counts = new();
    private readonly ConcurrentDictionary<(string, int), int> _afterWriteFailures = new();
    private readonly TaskCompletionSource _complete = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _applied;
    private int _duplicates;

    private TestProbe(string run, int streams, int perStream)
    {
        Run = run;
        Streams = streams;
        PerStream = perStream;
    }

    public string Run { get; }

    public int Streams { get; }

    public int PerStream { get; }

    /// <summary>Events applied (state written) in this process, restarts included.</summary>
    public int AppliedCount => Volatile.Read(ref _applied);

    public int Duplicates => Volatile.Read(ref _duplicates);

    /// <summary>Applications after which <see cref="Reached"/> completes.</summary>
    public int ReachedAt { get; set; } = int.MaxValue;

    /// <summary>Fails the first delivery of an event after its state write (before the acknowledgement).</summary>
    public Func<string, int, bool> FailOnceAfterWrite { get; set; } = (_, _) => false;

    /// <summary>Fails every delivery of an event before anything is written.</summary>
    public Func<string, int, bool> FailAlwaysBeforeWrite { get; set; } = (_, _) => false;

    /// <summary>Completes when every stream has applied all its events (by the grains' own counts).</summary>
    public Task Complete => _complete.Task;

    public Task Reached => _reached.Task;

    public string Key(int stream) => $"{Run}/acct-{stream}";

    public static TestProbe Start(int streams, int perStream)
    {
        var probe = new TestProbe($"run{Guid.NewGuid():N}", streams, perStream);
        Runs[probe.Run] = probe;
        return probe;
    }

    public static TestProbe? For(string key) => Runs.TryGetValue(key[..key.IndexOf('/', StringComparison.Ordinal)], out var p) ? p : null;

    public void Duplicate() => Interlocked.Increment(ref _duplicates);

    public bool FailBeforeWrite(string key, int number) => FailAlwaysBeforeWrite(key, number);

    public bool FailAfterWrite(string key, int number) =>
        FailOnceAfterWrite(key, number) && _afterWriteFailures.TryAdd((key, number), 1);

    public void Applied(string key, int countInState)
    {
        if (Interlocked.Increment(ref _applied) >= ReachedAt)
        {
            _reached.TrySetResult();
        }
        _counts[key] = countInState;
        if (_counts.Count == Streams && _counts.Values.All(c => c >= PerStream))
        {
            _complete.TrySetResult();
        }
    }

    public string Describe() =>
        $"{_counts.Count}/{Streams} streams seen, {_counts.Values.Count(c => c >= PerStream)} complete, {AppliedCount} applications, {Duplicates} duplicates skipped";
}
