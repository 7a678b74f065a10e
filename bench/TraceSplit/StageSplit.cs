using Microsoft.Diagnostics.Tracing.Etlx;

namespace Cluster.TraceSplit;

/// <summary>
/// Stack samples of the EventPipe sample profiler (about 100 per second per thread), each given to the pipeline stage
/// of the innermost frame that names one. The profiler samples every thread, running or not: a sample counts as CPU
/// when its thread was in managed code, or in native code called from SQLite or file and socket I/O; a thread parked in
/// the thread pool, a wait or an epoll loop is waiting. Spinning thread-pool workers are CPU and go to "runtime".
/// A thread in managed code may still be off CPU (preempted): the shares are of thread time in those states, a proxy
/// for CPU that this silo's per-thread CPU counters (/proc) and stage-by-stage runs check.
/// </summary>
internal sealed class StageSplit
{
    private const string Profiler = "Microsoft-DotNETCore-SampleProfiler";

    /// <summary>Checked innermost frame first; the first stage whose pattern a frame's full name contains wins.</summary>
    private static readonly (string Stage, string[] Patterns)[] Stages =
    [
        ("stage 1", ["Cluster.Screening."]),
        ("queue write (group commit)", ["<AppendPostsAsync>", "SqliteQueueWriter", "PostgresQueueWriter", "PreparedRows", "GroupCommitter", "StorePosts"]),
        ("queue read and acknowledgement", ["QueueAdapterReceiver", "Cluster.Storage.Streams.QueueReceiver"]),
        ("storage (state, decisions, review)", ["GrainStorage", "FactsStore", "GrainStateJson", "CombiningWriter", "Microsoft.Data.Sqlite", "SQLitePCL", "Npgsql"]),
        ("grain turn", ["Cluster.Grains."]),
        ("metrics", ["PrometheusExporter", "System.Diagnostics.Metrics"]),
        ("delivery (pulling agents, cache)", ["Orleans.Streams", "Orleans.Providers.Streams"]),
        ("Orleans messaging and scheduling", ["Orleans."]),
        ("decisions feed", ["Cluster.Silo.Decisions"]),
        ("HTTP and parsing", ["Cluster.Ingest", "Microsoft.AspNetCore", "System.Text.Json", "System.Net."]),
    ];

    /// <summary>
    /// Native code that is work, not waiting, named by one of the innermost managed frames above it (a P/Invoke stub's
    /// caller): SQLite, file and socket reads and writes.
    /// </summary>
    private static readonly string[] NativeWork =
        ["SQLitePCL.", "Interop+Sys.Send", "Interop+Sys.Receive", "Interop+Sys.PWrite", "Interop+Sys.PRead", "Interop+Sys.Write"];

    /// <summary>Innermost frames of a thread that is blocked even when the profiler saw it in managed code.</summary>
    private static readonly string[] Waits = ["WaitForSignal", "WaitOneNoCheck", "WaitNative", "FileSystemWatcher", "Monitor.Wait", "SocketAsyncEngine.EventLoop"];

    public long Samples { get; private set; }

    public long OnCpu { get; private set; }

    public Dictionary<string, long> ByStage { get; } = new(StringComparer.Ordinal);

    public static StageSplit Of(TraceLog log)
    {
        var split = new StageSplit();
        foreach (var e in log.Events)
        {
            if (e.ProviderName != Profiler || e.CallStack() is not { } stack)
            {
                continue;
            }
            split.Samples++;
            var managed = e.PayloadNames.Length > 0 && string.Equals(e.PayloadValue(0)?.ToString(), "Managed", StringComparison.Ordinal);
            var inner = Frames(stack).Take(3).ToList();
            if (inner.Any(f => Waits.Any(w => f.Contains(w, StringComparison.Ordinal)))
                || (!managed && !inner.Any(f => NativeWork.Any(w => f.Contains(w, StringComparison.Ordinal)))))
            {
                continue;
            }
            split.OnCpu++;
            var stage = "runtime (GC, thread pool, timers)";
            foreach (var frame in Frames(stack))
            {
                if (Array.Find(Stages, s => s.Patterns.Any(p => frame.Contains(p, StringComparison.Ordinal))) is { Stage: { } found })
                {
                    stage = found;
                    break;
                }
            }
            split.ByStage[stage] = split.ByStage.GetValueOrDefault(stage) + 1;

        }
        return split;
    }

    private static IEnumerable<string> Frames(TraceCallStack? stack)
    {
        for (var s = stack; s is not null; s = s.Caller)
        {
            if (s.CodeAddress.FullMethodName is { Length: > 0 } name)
            {
                yield return name;
            }
        }
    }
}
