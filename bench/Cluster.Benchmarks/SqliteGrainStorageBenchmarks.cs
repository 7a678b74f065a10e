using BenchmarkDotNet.Attributes;
using Cluster.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace Cluster.Benchmarks;

/// <summary>
/// Grain-state writes through the SQLite grain storage on a real file (WAL, synchronous=NORMAL): N grains write
/// concurrently, each 20 times in a row (as a grain does once per applied event); the combining writer puts whatever
/// is queued into one transaction.
/// </summary>
[MemoryDiagnoser]
public class SqliteGrainStorageBenchmarks
{
    private const int WritesPerGrain = 20;

    private string _dir = "";
    private SqliteDatabase _db = null!;
    private SqliteGrainStorage _storage = null!;
    private GrainState<BenchState>[] _states = [];
    private GrainId[] _ids = [];

    [Params(1, 64, 512)]
    public int Writers { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _dir = Path.Combine(Path.GetTempPath(), "grain-storage-bench-" + Guid.NewGuid().ToString("N"));
        _db = new SqliteDatabase(Path.Combine(_dir, "cluster.db"));
        var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        _storage = new SqliteGrainStorage("bench", _db,
            new SystemTextJsonGrainStorageSerializer(Options.Create(new SystemTextJsonGrainStorageSerializerOptions())),
            services.GetRequiredService<IActivatorProvider>(), TimeProvider.System, NullLogger<SqliteGrainStorage>.Instance);
        _ids = Enumerable.Range(0, Writers).Select(i => GrainId.Create("account", $"platform/acct{i}")).ToArray();
        _states = new GrainState<BenchState>[Writers];
        for (var i = 0; i < Writers; i++)
        {
            _states[i] = new GrainState<BenchState>();
            await _storage.ReadStateAsync("state", _ids[i], _states[i]);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _db.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>One operation = one round: each of the <see cref="Writers"/> grains commits one state write (divide by Writers per write).</summary>
    [Benchmark(OperationsPerInvoke = WritesPerGrain)]
    public Task ConcurrentWrites() => Task.WhenAll(Enumerable.Range(0, Writers).Select(WriteRun));

    private async Task WriteRun(int i)
    {
        var state = _states[i];
        for (var n = 0; n < WritesPerGrain; n++)
        {
            state.State!.LastSeq++;
            state.State.Risk = state.State.Risk * 0.9 + 0.1;
            await _storage.WriteStateAsync("state", _ids[i], state);
        }
    }

    public sealed class BenchState
    {
        public int Version { get; set; } = 1;

        public long LastSeq { get; set; }

        public double Risk { get; set; }

        public string Sanction { get; set; } = "none";
    }
}
