using System.Globalization;
using Cluster.Grains.Auth;
using Cluster.Grains.Lexicons;
using Cluster.Grains.Platforms;
using NpgsqlTypes;

namespace Cluster.Storage.Postgres.Facts;

internal sealed partial class PostgresFactsStore
{
    /// <summary>
    /// The channel every policy, lexicon and rumor write notifies (at its commit), so every silo's
    /// <see cref="PostgresFeedListener"/> wakes its admin sync at once instead of at its next poll.
    /// </summary>
    public const string AdminChannel = "cluster_admin";

    /// <summary>
    /// One round trip for the three kinds of token, checked in the embedded store's order: admin, platform key, reviewer.
    /// A hash is in at most one table in practice; the rank keeps the order if it were in several.
    /// </summary>
    public async Task<Principal?> FindPrincipalAsync(string tokenHash, CancellationToken cancellationToken)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, """
            SELECT 0 AS rank, NULL AS id, NULL AS role, NULL::text[] AS queues FROM admin_tokens WHERE token_hash = @h
            UNION ALL SELECT 1, id, NULL, NULL FROM platforms WHERE key_hash = @h
            UNION ALL SELECT 2, id, role, queues FROM reviewers WHERE token_hash = @h
            ORDER BY rank LIMIT 1
            """, ("h", tokenHash));
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        if (!await r.ReadAsync(cancellationToken))
        {
            return null;
        }
        return r.GetInt32(0) switch
        {
            0 => new Principal(PrincipalKind.Admin, "admin", "admin", ["*"]),
            1 => new Principal(PrincipalKind.Platform, r.GetString(1), "platform", []),
            _ => new Principal(PrincipalKind.Reviewer, r.GetString(1), r.GetString(2), r.GetFieldValue<string[]>(3)),
        };
    }

    public async Task<bool> HasAdminTokenAsync(CancellationToken cancellationToken)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, "SELECT EXISTS (SELECT 1 FROM admin_tokens)");
        return (bool)(await cmd.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task AddAdminTokenAsync(string tokenHash, CancellationToken cancellationToken) =>
        await ExecuteAsync("INSERT INTO admin_tokens (token_hash, created_at) VALUES (@h, @now) ON CONFLICT DO NOTHING", cancellationToken,
            ("h", tokenHash), ("now", Now()));

    /// <summary>False when the id, or the key's hash, is taken (every unique key, as the embedded store's INSERT OR IGNORE).</summary>
    public async Task<bool> CreatePlatformAsync(string id, string name, string keyHash, CancellationToken cancellationToken) =>
        await ExecuteAsync("INSERT INTO platforms (id, name, key_hash, created_at) VALUES (@id, @n, @h, @now) ON CONFLICT DO NOTHING", cancellationToken,
            ("id", id), ("n", Storable(name)), ("h", keyHash), ("now", Now())) == 1;

    public async Task<bool> PlatformExistsAsync(string id, CancellationToken cancellationToken)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, "SELECT EXISTS (SELECT 1 FROM platforms WHERE id = @id)", ("id", id));
        return (bool)(await cmd.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<long> PutPolicyAsync(string platform, string body, CancellationToken cancellationToken) =>
        await ScalarAsync<long>($"""
            INSERT INTO policies AS p (platform, version, body) VALUES (@p, 1, @b)
            ON CONFLICT (platform) DO UPDATE SET version = p.version + 1, body = excluded.body
            RETURNING version, pg_notify('{AdminChannel}', 'policy')
            """, cancellationToken, ("p", platform), ("b", Storable(body)));

    public async Task<IReadOnlyList<(string Platform, long Version, string Body)>> AllPoliciesAsync(CancellationToken cancellationToken)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, "SELECT platform, version, body FROM policies");
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        var list = new List<(string, long, string)>();
        while (await r.ReadAsync(cancellationToken))
        {
            list.Add((r.GetString(0), r.GetInt64(1), r.GetString(2)));
        }
        return list;
    }

    public async Task<bool> CreateReviewerAsync(string id, string name, string role, IReadOnlyList<string> queues, string tokenHash,
        CancellationToken cancellationToken)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, """
            INSERT INTO reviewers (id, name, role, queues, token_hash, created_at) VALUES (@id, @n, @role, @q, @h, @now) ON CONFLICT DO NOTHING
            """, ("id", id), ("n", Storable(name)), ("role", role), ("h", tokenHash), ("now", Now()));
        AddArray(cmd.Parameters, "q", NpgsqlDbType.Text, queues.Select(Storable).ToArray());
        return await cmd.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<long> PutLexiconAsync(string name, string body, int terms, CancellationToken cancellationToken) =>
        await ScalarAsync<long>($"""
            INSERT INTO lexicons AS l (name, version, body, terms, updated_at) VALUES (@n, 1, @b, @t, @now)
            ON CONFLICT (name) DO UPDATE SET version = l.version + 1, body = excluded.body, terms = excluded.terms, updated_at = excluded.updated_at
            RETURNING version, pg_notify('{AdminChannel}', 'lexicon')
            """, cancellationToken, ("n", name), ("b", Storable(body)), ("t", terms), ("now", Now()));

    public async Task<IReadOnlyList<StoredLexicon>> AllLexiconsAsync(CancellationToken cancellationToken)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, "SELECT name, version, body, terms, updated_at FROM lexicons ORDER BY name COLLATE \"C\"");
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        var list = new List<StoredLexicon>();
        while (await r.ReadAsync(cancellationToken))
        {
            list.Add(new StoredLexicon(r.GetString(0), r.GetInt64(1), r.GetString(2), r.GetInt32(3), r.GetFieldValue<DateTimeOffset>(4)));
        }
        return list;
    }

    public async Task<string> AddRumorAsync(string title, string claim, string debunkUrl, CancellationToken cancellationToken) =>
        "ru-" + (await ScalarAsync<long>(
            $"INSERT INTO rumors (title, claim, debunk_url, created_at) VALUES (@t, @c, @u, @now) RETURNING seq, pg_notify('{AdminChannel}', 'rumor')",
            cancellationToken, ("t", Storable(title)), ("c", Storable(claim)), ("u", Storable(debunkUrl)), ("now", Now())))
        .ToString(CultureInfo.InvariantCulture);

    public async Task<IReadOnlyList<StoredRumor>> AllRumorsAsync(CancellationToken cancellationToken)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, "SELECT seq, title, claim, debunk_url, created_at FROM rumors ORDER BY seq");
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        var list = new List<StoredRumor>();
        while (await r.ReadAsync(cancellationToken))
        {
            list.Add(new StoredRumor("ru-" + r.GetInt64(0).ToString(CultureInfo.InvariantCulture), r.GetString(1), r.GetString(2), r.GetString(3),
                r.GetFieldValue<DateTimeOffset>(4)));
        }
        return list;
    }

    public async Task<IReadOnlyList<(string Name, long Version)>> LexiconVersionsAsync(CancellationToken cancellationToken)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, "SELECT name, version FROM lexicons ORDER BY name COLLATE \"C\"");
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        var list = new List<(string, long)>();
        while (await r.ReadAsync(cancellationToken))
        {
            list.Add((r.GetString(0), r.GetInt64(1)));
        }
        return list;
    }

    public async Task<StoredLexicon?> GetLexiconAsync(string name, CancellationToken cancellationToken)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, "SELECT name, version, body, terms, updated_at FROM lexicons WHERE name = @n", ("n", name));
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        return await r.ReadAsync(cancellationToken)
            ? new StoredLexicon(r.GetString(0), r.GetInt64(1), r.GetString(2), r.GetInt32(3), r.GetFieldValue<DateTimeOffset>(4))
            : null;
    }

    /// <summary>Rumors are counted, not numbered: an identity hands out numbers before commit, so a later number can commit first.</summary>
    public async Task<AdminStamp> AdminStampAsync(CancellationToken cancellationToken)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, """
            SELECT (SELECT coalesce(sum(version), 0)::bigint FROM policies), (SELECT coalesce(sum(version), 0)::bigint FROM lexicons),
                   (SELECT count(*) FROM rumors)
            """);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        await r.ReadAsync(cancellationToken);
        return new AdminStamp(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2));
    }

    private async Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, sql, parameters);
        return await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<T> ScalarAsync<T>(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, sql, parameters);
        return (T)(await cmd.ExecuteScalarAsync(cancellationToken))!;
    }
}
