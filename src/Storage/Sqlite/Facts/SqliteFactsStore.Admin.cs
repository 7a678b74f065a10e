using System.Text.Json;
using Cluster.Grains.Auth;
using Cluster.Grains.Lexicons;
using Cluster.Grains.Platforms;
using Cluster.Grains.Storage;

namespace Cluster.Storage.Sqlite.Facts;

public sealed partial class SqliteFactsStore
{
    public Task<Principal?> FindPrincipalAsync(string tokenHash, CancellationToken cancellationToken)
    {
        using var c = OpenRead();
        if (ScalarOrDefault<long?>(c, "SELECT 1 FROM admin_tokens WHERE token_hash = $h", ("$h", tokenHash)) is not null)
        {
            return Task.FromResult<Principal?>(new Principal(PrincipalKind.Admin, "admin", "admin", ["*"]));
        }
        if (ScalarOrDefault<string>(c, "SELECT id FROM platforms WHERE key_hash = $h", ("$h", tokenHash)) is { } platform)
        {
            return Task.FromResult<Principal?>(new Principal(PrincipalKind.Platform, platform, "platform", []));
        }
        using var cmd = Command(c, null, "SELECT id, role, queues FROM reviewers WHERE token_hash = $h", ("$h", tokenHash));
        using var r = cmd.ExecuteReader();
        Principal? reviewer = r.Read()
            ? new Principal(PrincipalKind.Reviewer, r.GetString(0), r.GetString(1), JsonSerializer.Deserialize(r.GetString(2), GrainsJson.Default.StringArray)!)
            : null;
        return Task.FromResult(reviewer);
    }

    public Task<bool> HasAdminTokenAsync(CancellationToken cancellationToken)
    {
        using var c = OpenRead();
        return Task.FromResult(ScalarOrDefault<long?>(c, "SELECT 1 FROM admin_tokens LIMIT 1") is not null);
    }

    public Task AddAdminTokenAsync(string tokenHash, CancellationToken cancellationToken) =>
        WriteAsync((c, tx) => Execute(c, tx, "INSERT OR IGNORE INTO admin_tokens (token_hash, created_at) VALUES ($h, $now)",
            ("$h", tokenHash), ("$now", Now())), cancellationToken);

    public Task<bool> CreatePlatformAsync(string id, string name, string keyHash, CancellationToken cancellationToken) =>
        WriteAsync((c, tx) => Execute(c, tx, "INSERT OR IGNORE INTO platforms (id, name, key_hash, created_at) VALUES ($id, $n, $h, $now)",
            ("$id", id), ("$n", name), ("$h", keyHash), ("$now", Now())) == 1, cancellationToken);

    public Task<bool> PlatformExistsAsync(string id, CancellationToken cancellationToken)
    {
        using var c = OpenRead();
        return Task.FromResult(ScalarOrDefault<long?>(c, "SELECT 1 FROM platforms WHERE id = $id", ("$id", id)) is not null);
    }

    public Task<long> PutPolicyAsync(string platform, string body, CancellationToken cancellationToken) =>
        WriteAsync((c, tx) => Scalar<long>(c, tx, """
            INSERT INTO policies (platform, version, body) VALUES ($p, 1, $b)
            ON CONFLICT (platform) DO UPDATE SET version = version + 1, body = excluded.body
            RETURNING version
            """, ("$p", platform), ("$b", body)), cancellationToken);

    public Task<IReadOnlyList<(string Platform, long Version, string Body)>> AllPoliciesAsync(CancellationToken cancellationToken)
    {
        using var c = OpenRead();
        using var cmd = Command(c, null, "SELECT platform, version, body FROM policies");
        using var r = cmd.ExecuteReader();
        var list = new List<(string, long, string)>();
        while (r.Read())
        {
            list.Add((r.GetString(0), r.GetInt64(1), r.GetString(2)));
        }
        return Task.FromResult<IReadOnlyList<(string, long, string)>>(list);
    }

    public Task<bool> CreateReviewerAsync(string id, string name, string role, IReadOnlyList<string> queues, string tokenHash, CancellationToken cancellationToken) =>
        WriteAsync((c, tx) => Execute(c, tx, """
            INSERT OR IGNORE INTO reviewers (id, name, role, queues, token_hash, created_at) VALUES ($id, $n, $role, $q, $h, $now)
            """, ("$id", id), ("$n", name), ("$role", role), ("$q", JsonSerializer.Serialize(queues.ToArray(), GrainsJson.Default.StringArray)),
            ("$h", tokenHash), ("$now", Now())) == 1, cancellationToken);

