using Cluster.Tests.Http;
using Microsoft.Data.Sqlite;

namespace Cluster.Tests.Storage;

/// <summary>
/// A data file of the build with the partition runtime: its account states, accepted but unapplied inbox posts and
/// stored verdicts carry over into Orleans grain storage, the posts stream and the verdict redelivery.
/// </summary>
public sealed class LegacyRuntimeTests : IAsyncDisposable
{
    /// <summary>The runtime's tables as that build created them, with one account, three inbox rows and a dead letter.</summary>
    private const string RuntimeTables = """
        CREATE TABLE inbox_seq (partition INTEGER PRIMARY KEY, last INTEGER NOT NULL);
        CREATE TABLE inbox (
            partition INTEGER NOT NULL, seq INTEGER NOT NULL,
            grain_type TEXT NOT NULL, grain_key TEXT NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL,
            enqueued_at INTEGER NOT NULL,
            PRIMARY KEY (partition, seq)) WITHOUT ROWID;
        CREATE TABLE partition_lease (partition INTEGER PRIMARY KEY, owner TEXT NOT NULL, epoch INTEGER NOT NULL, acquired_at INTEGER NOT NULL);
        CREATE TABLE checkpoint (partition INTEGER PRIMARY KEY, seq INTEGER NOT NULL);
        CREATE TABLE grain_state (
            grain_type TEXT NOT NULL, grain_key TEXT NOT NULL, partition INTEGER NOT NULL,
            last_seq INTEGER NOT NULL, state TEXT NOT NULL, updated_at INTEGER NOT NULL,
            PRIMARY KEY (grain_type, grain_key)) WITHOUT ROWID;
        CREATE TABLE dead_letters (
            partition INTEGER NOT NULL, seq INTEGER NOT NULL, grain TEXT NOT NULL, error TEXT NOT NULL, at INTEGER NOT NULL,
            PRIMARY KEY (partition, seq)) WITHOUT ROWID;

        INSERT INTO grain_state VALUES ('account', 'demo/u-1', 3, 2,
            '{"v":1,"posts":2,"violations":1,"strikes":1,"status":"warned","risk":[0.8],"categoryHits":{"fraud":1}}', 1000);
        INSERT INTO inbox_seq VALUES (3, 4);
        INSERT INTO checkpoint VALUES (3, 2);
        INSERT INTO inbox VALUES (3, 2, 'account', 'demo/u-1', 'post',
            '{"v":2,"platform":"demo","postId":"p-2","account":"u-1","kind":"post","receivedAt":"2026-01-01T00:00:00+00:00","findings":[],"version":1}', 1000);
        INSERT INTO inbox VALUES (3, 3, 'account', 'demo/u-1', 'post',
            '{"v":1,"platform":"demo","postId":"p-3","account":"u-1","kind":"post","receivedAt":"2026-01-01T00:00:00+00:00","findings":[]}', 1000);
        INSERT INTO inbox VALUES (3, 4, 'account', 'demo/u-1', 'post', '{"broken":', 1000);
        INSERT INTO dead_letters VALUES (3, 4, 'account/demo/u-1', 'turn threw', 1000);
        """;

    private readonly SiloFactory _factory = new();

    [Fact]
    public async Task Account_states_and_unapplied_inbox_posts_of_the_partition_runtime_carry_over_and_are_applied_once()
    {
        Directory.CreateDirectory(_factory.DataDir);
        var db = Path.Combine(_factory.DataDir, "cluster.db");
        using (var c = new SqliteConnection($"Data Source={db};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = RuntimeTables;
            cmd.ExecuteNonQuery();
        }

        var admin = _factory.CreateClient().As(SiloFactory.AdminToken);
        var platform = _factory.CreateClient().As(await admin.CreatePlatformAsync("demo"));

        // The stored state (2 posts, a strike) plus the one unapplied inbox post (seq 3, above the checkpoint).
        var feed = await platform.FeedAsync(1);
        Assert.Equal("p-3", Assert.Single(feed)["postId"]!.GetValue<string>());
        // The decision is written before the state (docs/architecture.md, order of writes): wait for the state too.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var account = await (await platform.GetAsync("/v1/accounts/u-1")).Json();
        while (account["posts"]!.GetValue<int>() < 3 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
            account = await (await platform.GetAsync("/v1/accounts/u-1")).Json();
        }
        Assert.True(3 == account["posts"]!.GetValue<int>(), Dump(db));
        Assert.Equal(1, account["strikes"]!.GetValue<int>());
        Assert.Equal("warned", account["status"]!.GetValue<string>());

        SqliteConnection.ClearAllPools();
        using var read = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        read.Open();
        long Count(string sql)
        {
            using var cmd = read.CreateCommand();
            cmd.CommandText = sql;
            return (long)cmd.ExecuteScalar()!;
        }
        Assert.Equal(0, Count("SELECT COUNT(*) FROM grain_state"));
        Assert.Equal(1, Count("SELECT COUNT(*) FROM inbox")); // the dead letter stays for the operator
        Assert.Equal(0, Count("SELECT COUNT(*) FROM checkpoint"));
        Assert.Equal(1, Count("SELECT COUNT(*) FROM decisions"));
    }

    private static string Dump(string db)
    {
        using var c = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT grain_type || ' ' || grain_key || ' ' || state_name || ' ' || etag || ' ' || CAST(state AS TEXT) FROM orleans_grain_state";
        using var r = cmd.ExecuteReader();
        var rows = new List<string>();
        while (r.Read())
        {
            rows.Add(r.GetString(0));
        }
        return string.Join("\n", rows);
    }

    public async ValueTask DisposeAsync() => await _factory.DisposeAsync();
}
