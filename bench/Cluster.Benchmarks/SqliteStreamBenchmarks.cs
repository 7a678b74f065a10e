using BenchmarkDotNet.Attributes;
using Cluster.Storage.Sqlite;
using Cluster.Storage.Streams;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Streams;

namespace Cluster.Benchmarks;

/// <summary>
/// The SQLite stream provider below Orleans' pulling agent, on a real file: append events of many streams in
/// group-commit batches (as ingest does), then every queue's receiver reads them in order and acknowledges them
/// (rows deleted, retention 0). Measures the provider's own cost per event; agent and grain turns come on top.
/// </summary>
[MemoryDiagnoser]
public class SqliteStreamBenchmarks
{
    private const int Events = 10_000;
    private const int Streams = 1_000;

    private string _dir = "";
    private SqliteDatabase _db = null!;
    private SqliteQueueWriter _writer = null!;
    private SqliteQueueAdapterReceiver[] _receivers = [];
    private List<(StreamId, object[])>[] _batches = [];

    [Params(100, 1_000)]
    public int BatchSize { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _dir = Path.Combine(Path.GetTempPath(), "stream-bench-" + Guid.NewGuid().ToString("N"));
        _db = new SqliteDatabase(Path.Combine(_dir, "cluster.db"));
        var serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
        var options = new SqliteStreamOptions { DatabasePath = _db.Path };
        var mapper = new StreamQueueMapper("bench", options.QueueCount);
        _writer = new SqliteQueueWriter("bench", _db, mapper, serializer, TimeProvider.System);
        _receivers = Enumerable.Range(0, options.QueueCount)
            .Select(q => new SqliteQueueAdapterReceiver("bench", q, _db, serializer, options, TimeProvider.System, NullLogger.Instance))
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
    public void Cleanup()
    {
        _db.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

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
