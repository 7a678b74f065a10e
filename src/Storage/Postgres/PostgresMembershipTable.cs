using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime;

namespace Cluster.Storage.Postgres;

/// <summary>
/// Orleans' membership table on PostgreSQL. <c>orleans_membership_version</c> holds one row per cluster: the table
/// version Orleans counts and an etag that every mutation compares and bumps. <c>orleans_membership</c> holds one row
/// per silo incarnation (address, port, generation) with its own etag. InsertRow and UpdateRow change the version row
/// and the silo row in one transaction and only if the version etag (and, for UpdateRow, the row etag) is still the one
/// the caller read; a caller that lost the race gets false, rereads and retries, which is how Orleans' membership
/// protocol serializes status changes and death votes. UpdateIAmAlive touches only the row's IAmAlive time, without the
/// version: it is a heartbeat, not a membership change. Each call is one short transaction on a pooled connection.
/// </summary>
internal sealed class PostgresMembershipTable : IMembershipTable, IDisposable
{
    private const string RowColumns =
        "s.address, s.port, s.generation, s.silo_name, s.host_name, s.status, s.proxy_port, s.suspect_times, s.start_time, s.i_am_alive_time, s.etag";

    private readonly PostgresClusteringOptions _options;
    private readonly string _clusterId;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private PostgresDatabase? _database;

    public PostgresMembershipTable(IOptions<PostgresClusteringOptions> options, IOptions<ClusterOptions> cluster, TimeProvider? time,
        ILogger<PostgresMembershipTable> logger)
    {
        _options = options.Value;
        _clusterId = cluster.Value.ClusterId;
        _time = time ?? TimeProvider.System;
        _logger = logger;
    }

    private NpgsqlDataSource DataSource =>
        (_database ?? throw new InvalidOperationException("The membership table is used before InitializeMembershipTable.")).DataSource;

