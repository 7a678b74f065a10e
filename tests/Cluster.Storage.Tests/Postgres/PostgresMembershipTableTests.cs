using System.Net;
using Cluster.Storage.Postgres;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Runtime;

namespace Cluster.Storage.Tests.Postgres;

/// <summary>
/// The membership table contract Orleans' protocol relies on (the cases of its MembershipTableTestsBase, written for
/// this table): a table version that every mutation compares and advances, row etags, IAmAlive without a version
/// change, defunct-row cleanup, clusters kept apart.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresMembershipTableTests : IDisposable
{
    private static int _generation;
    private readonly PostgresServer _server;
    private readonly string _connectionString;
    private readonly List<PostgresMembershipTable> _tables = [];

    public PostgresMembershipTableTests(PostgresServer server)
    {
        _server = server;
        _connectionString = server.CreateDatabase();
    }

    public void Dispose()
    {
        foreach (var t in _tables)
        {
            t.Dispose();
        }
        _server.DropDatabase(_connectionString);
    }

    [Fact]
    public async Task An_empty_table_reads_as_version_zero_with_an_etag()
    {
        var table = await OpenAsync();

        var data = await table.ReadAll();

        Assert.Empty(data.Members);
        Assert.Equal(0, data.Version.Version);
        Assert.NotNull(data.Version.VersionEtag);
    }

    [Fact]
    public async Task An_insert_needs_the_current_table_version_and_a_new_silo()
    {
        var table = await OpenAsync();
        var data = await table.ReadAll();
        var next = data.Version.Next();
        var entry = Entry();

        Assert.True(await table.InsertRow(entry, next));
        Assert.False(await table.InsertRow(entry, next)); // same entry, stale version
        Assert.False(await table.InsertRow(Entry(), next)); // new entry, stale version

        data = await table.ReadAll();
        Assert.Equal(1, data.Version.Version);
        Assert.NotEqual(next.VersionEtag, data.Version.VersionEtag);
        Assert.False(await table.InsertRow(entry, data.Version.Next())); // current version, duplicate silo
        var after = await table.ReadAll();
        Assert.Equal(data.Version, after.Version); // the failed insert left the version alone
        Assert.Single(after.Members);

        var row = await table.ReadRow(entry.SiloAddress);
        Assert.Equal(1, row.Version.Version);
        var (read, etag) = Assert.Single(row.Members);
        Assert.Equal(entry.ToFullString(), read.ToFullString());
        Assert.NotNull(etag);
        Assert.Empty((await table.ReadRow(Entry().SiloAddress)).Members);
    }

    [Fact]
    public async Task An_update_needs_the_current_table_version_and_the_row_etag_and_round_trips_every_field()
    {
        var table = await OpenAsync();
        var data = await table.ReadAll();
        for (var i = 1; i <= 5; i++)
        {
            var entry = Entry();
            var inserted = data.Version.Next();
            Assert.True(await table.InsertRow(entry, inserted));
            data = await table.ReadAll();
            var etagBefore = data.TryGet(entry.SiloAddress)!.Item2;

            entry.Status = SiloStatus.Active;
            entry.SuspectTimes = [Tuple.Create(Entry().SiloAddress, Seconds().AddSeconds(1)), Tuple.Create(Entry().SiloAddress, Seconds().AddSeconds(2))];
            Assert.False(await table.UpdateRow(entry, etagBefore, inserted)); // stale table version
            var current = data.Version.Next();
            Assert.True(await table.UpdateRow(entry, etagBefore, current));
            Assert.False(await table.UpdateRow(entry, etagBefore, current.Next())); // stale row etag

            data = await table.ReadAll();
            var (read, etagAfter) = data.TryGet(entry.SiloAddress)!;
            Assert.NotEqual(etagBefore, etagAfter);
            Assert.Equal(entry.ToFullString(), read.ToFullString());
            Assert.Equal(current.Version, data.Version.Version);
            Assert.False(await table.UpdateRow(entry, etagAfter, current)); // right etag, stale version
            Assert.Equal(i, (await table.ReadAll()).Members.Count);
        }
    }

    [Fact]
    public async Task Of_concurrent_inserts_of_one_silo_one_wins_and_concurrent_updates_all_land_by_retrying()
    {
        var table = await OpenAsync();
        var data = await table.ReadAll();
        var entry = Entry();
        var version = data.Version.Next();

        var inserts = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => table.InsertRow(entry, version))));
        Assert.Single(inserts, ok => ok);

        await Cluster.Storage.Tests.Support.TestCluster.Within(Task.WhenAll(Enumerable.Range(0, 19).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                var now = await table.ReadAll();
                var (row, etag) = now.TryGet(entry.SiloAddress)!;
                if (await table.UpdateRow(row, etag, now.Version.Next()))
                {
                    return;
                }
            }
        }))), TimeSpan.FromSeconds(60), () => "19 updates retrying on conflicts");

        data = await table.ReadAll();
        Assert.Equal(20, data.Version.Version);
        Assert.Single(data.Members);
    }

    [Fact]
    public async Task IAmAlive_moves_only_the_alive_time()
    {
        var table = await OpenAsync();
        var entry = Entry();
        Assert.True(await table.InsertRow(entry, (await table.ReadAll()).Version.Next()));
        var before = await table.ReadAll();
        var alive = Seconds().AddSeconds(5);

        await table.UpdateIAmAlive(new MembershipEntry { SiloAddress = entry.SiloAddress, IAmAliveTime = alive });

        var after = await table.ReadAll();
        Assert.Equal(before.Version, after.Version);
        var (read, etag) = after.TryGet(entry.SiloAddress)!;
        Assert.Equal(before.TryGet(entry.SiloAddress)!.Item2, etag);
        Assert.Equal(alive, read.IAmAliveTime);
        Assert.Equal(entry.StartTime, read.StartTime);
        Assert.Equal(entry.Status, read.Status);
        await Assert.ThrowsAsync<InvalidOperationException>(() => table.UpdateIAmAlive(new MembershipEntry { SiloAddress = Entry().SiloAddress, IAmAliveTime = alive }));
    }

    [Fact]
    public async Task Cleanup_deletes_old_rows_of_silos_that_are_not_active()
    {
        var table = await OpenAsync();
        var old = Seconds().AddDays(-10);
        var fresh = Entry();
        Assert.True(await table.InsertRow(fresh, (await table.ReadAll()).Version.Next()));
        SiloAddress? oldActive = null;
        foreach (var status in Enum.GetValues<SiloStatus>())
        {
            var entry = Entry();
            entry.Status = status;
            entry.StartTime = old;
            entry.IAmAliveTime = old;
            Assert.True(await table.InsertRow(entry, (await table.ReadAll()).Version.Next()));
            if (status == SiloStatus.Active)
            {
                oldActive = entry.SiloAddress;
            }
        }
        // A dead silo whose IAmAlive is recent stays too: only the latest sign of life counts.
        var recentlyAlive = Entry();
        recentlyAlive.Status = SiloStatus.Dead;
        recentlyAlive.StartTime = old;
        Assert.True(await table.InsertRow(recentlyAlive, (await table.ReadAll()).Version.Next()));

        await table.CleanupDefunctSiloEntries(old.AddDays(3));

        var left = (await table.ReadAll()).Members.Select(m => m.Item1.SiloAddress).ToHashSet();
        Assert.Equal(new HashSet<SiloAddress> { fresh.SiloAddress, oldActive!, recentlyAlive.SiloAddress }, left);
    }

    [Fact]
    public async Task Clusters_are_kept_apart_and_deleting_one_leaves_the_other()
    {
        var a = await OpenAsync("cluster-a");
        var b = await OpenAsync("cluster-b");
        Assert.True(await a.InsertRow(Entry(), (await a.ReadAll()).Version.Next()));
        Assert.True(await a.InsertRow(Entry(), (await a.ReadAll()).Version.Next()));
        Assert.True(await b.InsertRow(Entry(), (await b.ReadAll()).Version.Next()));

        Assert.Equal(2, (await a.ReadAll()).Version.Version);
        Assert.Equal(1, (await b.ReadAll()).Version.Version);

        await a.DeleteMembershipTableEntries("cluster-a");
        await a.InitializeMembershipTable(true);
        var afterA = await a.ReadAll();
        Assert.Empty(afterA.Members);
        Assert.Equal(0, afterA.Version.Version);
        Assert.Single((await b.ReadAll()).Members);
    }

    [Fact]
    public async Task Two_silos_migrating_one_database_at_once_both_start_and_a_newer_schema_is_refused()
    {
        var opened = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => new PostgresDatabase(_connectionString))));
        foreach (var db in opened)
        {
            db.Dispose();
        }
        await using (var c = new NpgsqlConnection(_connectionString))
        {
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand("SELECT version FROM orleans_storage_schema WHERE component = 'orleans-providers'", c);
            Assert.Equal(PostgresSchema.Version, (int)(await cmd.ExecuteScalarAsync())!);
            cmd.CommandText = "UPDATE orleans_storage_schema SET version = version + 1";
            await cmd.ExecuteNonQueryAsync();
        }
        var ex = Assert.Throws<InvalidOperationException>(() => new PostgresDatabase(_connectionString));
        Assert.Contains("newer build", ex.Message, StringComparison.Ordinal);
    }

    private async Task<PostgresMembershipTable> OpenAsync(string clusterId = "test-cluster")
    {
        var table = new PostgresMembershipTable(
            Options.Create(new PostgresClusteringOptions { ConnectionString = _connectionString }),
            Options.Create(new ClusterOptions { ClusterId = clusterId, ServiceId = "storage-tests" }),
            TimeProvider.System,
            NullLogger<PostgresMembershipTable>.Instance);
        _tables.Add(table);
        await table.InitializeMembershipTable(true);
        return table;
    }

    private static MembershipEntry Entry()
    {
        var silo = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 12345), Interlocked.Increment(ref _generation));
        return new MembershipEntry
        {
            SiloAddress = silo,
            HostName = "host-1",
            SiloName = "silo-1",
            Status = SiloStatus.Joining,
            ProxyPort = 30000,
            StartTime = Seconds(),
            IAmAliveTime = Seconds(),
        };
    }

    private static DateTime Seconds()
    {
        var now = DateTime.UtcNow;
        return new DateTime(now.Year, now.Month, now.Day, now.Hour, now.Minute, now.Second, DateTimeKind.Utc);
    }
}
