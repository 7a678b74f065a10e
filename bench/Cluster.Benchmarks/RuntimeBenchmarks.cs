using BenchmarkDotNet.Attributes;
using Cluster.Grains.Runtime;
using Cluster.Grains.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cluster.Benchmarks;

/// <summary>
/// Grain runtime message throughput on the embedded store: append a batch of inbox messages for many grains and
/// wait until every partition applied and flushed them (SQLite in WAL mode on a real file, 128 partitions).
/// </summary>
[MemoryDiagnoser]
public class RuntimeBenchmarks
{
    private const int Messages = 20_000;

    private string _dir = "";
    private SqliteStore _store = null!;
    private GrainRuntime _runtime = null!;
    private PartitionMap _map = null!;
    private List<InboxMessage> _batch = [];

    [Params(1_000, 10_000)]
    public int Grains { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _dir = Path.Combine(Path.GetTempPath(), "runtime-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
        _map = new PartitionMap(128);
        _store = new SqliteStore(Path.Combine(_dir, "cluster.db"), _map, TimeProvider.System);
        var catalog = new GrainCatalog().Register(CounterGrain.Type, (id, state) => new CounterGrain(id, state));
        _runtime = new GrainRuntime(_store, catalog, _map, new RuntimeOptions(), TimeProvider.System, NullLogger<GrainRuntime>.Instance, "bench");
        await _runtime.StartAsync(CancellationToken.None);
        _batch = Enumerable.Range(0, Messages).Select(i => new InboxMessage(new GrainId(CounterGrain.Type, "g-" + (i % Grains)), "add", "1")).ToList();
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _runtime.StopAsync(CancellationToken.None);
        _store.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>One operation = one message appended, applied by its grain and flushed with its checkpoint.</summary>
    [Benchmark(OperationsPerInvoke = Messages)]
    public async Task AppendApplyFlush()
    {
        var done = AllApplied();
        for (var i = 0; i < _batch.Count; i += 1000)
        {
            _runtime.Notify(await _store.AppendAsync(_batch.GetRange(i, 1000), CancellationToken.None));
        }
        await done;
    }

    private Task AllApplied()
    {
        // Only partitions that receive messages: their checkpoint must reach the head they will have.
        var heads = _store.ReadPositions();
        var target = new Dictionary<int, long>();
        foreach (var m in _batch)
        {
            var p = _map.Of(m.Target).Value;
            target[p] = (target.TryGetValue(p, out var n) ? n : heads.GetValueOrDefault(p).Head) + 1;
        }
        var remaining = target.Count;
        var gate = new Lock();
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnFlushed(PartitionFlush flush)
        {
            lock (gate)
            {
                if (target.TryGetValue(flush.Lease.Partition.Value, out var head) && flush.Checkpoint >= head && target.Remove(flush.Lease.Partition.Value) && --remaining == 0)
                {
                    _runtime.Flushed -= OnFlushed;
                    tcs.TrySetResult();
                }
            }
        }
        _runtime.Flushed += OnFlushed;
        return tcs.Task;
    }

    private sealed class CounterGrain(GrainId id, string? state) : Grain(id)
    {
        public const string Type = "counter";

        private long _count = state is null ? 0 : long.Parse(state, System.Globalization.CultureInfo.InvariantCulture);

        public override ValueTask ApplyAsync(InboxEnvelope envelope, TurnContext context)
        {
            _count++;
            return ValueTask.CompletedTask;
        }

        public override string SaveState() => _count.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
