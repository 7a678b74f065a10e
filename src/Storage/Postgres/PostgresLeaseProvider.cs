using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Orleans.LeaseProviders;
using Orleans.Runtime;

namespace Cluster.Storage.Postgres;

/// <summary>
/// Orleans' <see cref="ILeaseProvider"/> on PostgreSQL, for the lease-based queue balancer of the PostgreSQL stream
/// provider: one <c>orleans_lease</c> row per (category, resource key) with the holder's token, the holding silo, the
/// expiry and a version. Each batch call is one statement, so each is atomic:
/// <list type="bullet">
/// <item>Acquire inserts the row, or takes it over only if it is released or expired (<c>ON CONFLICT DO UPDATE … WHERE</c>):
/// of concurrent acquirers of one key exactly one gets a row back, the others see the winner's row and get
/// <see cref="ResponseCode.LeaseNotAvailable"/>. Each acquisition gets a new random token.</item>
/// <item>Renew extends only rows that still carry the caller's token. Like Orleans' Azure blob and in-memory providers,
/// a lease that ran out but that nobody took is renewed: the token is still current, so no other silo read the queue
/// meanwhile. A taken or released lease answers <see cref="ResponseCode.InvalidToken"/>.</item>
/// <item>Release frees only rows that still carry the caller's token (token NULL, expiry now).</item>
/// </list>
/// Expiry is computed and compared on the database clock (<c>now()</c>, the statement's start), so a silo whose clock is
/// off can neither keep a queue too long nor take one early. <see cref="AcquiredLease.StartTimeUtc"/>, which Orleans
/// defines as caller-side, is the caller's time taken before the statement is sent: start + duration is then never
/// later than the stored expiry. Statements lock rows in key order (the insert's <c>ORDER BY</c>, the others'
/// <c>ORDER BY … FOR UPDATE</c>), so an acquirer and a renewer with overlapping keys cannot deadlock. A call is bounded
/// by the shortest lease it carries: a lease that takes longer than itself to get is worth nothing. Database errors
/// become <see cref="ResponseCode.TransientFailure"/>; a failed release is logged and left to expire.
/// </summary>
internal sealed class PostgresLeaseProvider(NpgsqlDataSource dataSource, string owner, TimeProvider time, ILogger<PostgresLeaseProvider> logger)
    : ILeaseProvider
{
    /// <summary>
    /// Connections of the provider's own pool. The balancer runs one lease call at a time; a pool of its own keeps
    /// renewals from queueing behind 128 receivers' reads, since a late renewal is what moves a queue.
    /// </summary>
    private const int PoolSize = 2;

    private const string AcquireSql = """
        INSERT INTO orleans_lease AS l (category, resource_key, token, owner, acquired_at, expires_at, version)
        SELECT @category, r.resource_key, r.token, @owner, now(), now() + r.duration, 1
        FROM unnest(@keys, @tokens, @durations) AS r(resource_key, token, duration)
        ORDER BY r.resource_key
        ON CONFLICT (category, resource_key) DO UPDATE
            SET token = excluded.token, owner = excluded.owner, acquired_at = excluded.acquired_at, expires_at = excluded.expires_at,
                version = l.version + 1
            WHERE l.token IS NULL OR l.expires_at <= now()
        RETURNING l.resource_key
        """;

    private const string RenewSql = """
        WITH r AS (SELECT * FROM unnest(@keys, @tokens, @durations) AS r(resource_key, token, duration)),
        held AS MATERIALIZED (
            SELECT l.resource_key FROM orleans_lease l JOIN r ON r.resource_key = l.resource_key AND r.token = l.token
            WHERE l.category = @category
            ORDER BY l.resource_key
            FOR UPDATE OF l)
        UPDATE orleans_lease l SET expires_at = now() + r.duration, version = l.version + 1
        FROM held JOIN r ON r.resource_key = held.resource_key
        WHERE l.category = @category AND l.resource_key = held.resource_key AND l.token = r.token
        RETURNING l.resource_key, l.token
        """;

    private const string ReleaseSql = """
        WITH r AS (SELECT * FROM unnest(@keys, @tokens) AS r(resource_key, token)),
        held AS MATERIALIZED (
            SELECT l.resource_key FROM orleans_lease l JOIN r ON r.resource_key = l.resource_key AND r.token = l.token
            WHERE l.category = @category
            ORDER BY l.resource_key
            FOR UPDATE OF l)
        UPDATE orleans_lease l SET token = NULL, owner = NULL, expires_at = now(), version = l.version + 1
        FROM held JOIN r ON r.resource_key = held.resource_key
        WHERE l.category = @category AND l.resource_key = held.resource_key AND l.token = r.token
        """;

    public async Task<AcquireLeaseResult[]> Acquire(string category, LeaseRequest[] leaseRequests)
    {
        var results = new AcquireLeaseResult[leaseRequests.Length];
        if (leaseRequests.Length == 0)
        {
            return results;
        }
        // A key asked for twice in one call is tried once (ON CONFLICT cannot touch a row twice in one statement); the
        // repeat gets LeaseNotAvailable, as a second acquirer would.
        var first = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < leaseRequests.Length; i++)
        {
            first.TryAdd(leaseRequests[i].ResourceKey, i);
        }
        var indexes = first.Values.ToArray();
        var keys = indexes.Select(i => leaseRequests[i].ResourceKey).ToArray();
        var tokens = indexes.Select(_ => Guid.NewGuid().ToString("N")).ToArray();
        var durations = indexes.Select(i => leaseRequests[i].Duration).ToArray();
        var start = time.GetUtcNow().UtcDateTime;
        HashSet<string> acquired;
        try
        {
            acquired = await ExecuteAsync(AcquireSql, category, owner, keys, tokens, durations, Shortest(durations), returnsTokens: false);
        }
        catch (Exception ex)
        {
            PostgresLog.LeaseCallFailed(logger, ex, "acquire", category, leaseRequests.Length);
            return leaseRequests.Select(r => new AcquireLeaseResult(new AcquiredLease(r.ResourceKey), ResponseCode.TransientFailure, ex)).ToArray();
        }
        for (var i = 0; i < leaseRequests.Length; i++)
        {
            results[i] = new AcquireLeaseResult(new AcquiredLease(leaseRequests[i].ResourceKey), ResponseCode.LeaseNotAvailable, null);
        }
        for (var j = 0; j < indexes.Length; j++)
        {
            if (acquired.Contains(keys[j]))
            {
                var request = leaseRequests[indexes[j]];
                results[indexes[j]] = new AcquireLeaseResult(new AcquiredLease(request.ResourceKey, request.Duration, tokens[j], start), ResponseCode.OK, null);
            }
        }
        return results;
    }

    public async Task<AcquireLeaseResult[]> Renew(string category, AcquiredLease[] aquiredLeases)
    {
        if (aquiredLeases.Length == 0)
        {
            return [];
        }
        var keys = aquiredLeases.Select(l => l.ResourceKey).ToArray();
        var tokens = aquiredLeases.Select(l => l.Token ?? "").ToArray();
        var durations = aquiredLeases.Select(l => l.Duration).ToArray();
        var start = time.GetUtcNow().UtcDateTime;
        HashSet<string> renewed;
        try
        {
            renewed = await ExecuteAsync(RenewSql, category, holder: null, keys, tokens, durations, Shortest(durations), returnsTokens: true);
        }
        catch (Exception ex)
        {
            PostgresLog.LeaseCallFailed(logger, ex, "renew", category, aquiredLeases.Length);
            return aquiredLeases.Select(l => new AcquireLeaseResult(new AcquiredLease(l.ResourceKey), ResponseCode.TransientFailure, ex)).ToArray();
        }
        return aquiredLeases.Select((l, i) => renewed.Contains(KeyToken(keys[i], tokens[i]))
            ? new AcquireLeaseResult(new AcquiredLease(l.ResourceKey, l.Duration, l.Token, start), ResponseCode.OK, null)
            : new AcquireLeaseResult(new AcquiredLease(l.ResourceKey), ResponseCode.InvalidToken, null)).ToArray();
    }

    public async Task Release(string category, AcquiredLease[] aquiredLeases)
    {
        if (aquiredLeases.Length == 0)
        {
            return;
        }
        var keys = aquiredLeases.Select(l => l.ResourceKey).ToArray();
        var tokens = aquiredLeases.Select(l => l.Token ?? "").ToArray();
        try
        {
            await ExecuteAsync(ReleaseSql, category, holder: null, keys, tokens, durations: null, Shortest(aquiredLeases.Select(l => l.Duration)),
                returnsTokens: false);
        }
        catch (Exception ex)
        {
            // Not thrown: the balancer releases while it shuts down, and an unreleased lease runs out by itself.
            PostgresLog.LeaseCallFailed(logger, ex, "release", category, aquiredLeases.Length);
        }
    }

    /// <summary>The provider of stream provider <paramref name="name"/>: its connection string with a pool of its own, the silo as owner.</summary>
    public static PostgresLeaseProvider Create(IServiceProvider services, string name)
    {
        var options = services.GetRequiredService<IOptionsMonitor<PostgresStreamOptions>>().Get(name);
        var leases = services.GetRequiredService<IOptionsMonitor<PostgresQueueLeaseOptions>>().Get(name);
        var database = services.GetRequiredService<PostgresDatabases>().Get(OwnPool(options.ConnectionString));
        var logger = services.GetRequiredService<ILogger<PostgresLeaseProvider>>();
        PostgresLog.QueueLeasesOpened(logger, name, database.Name, leases.LeaseLength, leases.LeaseRenewPeriod);
        return new PostgresLeaseProvider(database.DataSource, services.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToString(),
            services.GetService<TimeProvider>() ?? TimeProvider.System, logger);
    }

    /// <summary><paramref name="connectionString"/> with a pool of <see cref="PoolSize"/> connections.</summary>
    internal static string OwnPool(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = PoolSize };
        builder.MinPoolSize = Math.Min(builder.MinPoolSize, PoolSize);
        return builder.ConnectionString;
    }

    private static TimeSpan Shortest(IEnumerable<TimeSpan> durations)
    {
        var shortest = durations.Min();
        return shortest > TimeSpan.Zero ? shortest : TimeSpan.FromSeconds(1);
    }

    private static string KeyToken(string key, string token) => $"{key}\n{token}";

    /// <summary>Runs one lease statement; returns the keys (or key-token pairs, <paramref name="returnsTokens"/>) of the rows it changed.</summary>
    private async Task<HashSet<string>> ExecuteAsync(string sql, string category, string? holder, string[] keys, string[] tokens,
        TimeSpan[]? durations, TimeSpan bound, bool returnsTokens)
    {
        using var timeout = new CancellationTokenSource(bound);
        await using var c = await dataSource.OpenConnectionAsync(timeout.Token);
        await using var cmd = PostgresDatabase.Command(c, null, sql);
        cmd.Parameters.AddWithValue("category", category);
        if (holder is not null)
        {
            cmd.Parameters.AddWithValue("owner", holder);
        }
        cmd.Parameters.AddWithValue("keys", NpgsqlDbType.Array | NpgsqlDbType.Text, keys);
        cmd.Parameters.AddWithValue("tokens", NpgsqlDbType.Array | NpgsqlDbType.Text, tokens);
        if (durations is not null)
        {
            cmd.Parameters.AddWithValue("durations", NpgsqlDbType.Array | NpgsqlDbType.Interval, durations);
        }
        var changed = new HashSet<string>(StringComparer.Ordinal);
        await using var r = await cmd.ExecuteReaderAsync(timeout.Token);
        while (await r.ReadAsync(timeout.Token))
        {
            changed.Add(returnsTokens ? KeyToken(r.GetString(0), r.GetString(1)) : r.GetString(0));
        }
        return changed;
    }
}
