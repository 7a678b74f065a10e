using Cluster.Storage.Postgres;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Orleans.LeaseProviders;

namespace Cluster.Storage.Tests.Postgres;

/// <summary>
/// The lease provider's contract, as Orleans' lease-based queue balancer relies on it (the cases of Orleans'
/// GoldenPathLeaseProviderTestRunner, and the races it leaves out). Expiry is on the database clock; the tests move
/// that clock past an expiry by setting <c>expires_at</c> into the past, which is what waiting would do.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresLeaseProviderTests : IDisposable
{
    private const string Category = "QueueBalancer";
    private static readonly TimeSpan Length = TimeSpan.FromSeconds(30);
    private readonly PostgresServer _server;
    private readonly string _connectionString;
    private readonly List<PostgresDatabase> _databases = [];

    public PostgresLeaseProviderTests(PostgresServer server)
    {
        _server = server;
        _connectionString = server.CreateDatabase();
    }

    public void Dispose()
    {
        foreach (var db in _databases)
        {
            db.Dispose();
        }
        _server.DropDatabase(_connectionString);
    }

    [Fact]
    public async Task Free_keys_are_acquired_with_new_tokens_and_expire_by_the_database_clock()
    {
        // The silo's clock is an hour ahead: the stored times must not follow it.
        var ahead = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(1));
        var a = Provider("silo-a", ahead);
        var before = DatabaseNow();

        var results = await a.Acquire(Category, [new LeaseRequest("posts-0", Length), new LeaseRequest("posts-1", Length)]);

        var after = DatabaseNow();
        Assert.All(results, r => Assert.Equal(ResponseCode.OK, r.StatusCode));
        Assert.Equal(["posts-0", "posts-1"], results.Select(r => r.AcquiredLease!.ResourceKey));
        Assert.All(results, r => Assert.Equal(Length, r.AcquiredLease!.Duration));
        Assert.All(results, r => Assert.Equal(ahead.GetUtcNow().UtcDateTime, r.AcquiredLease!.StartTimeUtc));
        Assert.NotEqual(results[0].AcquiredLease!.Token, results[1].AcquiredLease!.Token);
        foreach (var r in results)
        {
            var row = Row(r.AcquiredLease!.ResourceKey);
            Assert.Equal(r.AcquiredLease.Token, row.Token);
            Assert.Equal("silo-a", row.Owner);
            Assert.Equal(1, row.Version);
            Assert.InRange(row.AcquiredAt, before, after);
            Assert.Equal(row.AcquiredAt + Length, row.ExpiresAt);
        }
    }

    [Fact]
    public async Task A_held_key_is_not_available_to_another_silo()
    {
        var a = Provider("silo-a");
        var b = Provider("silo-b");
        var held = (await a.Acquire(Category, [new LeaseRequest("posts-7", Length)]))[0];

        var taken = (await b.Acquire(Category, [new LeaseRequest("posts-7", Length), new LeaseRequest("posts-8", Length)]));

        Assert.Equal(ResponseCode.LeaseNotAvailable, taken[0].StatusCode);
        Assert.Equal("posts-7", taken[0].AcquiredLease!.ResourceKey); // the balancer logs the key of every failure
        Assert.Null(taken[0].AcquiredLease!.Token);
        Assert.Equal(ResponseCode.OK, taken[1].StatusCode);
        var row = Row("posts-7");
        Assert.Equal((held.AcquiredLease!.Token, "silo-a", 1L), (row.Token, row.Owner, row.Version));
    }

    [Fact]
    public async Task The_same_key_twice_in_one_call_is_acquired_once()
    {
        var a = Provider("silo-a");

        var results = await a.Acquire(Category, [new LeaseRequest("posts-3", Length), new LeaseRequest("posts-3", Length)]);

        Assert.Equal([ResponseCode.OK, ResponseCode.LeaseNotAvailable], results.Select(r => r.StatusCode));
        Assert.Equal(results[0].AcquiredLease!.Token, Row("posts-3").Token);
    }

    [Fact]
    public async Task An_expired_lease_is_taken_by_another_silo_and_the_old_token_no_longer_renews_or_releases()
    {
        var a = Provider("silo-a");
        var b = Provider("silo-b");
        var old = (await a.Acquire(Category, [new LeaseRequest("posts-5", Length)]))[0].AcquiredLease!;
        Expire("posts-5");

        var taken = (await b.Acquire(Category, [new LeaseRequest("posts-5", Length)]))[0];

        Assert.Equal(ResponseCode.OK, taken.StatusCode);
        Assert.NotEqual(old.Token, taken.AcquiredLease!.Token);
        var row = Row("posts-5");
        Assert.Equal((taken.AcquiredLease.Token, "silo-b", 2L), (row.Token, row.Owner, row.Version));

        var renewed = (await a.Renew(Category, [old]))[0];
        Assert.Equal(ResponseCode.InvalidToken, renewed.StatusCode);
        Assert.Equal("posts-5", renewed.AcquiredLease!.ResourceKey);
        await a.Release(Category, [old]);
        Assert.Equal((taken.AcquiredLease.Token, "silo-b", 2L), (Row("posts-5").Token, Row("posts-5").Owner, Row("posts-5").Version));
    }

    [Fact]
    public async Task An_expired_lease_nobody_took_is_renewed_with_its_token()
    {
        var a = Provider("silo-a");
        var lease = (await a.Acquire(Category, [new LeaseRequest("posts-9", Length)]))[0].AcquiredLease!;
        Expire("posts-9");

        var renewed = (await a.Renew(Category, [lease]))[0];

        Assert.Equal(ResponseCode.OK, renewed.StatusCode);
        Assert.Equal(lease.Token, renewed.AcquiredLease!.Token);
        Assert.True(Row("posts-9").ExpiresAt > DatabaseNow());
    }

    [Fact]
    public async Task Renew_extends_a_lease_only_with_its_current_token()
    {
        var a = Provider("silo-a");
        var lease = (await a.Acquire(Category, [new LeaseRequest("posts-2", Length)]))[0].AcquiredLease!;
        var acquired = Row("posts-2");
        var wrong = new AcquiredLease(lease.ResourceKey, lease.Duration, Guid.NewGuid().ToString("N"), lease.StartTimeUtc);

        var refused = (await a.Renew(Category, [wrong]))[0];

        Assert.Equal(ResponseCode.InvalidToken, refused.StatusCode);
        Assert.Equal("posts-2", refused.AcquiredLease!.ResourceKey);
        Assert.Equal(acquired, Row("posts-2"));

        var before = DatabaseNow();
        var renewed = (await a.Renew(Category, [lease]))[0];
        var after = DatabaseNow();

        Assert.Equal(ResponseCode.OK, renewed.StatusCode);
        Assert.Equal((lease.ResourceKey, lease.Duration, lease.Token), (renewed.AcquiredLease!.ResourceKey, renewed.AcquiredLease.Duration, renewed.AcquiredLease.Token));
        var row = Row("posts-2");
        Assert.Equal(2, row.Version);
        Assert.Equal(acquired.AcquiredAt, row.AcquiredAt);
        Assert.InRange(row.ExpiresAt, before + Length, after + Length);
    }

    [Fact]
    public async Task Release_frees_a_key_for_the_next_acquirer_and_only_with_its_token()
    {
        var a = Provider("silo-a");
        var b = Provider("silo-b");
        var lease = (await a.Acquire(Category, [new LeaseRequest("posts-4", Length)]))[0].AcquiredLease!;

        await a.Release(Category, [new AcquiredLease(lease.ResourceKey, lease.Duration, Guid.NewGuid().ToString("N"), lease.StartTimeUtc)]);
        Assert.Equal(ResponseCode.LeaseNotAvailable, (await b.Acquire(Category, [new LeaseRequest("posts-4", Length)]))[0].StatusCode);

        await a.Release(Category, [lease]);
        var released = Row("posts-4");
        Assert.Equal((null, null, 2L), (released.Token, released.Owner, released.Version));

        var next = (await b.Acquire(Category, [new LeaseRequest("posts-4", Length)]))[0];
        Assert.Equal(ResponseCode.OK, next.StatusCode);
        Assert.Equal("silo-b", Row("posts-4").Owner);
        Assert.Equal(ResponseCode.InvalidToken, (await a.Renew(Category, [lease]))[0].StatusCode);
    }

    [Fact]
    public async Task Categories_keep_the_same_key_apart()
    {
        var a = Provider("silo-a");
        var b = Provider("silo-b");

        var first = (await a.Acquire("one", [new LeaseRequest("posts-0", Length)]))[0];
        var second = (await b.Acquire("two", [new LeaseRequest("posts-0", Length)]))[0];

        Assert.Equal((ResponseCode.OK, ResponseCode.OK), (first.StatusCode, second.StatusCode));
        Assert.Equal(ResponseCode.InvalidToken, (await b.Renew("one", [second.AcquiredLease!]))[0].StatusCode);
    }

    [Fact]
    public async Task Of_concurrent_acquirers_of_one_key_exactly_one_wins()
    {
        // Each provider has its own pool, so the eight calls of a round run at once on eight server backends.
        var silos = Enumerable.Range(0, 8).Select(i => Provider($"silo-{i}")).ToArray();
        for (var round = 0; round < 25; round++)
        {
            var key = $"posts-{round}";
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var calls = silos.Select(async s =>
            {
                await gate.Task;
                return (await s.Acquire(Category, [new LeaseRequest(key, Length)]))[0];
            }).ToArray();
            gate.SetResult();
            var results = await Task.WhenAll(calls);

            var winner = Assert.Single(results, r => r.StatusCode == ResponseCode.OK);
            Assert.All(results.Where(r => r != winner), r => Assert.Equal(ResponseCode.LeaseNotAvailable, r.StatusCode));
            Assert.Equal(winner.AcquiredLease!.Token, Row(key).Token);
        }
    }

    [Fact]
    public async Task Concurrent_acquirers_and_renewers_of_overlapping_keys_neither_deadlock_nor_share_a_key()
    {
        var keys = Enumerable.Range(0, 128).Select(q => $"posts-{q}").ToArray();
        var silos = Enumerable.Range(0, 4).Select(i => Provider($"silo-{i}")).ToArray();
        var random = new Random(17);
        for (var round = 0; round < 10; round++)
        {
            // Every silo asks for all 128 keys at once, each in its own order: every key goes to exactly one.
            Execute("UPDATE orleans_lease SET expires_at = now() - interval '1 ms'");
            var orders = silos.Select(_ => keys.OrderBy(_ => random.Next()).ToArray()).ToArray();
            var acquired = await Task.WhenAll(silos.Select((s, i) => s.Acquire(Category, [.. orders[i].Select(k => new LeaseRequest(k, Length))])));

            Assert.DoesNotContain(acquired.SelectMany(r => r), r => r.StatusCode == ResponseCode.TransientFailure);
            var won = acquired.SelectMany(r => r.Where(x => x.StatusCode == ResponseCode.OK).Select(x => x.AcquiredLease!)).ToList();
            Assert.Equal(keys.Order(StringComparer.Ordinal), won.Select(l => l.ResourceKey).Order(StringComparer.Ordinal));

            // Holders renew while the others try again to take everything, each in its own order: all renewals hold,
            // all takes fail, and no statement is aborted as a deadlock (that would be a TransientFailure).
            var renewals = silos.Select((s, i) => s.Renew(Category, [.. acquired[i].Where(x => x.StatusCode == ResponseCode.OK).Select(x => x.AcquiredLease!)]))
                .ToArray();
            var takes = silos.Select((s, i) => s.Acquire(Category, [.. orders[(i + 1) % silos.Length].Select(k => new LeaseRequest(k, Length))])).ToArray();
            var renewed = await Task.WhenAll(renewals);
            var taken = await Task.WhenAll(takes);

            Assert.All(renewed.SelectMany(r => r), r => Assert.Equal(ResponseCode.OK, r.StatusCode));
            Assert.All(taken.SelectMany(r => r), r => Assert.Equal(ResponseCode.LeaseNotAvailable, r.StatusCode));
        }
    }

    [Fact]
    public async Task An_unreachable_database_gives_transient_failures_that_name_each_key()
    {
        var closed = new NpgsqlConnectionStringBuilder(_connectionString) { Port = FreePort(), Timeout = 2 }.ConnectionString;
        using var dataSource = NpgsqlDataSource.Create(closed);
        var a = new PostgresLeaseProvider(dataSource, "silo-a", TimeProvider.System, NullLogger<PostgresLeaseProvider>.Instance);
        var lease = new AcquiredLease("posts-1", Length, "token", DateTime.UtcNow);

        var acquired = await a.Acquire(Category, [new LeaseRequest("posts-0", Length), new LeaseRequest("posts-1", Length)]);
        var renewed = await a.Renew(Category, [lease]);
        await a.Release(Category, [lease]); // logged, not thrown: the lease runs out by itself

        Assert.Equal([("posts-0", ResponseCode.TransientFailure), ("posts-1", ResponseCode.TransientFailure)],
            acquired.Select(r => (r.AcquiredLease!.ResourceKey, r.StatusCode)));
        Assert.All(acquired, r => Assert.NotNull(r.FailureException));
        Assert.Equal(("posts-1", ResponseCode.TransientFailure), (renewed[0].AcquiredLease!.ResourceKey, renewed[0].StatusCode));
    }

    /// <summary>A provider as one silo has it, on a database object (and so a pool) of its own.</summary>
    private PostgresLeaseProvider Provider(string owner, TimeProvider? time = null)
    {
        var db = new PostgresDatabase(_connectionString);
        _databases.Add(db);
        return new PostgresLeaseProvider(db.DataSource, owner, time ?? TimeProvider.System, NullLogger<PostgresLeaseProvider>.Instance);
    }

    /// <summary>Moves the database clock past the key's expiry, as far as the lease is concerned.</summary>
    private void Expire(string key) => Execute($"UPDATE orleans_lease SET expires_at = now() - interval '1 ms' WHERE resource_key = '{key}'");

    private DateTime DatabaseNow()
    {
        using var c = new NpgsqlConnection(_connectionString);
        c.Open();
        using var cmd = new NpgsqlCommand("SELECT now()", c);
        return (DateTime)cmd.ExecuteScalar()!;
    }

    private LeaseRow Row(string key)
    {
        using var c = new NpgsqlConnection(_connectionString);
        c.Open();
        using var cmd = new NpgsqlCommand(
            "SELECT token, owner, acquired_at, expires_at, version FROM orleans_lease WHERE category = @c AND resource_key = @k", c);
        cmd.Parameters.AddWithValue("c", Category);
        cmd.Parameters.AddWithValue("k", key);
        using var r = cmd.ExecuteReader();
        Assert.True(r.Read(), $"no lease row for {key}");
        return new LeaseRow(r.IsDBNull(0) ? null : r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetDateTime(2), r.GetDateTime(3),
            r.GetInt64(4));
    }

    private void Execute(string sql)
    {
        using var c = new NpgsqlConnection(_connectionString);
        c.Open();
        using var cmd = new NpgsqlCommand(sql, c);
        cmd.ExecuteNonQuery();
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed record LeaseRow(string? Token, string? Owner, DateTime AcquiredAt, DateTime ExpiresAt, long Version);
}
