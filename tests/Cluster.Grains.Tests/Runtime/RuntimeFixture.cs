using Cluster.Grains.Runtime;
using Cluster.Grains.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Cluster.Grains.Tests.Runtime;

/// <summary>A real SQLite file in a temp directory, and grain runtimes over it.</summary>
internal sealed class RuntimeFixture : IAsyncDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "grains-tests-" + Guid.NewGuid().ToString("N"));
    private readonly List<GrainRuntime> _running = [];

    public RuntimeFixture(int partitions = 8)
    {
        Directory.CreateDirectory(_dir);
        Map = new PartitionMap(partitions);
        DbPath = Path.Combine(_dir, "cluster.db");
        Store = new SqliteStore(DbPath, Map, Time);
    }

    public string DbPath { get; }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero));

    public PartitionMap Map { get; }

    public SqliteStore Store { get; }

    public TurnProbe Probe { get; } = new();

    public RuntimeOptions Options { get; } = new() { Partitions = 8, MaxBatch = 16, IdleTimeout = TimeSpan.FromMinutes(2) };

    public GrainRuntime NewRuntime(string owner = "test")
    {
        var catalog = new GrainCatalog().Register(RecordingGrain.Type, (id, state) => new RecordingGrain(id, state, Probe));
        return new GrainRuntime(Store, catalog, Map, Options, Time, NullLogger<GrainRuntime>.Instance, owner);
    }

    public async Task<GrainRuntime> StartAsync(string owner = "test")
    {
        var runtime = NewRuntime(owner);
        await runtime.StartAsync(CancellationToken.None);
        _running.Add(runtime);
        return runtime;
    }

    public async Task StopAsync(GrainRuntime runtime)
    {
        _running.Remove(runtime);
        await runtime.StopAsync(CancellationToken.None);
    }

    /// <summary>Completes once every partition's checkpoint reached the store's current head.</summary>
    public Task AllApplied(GrainRuntime runtime)
    {
        var heads = Store.ReadPositions().ToDictionary(kv => new PartitionId(kv.Key), kv => kv.Value.Head);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var remaining = new Dictionary<PartitionId, long>(heads);
        var gate = new Lock();
        runtime.Flushed += flush =>
        {
            lock (gate)
            {
                if (remaining.TryGetValue(flush.Lease.Partition, out var head) && flush.Checkpoint >= head)
                {
                    remaining.Remove(flush.Lease.Partition);
                }
                if (remaining.Count == 0)
                {
                    done.TrySetResult();
                }
            }
        };
        // Registered first, checked second: a flush that landed before registration shows in Checkpoint.
        lock (gate)
        {
            foreach (var (p, head) in heads)
            {
                if (runtime.Checkpoint(p) >= head)
                {
                    remaining.Remove(p);
                }
            }
            if (remaining.Count == 0)
            {
                done.TrySetResult();
            }
        }
        return done.Task;
    }

    public static InboxMessage Message(string key, string payload) => new(new GrainId(RecordingGrain.Type, key), "record", payload);

    /// <summary>Runs SQL against the store's file on a connection of its own, as an operator (or a crash) would.</summary>
    public List<long> Sql(string sql)
    {
        using var c = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + DbPath);
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        using var r = cmd.ExecuteReader();
        var values = new List<long>();
        while (r.Read())
        {
            values.Add(r.GetInt64(0));
        }
        return values;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var runtime in _running)
        {
            await runtime.StopAsync(CancellationToken.None);
        }
        Store.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
