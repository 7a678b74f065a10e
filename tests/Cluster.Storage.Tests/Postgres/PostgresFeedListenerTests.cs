using System.Collections.Concurrent;
using Cluster.Grains.Accounts;
using Cluster.Grains.Decisions;
using Cluster.Grains.Posts;
using Cluster.Storage.Postgres;
using Cluster.Storage.Postgres.Facts;
using Cluster.Storage.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Cluster.Storage.Tests.Postgres;

/// <summary>A silo's feed listener hears, at commit, the platforms of decisions another silo stores, and nothing of a rollback.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresFeedListenerTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    private readonly PostgresServer _server;
    private readonly string _connectionString;
    private readonly PostgresDatabase _writer;
    private readonly PostgresDatabase _reader;
    private readonly PostgresFactsStore _facts;
    private readonly BlockingCollection<string> _heard = [];
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly PostgresFeedListener _listener;

    public PostgresFeedListenerTests(PostgresServer server)
    {
        _server = server;
        _connectionString = server.CreateDatabase();
        _writer = new PostgresDatabase(_connectionString);
        _reader = new PostgresDatabase(_connectionString);
        _facts = new PostgresFactsStore(_writer, StandaloneServices.QueueWriter(_writer, queues: 8), TimeProvider.System);
        _listener = new PostgresFeedListener(_reader, _heard.Add, () => _listening.TrySetResult(), () => { }, TimeProvider.System,
            NullLogger<PostgresFeedListener>.Instance);
    }

    public void Dispose()
    {
        _listener.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
        _listener.Dispose();
        _writer.Dispose();
        _reader.Dispose();
        _heard.Dispose();
        _server.DropDatabase(_connectionString);
    }

    [Fact]
    public async Task Another_silos_committed_decisions_are_heard_by_platform_and_a_rolled_back_one_is_not()
    {
        await _listener.StartAsync(CancellationToken.None);
        await _listening.Task.WaitAsync(Limit);

        await _facts.RecordAsync([Decision("weibo", "p1"), Decision("weibo", "p2"), Decision("douyin", "p1")], [], CancellationToken.None);
        Assert.Equal(["douyin", "weibo"], new[] { Next(), Next() }.Order(StringComparer.Ordinal)); // one per platform of the commit

        // A transaction that inserts a decision and then fails notifies nobody; the next commit is the next thing heard.
        await Assert.ThrowsAsync<InvalidOperationException>(() => _writer.StateWriter.WriteAsync<int>((c, tx) =>
        {
            _facts.InsertFacts((NpgsqlConnection)c, (NpgsqlTransaction)tx, [new GrainFacts([Decision("rolled-back", "p1")], [])]);
            throw new InvalidOperationException("the request fails after its insert");
        }));
        await _facts.RecordAsync([Decision("kuaishou", "p1")], [], CancellationToken.None);
        Assert.Equal("kuaishou", Next());
        Assert.Empty(await _facts.ReadFeedAsync("rolled-back", 0, 10, CancellationToken.None));
    }

    private string Next() => _heard.TryTake(out var platform, Limit) ? platform : throw new TimeoutException($"no notification within {Limit.TotalSeconds} s");

    private static DecisionRecord Decision(string platform, string postId) =>
        new(DerivedIds.MachineDecision(platform, postId, 1), platform, postId, 1, "u1", DecisionActions.Allow, DecisionActions.Machine, null,
            DateTimeOffset.UtcNow, null, [], 0, AccountStatus.None, null);
}
