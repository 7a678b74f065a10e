using BenchmarkDotNet.Attributes;
using Cluster.Storage.Postgres;
using Cluster.Storage.Streams;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Streams;

namespace Cluster.Benchmarks;

/// <summary>
/// The PostgreSQL stream provider below Orleans' pulling agent (the database in CLUSTER_BENCH_POSTGRES): append events
/// of many streams in group-commit batches, then every queue's receiver reads them in order and acknowledges them (rows
/// deleted, retention 0). The provider's own cost per event; agent and grain turns come on top.
/// </summary>
[MemoryDiagnoser]
public class PostgresStreamBenchmarks
{
    private const int Events = 10_000;
    private const int Streams = 1_000;

    private PostgresDatabase _db = null!;
    private PostgresQueueWriter _writer = null!;
    private PostgresQueueAdapterReceiver[] _receivers = [];
    private List<(StreamId, object[])>[] _batches = [];

    [Params(100, 1_000)]
    public int BatchSize { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _db = new PostgresDatabase(PostgresBench.ConnectionString);
        var serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
        var options = new PostgresStreamOptions { ConnectionString = PostgresBench.ConnectionString };
        var provider = "bench-" + Guid.NewGuid().ToString("N");
        var mapper = new StreamQueueMapper(provider, options.QueueCount);
        _writer = new PostgresQueueWriter(provider, _db, mapper, serializer, TimeProvider.System);
        _receivers = Enumerable.Range(0, options.QueueCount)
            .Select(q => new PostgresQueueAdapterReceiver(provider, q, _db, serializer, options, TimeProvider.System, NullLogger.Instance))
            .ToArray();
        foreach (var r in _receivers)
        {
            await r.Initialize(TimeSpan.FromSeconds(5));
        }
        _batches = Enumerable.Range(0, Events / BatchSize)
            .Select(b => Enumerable.Range(b * BatchSize, BatchSize)
                .Select(i => (StreamId.Create("posts", $"platform/acct{i % Streams}"), new object[] { $"post-{i}" }))
                .ToList())
            .ToArray();
    }

    [GlobalCleanup]
    public void Cleanup() => _db.Dispose();

    /// <summary>One operation = one event appended durably, read by its queue's receiver and acknowledged.</summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public async Task AppendReadAcknowledge()
    {
        await Task.WhenAll(_batches.Select(b => _writer.AppendAsync(b)));
        var read = 0;
        await Task.WhenAll(_receivers.Select(async r =>
        {
            while (true)
            {
                var batch = await r.GetQueueMessagesAsync(256, CancellationToken.None);
                if (batch.Count == 0)
                {
                    return;
                }
                Interlocked.Add(ref read, batch.Count);
                await r.MessagesDeliveredAsync(batch, CancellationToken.None);
            }
        }));
        if (read != Events)
        {
            throw new InvalidOperationException($"read {read} of {Events} events");
        }
    }
}