    /// <summary>Migrates the schema and creates the cluster's version row (version 0) if there is none.</summary>
    public async Task InitializeMembershipTable(bool tryInitTableVersion)
    {
        // Own database object, not the silo's shared one: membership is started before the other providers and must
        // keep working while the silo stops them.
        _database ??= await Task.Run(() => new PostgresDatabase(_options.ConnectionString));
        await using var c = await DataSource.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO orleans_membership_version (cluster_id, version, etag, updated_at) VALUES (@c, 0, 0, @now)
            ON CONFLICT (cluster_id) DO NOTHING
            """, c);
        cmd.Parameters.AddWithValue("c", _clusterId);
        cmd.Parameters.AddWithValue("now", _time.GetUtcNow());
        await cmd.ExecuteNonQueryAsync();
        PostgresLog.MembershipOpened(_logger, _clusterId, _database.Name);
    }

    public async Task DeleteMembershipTableEntries(string clusterId)
    {
        await using var c = await DataSource.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand("DELETE FROM orleans_membership_version WHERE cluster_id = @c", c); // rows cascade
        cmd.Parameters.AddWithValue("c", clusterId);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>Deletes rows of silos not Active whose last sign of life (start or IAmAlive) is before <paramref name="beforeDate"/>.</summary>
    public async Task CleanupDefunctSiloEntries(DateTimeOffset beforeDate)
    {
        await using var c = await DataSource.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand("""
            DELETE FROM orleans_membership
            WHERE cluster_id = @c AND status <> @active AND greatest(start_time, i_am_alive_time) < @before
            """, c);
        cmd.Parameters.AddWithValue("c", _clusterId);
        cmd.Parameters.AddWithValue("active", (int)SiloStatus.Active);
        cmd.Parameters.AddWithValue("before", beforeDate.ToUniversalTime());
        var rows = await cmd.ExecuteNonQueryAsync();
        PostgresLog.DefunctDeleted(_logger, _clusterId, rows, beforeDate);
    }

    public Task<MembershipTableData> ReadRow(SiloAddress key) => ReadAsync(key);

    public Task<MembershipTableData> ReadAll() => ReadAsync(null);

    public async Task<bool> InsertRow(MembershipEntry entry, TableVersion tableVersion)
    {
        await using var c = await DataSource.OpenConnectionAsync();
        await using var tx = await c.BeginTransactionAsync();
        if (!await BumpVersionAsync(c, tx, tableVersion))
        {
            PostgresLog.MembershipConflict(_logger, _clusterId, "insert", entry.SiloAddress.ToString(), tableVersion.VersionEtag);
            return false;
        }
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO orleans_membership (cluster_id, address, port, generation, silo_name, host_name, status, proxy_port, suspect_times,
                start_time, i_am_alive_time, etag)
            VALUES (@c, @address, @port, @generation, @silo_name, @host_name, @status, @proxy_port, @suspect_times, @start_time, @i_am_alive_time, 1)
            ON CONFLICT DO NOTHING
            """, c, tx);
        BindEntry(cmd, entry);
        if (await cmd.ExecuteNonQueryAsync() != 1)
        {
            return false; // the silo is in the table already; the version change rolls back with the transaction
        }
        await tx.CommitAsync();
        return true;
    }

    public async Task<bool> UpdateRow(MembershipEntry entry, string etag, TableVersion tableVersion)
    {
        if (!long.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var rowEtag))
        {
            return false;
        }
        await using var c = await DataSource.OpenConnectionAsync();
        await using var tx = await c.BeginTransactionAsync();
        if (!await BumpVersionAsync(c, tx, tableVersion))
        {
            PostgresLog.MembershipConflict(_logger, _clusterId, "update", entry.SiloAddress.ToString(), tableVersion.VersionEtag);
            return false;
        }
        await using var cmd = new NpgsqlCommand("""
            UPDATE orleans_membership SET silo_name = @silo_name, host_name = @host_name, status = @status, proxy_port = @proxy_port,
                suspect_times = @suspect_times, start_time = @start_time, i_am_alive_time = @i_am_alive_time, etag = etag + 1
            WHERE cluster_id = @c AND address = @address AND port = @port AND generation = @generation AND etag = @etag
            """, c, tx);
        BindEntry(cmd, entry);
        cmd.Parameters.AddWithValue("etag", rowEtag);
        if (await cmd.ExecuteNonQueryAsync() != 1)
        {
            PostgresLog.MembershipConflict(_logger, _clusterId, "update", entry.SiloAddress.ToString(), etag);
            return false;
        }
        await tx.CommitAsync();
        return true;
    }

    public async Task UpdateIAmAlive(MembershipEntry entry)
    {
        await using var c = await DataSource.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand("""
            UPDATE orleans_membership SET i_am_alive_time = @i_am_alive_time
            WHERE cluster_id = @c AND address = @address AND port = @port AND generation = @generation
            """, c);
        BindKey(cmd, entry.SiloAddress);
        cmd.Parameters.AddWithValue("i_am_alive_time", Utc(entry.IAmAliveTime));
        if (await cmd.ExecuteNonQueryAsync() != 1)
        {
            throw new InvalidOperationException($"Membership of cluster {_clusterId}: no row for {entry.SiloAddress} to record IAmAlive in.");
        }
    }

    public void Dispose() => _database?.Dispose();

    /// <summary>Compares the version row's etag with the caller's and, if equal, sets the caller's new version and bumps the etag.</summary>
    private async Task<bool> BumpVersionAsync(NpgsqlConnection c, NpgsqlTransaction tx, TableVersion tableVersion)
    {
        if (!long.TryParse(tableVersion.VersionEtag, NumberStyles.None, CultureInfo.InvariantCulture, out var etag))
        {
            return false;
        }
        await using var cmd = new NpgsqlCommand("""
            UPDATE orleans_membership_version SET version = @v, etag = etag + 1, updated_at = @now WHERE cluster_id = @c AND etag = @e
            """, c, tx);
        cmd.Parameters.AddWithValue("c", _clusterId);
        cmd.Parameters.AddWithValue("v", tableVersion.Version);
        cmd.Parameters.AddWithValue("e", etag);
        cmd.Parameters.AddWithValue("now", _time.GetUtcNow());
        return await cmd.ExecuteNonQueryAsync() == 1;
    }

    /// <summary>The version row and the silo rows (all, or the one of <paramref name="key"/>) from one statement, so one snapshot.</summary>
    private async Task<MembershipTableData> ReadAsync(SiloAddress? key)
    {
        await using var c = await DataSource.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand($"""
            SELECT v.version, v.etag, {RowColumns}
            FROM orleans_membership_version v
            LEFT JOIN orleans_membership s ON s.cluster_id = v.cluster_id
                {(key is null ? "" : "AND s.address = @address AND s.port = @port AND s.generation = @generation")}
            WHERE v.cluster_id = @c
            """, c);
        cmd.Parameters.AddWithValue("c", _clusterId);
        if (key is not null)
        {
            BindKey(cmd, key);
        }
        await using var r = await cmd.ExecuteReaderAsync();
        var version = new TableVersion(0, "0");
        var rows = new List<Tuple<MembershipEntry, string>>();
        while (await r.ReadAsync())
        {
            version = new TableVersion(r.GetInt32(0), r.GetInt64(1).ToString(CultureInfo.InvariantCulture));
            if (!r.IsDBNull(2))
            {
                rows.Add(Tuple.Create(ReadEntry(r, 2), r.GetInt64(12).ToString(CultureInfo.InvariantCulture)));
            }
        }
        return new MembershipTableData(rows, version);
    }

    private static MembershipEntry ReadEntry(NpgsqlDataReader r, int at)
    {
        var address = SiloAddress.New(new IPEndPoint(IPAddress.Parse(r.GetString(at)), r.GetInt32(at + 1)), r.GetInt32(at + 2));
        return new MembershipEntry
        {
            SiloAddress = address,
            SiloName = r.GetString(at + 3),
            HostName = r.GetString(at + 4),
            Status = (SiloStatus)r.GetInt32(at + 5),
            ProxyPort = r.GetInt32(at + 6),
            SuspectTimes = r.IsDBNull(at + 7) ? null : ParseSuspectTimes(r.GetString(at + 7)),
            StartTime = r.GetFieldValue<DateTime>(at + 8),
            IAmAliveTime = r.GetFieldValue<DateTime>(at + 9),
        };
    }

    private void BindKey(NpgsqlCommand cmd, SiloAddress silo)
    {
        cmd.Parameters.AddWithValue("c", _clusterId);
        cmd.Parameters.AddWithValue("address", silo.Endpoint.Address.ToString());
        cmd.Parameters.AddWithValue("port", silo.Endpoint.Port);
        cmd.Parameters.AddWithValue("generation", silo.Generation);
    }

    private void BindEntry(NpgsqlCommand cmd, MembershipEntry entry)
    {
        BindKey(cmd, entry.SiloAddress);
        cmd.Parameters.AddWithValue("silo_name", entry.SiloName ?? "");
        cmd.Parameters.AddWithValue("host_name", entry.HostName ?? "");
        cmd.Parameters.AddWithValue("status", (int)entry.Status);
        cmd.Parameters.AddWithValue("proxy_port", entry.ProxyPort);
        cmd.Parameters.AddWithValue("suspect_times", FormatSuspectTimes(entry.SuspectTimes) is { } s ? s : DBNull.Value);
        cmd.Parameters.AddWithValue("start_time", Utc(entry.StartTime));
        cmd.Parameters.AddWithValue("i_am_alive_time", Utc(entry.IAmAliveTime));
    }

    /// <summary>Orleans' times are UTC but may come unspecified; timestamptz takes only UTC.</summary>
    private static DateTime Utc(DateTime t) => t.Kind == DateTimeKind.Local ? t.ToUniversalTime() : DateTime.SpecifyKind(t, DateTimeKind.Utc);

    /// <summary>Votes as "silo|time;silo|time": the silo in Orleans' parsable form, the time as round-trip UTC.</summary>
    private static string? FormatSuspectTimes(List<Tuple<SiloAddress, DateTime>>? votes)
    {
        if (votes is null || votes.Count == 0)
        {
            return null;
        }
        var sb = new StringBuilder();
        foreach (var (silo, time) in votes)
        {
            if (sb.Length > 0)
            {
                sb.Append(';');
            }
            sb.Append(silo.ToParsableString()).Append('|').Append(Utc(time).ToString("O", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    private static List<Tuple<SiloAddress, DateTime>> ParseSuspectTimes(string text)
    {
        var votes = new List<Tuple<SiloAddress, DateTime>>();
        foreach (var vote in text.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var bar = vote.IndexOf('|', StringComparison.Ordinal);
            votes.Add(Tuple.Create(SiloAddress.FromParsableString(vote[..bar]),
                DateTime.Parse(vote[(bar + 1)..], CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind)));
        }
        return votes;
    }
}
