using BenchmarkDotNet.Attributes;
using Cluster.Storage.Postgres;
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
/// Grain-state writes through the PostgreSQL grain storage (the database in CLUSTER_BENCH_POSTGRES): N grains write
/// concurrently, each 20 times in a row; the combining writer puts whatever is queued into one transaction.
/// </summary>
[MemoryDiagnoser]
public class PostgresGrainStorageBenchmarks
{
    private const int WritesPerGrain = 20;

    private PostgresDatabase _db = null!;
    private PostgresGrainStorage _storage = null!;
    private GrainState<SqliteGrainStorageBenchmarks.BenchState>[] _states = [];
    private GrainId[] _ids = [];

    [Params(1, 64, 512)]
    public int Writers { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _db = new PostgresDatabase(PostgresBench.ConnectionString);
        var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        _storage = new PostgresGrainStorage("bench", _db,
            new SystemTextJsonGrainStorageSerializer(Options.Create(new SystemTextJsonGrainStorageSerializerOptions())),
            services.GetRequiredService<IActivatorProvider>(), TimeProvider.System, NullLogger<PostgresGrainStorage>.Instance);
        var run = Guid.NewGuid().ToString("N");
        _ids = Enumerable.Range(0, Writers).Select(i => GrainId.Create("account", $"platform/{run}/acct{i}")).ToArray();
        _states = new GrainState<SqliteGrainStorageBenchmarks.BenchState>[Writers];
        for (var i = 0; i < Writers; i++)
        {
            _states[i] = new GrainState<SqliteGrainStorageBenchmarks.BenchState>();
            await _storage.ReadStateAsync("state", _ids[i], _states[i]);
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _db.Dispose();

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
}