    public Task<long> PutLexiconAsync(string name, string body, int terms, CancellationToken cancellationToken) =>
        WriteAsync((c, tx) => Scalar<long>(c, tx, """
            INSERT INTO lexicons (name, version, body, terms, updated_at) VALUES ($n, 1, $b, $t, $now)
            ON CONFLICT (name) DO UPDATE SET version = version + 1, body = excluded.body, terms = excluded.terms, updated_at = excluded.updated_at
            RETURNING version
            """, ("$n", name), ("$b", body), ("$t", terms), ("$now", Now())), cancellationToken);

    public Task<IReadOnlyList<StoredLexicon>> AllLexiconsAsync(CancellationToken cancellationToken)
    {
        using var c = OpenRead();
        using var cmd = Command(c, null, "SELECT name, version, body, terms, updated_at FROM lexicons ORDER BY name");
        using var r = cmd.ExecuteReader();
        var list = new List<StoredLexicon>();
        while (r.Read())
        {
            list.Add(new StoredLexicon(r.GetString(0), r.GetInt64(1), r.GetString(2), r.GetInt32(3), FromUnixMs(r.GetInt64(4))));
        }
        return Task.FromResult<IReadOnlyList<StoredLexicon>>(list);
    }

    public Task<string> AddRumorAsync(string title, string claim, string debunkUrl, CancellationToken cancellationToken) =>
        WriteAsync((c, tx) => "ru-" + Scalar<long>(c, tx, """
            INSERT INTO rumors (title, claim, debunk_url, created_at) VALUES ($t, $c, $u, $now) RETURNING seq
            """, ("$t", title), ("$c", claim), ("$u", debunkUrl), ("$now", Now())).ToString(System.Globalization.CultureInfo.InvariantCulture),
            cancellationToken);

    public Task<IReadOnlyList<StoredRumor>> AllRumorsAsync(CancellationToken cancellationToken)
    {
        using var c = OpenRead();
        using var cmd = Command(c, null, "SELECT seq, title, claim, debunk_url, created_at FROM rumors ORDER BY seq");
        using var r = cmd.ExecuteReader();
        var list = new List<StoredRumor>();
        while (r.Read())
        {
            list.Add(new StoredRumor("ru-" + r.GetInt64(0).ToString(System.Globalization.CultureInfo.InvariantCulture),
                r.GetString(1), r.GetString(2), r.GetString(3), FromUnixMs(r.GetInt64(4))));
        }
        return Task.FromResult<IReadOnlyList<StoredRumor>>(list);
    }

    public Task<IReadOnlyList<(string Name, long Version)>> LexiconVersionsAsync(CancellationToken cancellationToken)
    {
        using var c = OpenRead();
        using var cmd = Command(c, null, "SELECT name, version FROM lexicons ORDER BY name");
        using var r = cmd.ExecuteReader();
        var list = new List<(string, long)>();
        while (r.Read())
        {
            list.Add((r.GetString(0), r.GetInt64(1)));
        }
        return Task.FromResult<IReadOnlyList<(string, long)>>(list);
    }

    public Task<StoredLexicon?> GetLexiconAsync(string name, CancellationToken cancellationToken)
    {
        using var c = OpenRead();
        using var cmd = Command(c, null, "SELECT name, version, body, terms, updated_at FROM lexicons WHERE name = $n", ("$n", name));
        using var r = cmd.ExecuteReader();
        return Task.FromResult(r.Read() ? new StoredLexicon(r.GetString(0), r.GetInt64(1), r.GetString(2), r.GetInt32(3), FromUnixMs(r.GetInt64(4))) : null);
    }

    public Task<AdminStamp> AdminStampAsync(CancellationToken cancellationToken)
    {
        using var c = OpenRead();
        using var cmd = Command(c, null, """
            SELECT (SELECT coalesce(sum(version), 0) FROM policies), (SELECT coalesce(sum(version), 0) FROM lexicons),
                   (SELECT count(*) FROM rumors)
            """);
        using var r = cmd.ExecuteReader();
        r.Read();
        return Task.FromResult(new AdminStamp(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2)));
    }
}
