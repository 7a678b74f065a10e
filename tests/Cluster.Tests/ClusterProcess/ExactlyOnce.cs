using System.Diagnostics;
using Cluster.Tests.Http;
using Npgsql;

namespace Cluster.Tests.ClusterProcess;

/// <summary>
/// What every cluster process test checks at its end, against the database: the posts stream is empty (every row was
/// delivered and acknowledged), every acknowledged post version has exactly one machine decision and no version has
/// more than one (versions in flight at a failure may have been stored and decided too), and each account's post count,
/// as its AccountGrain reports it, is the number of distinct posts decided for it: no post counted twice.
/// </summary>
internal static class ExactlyOnce
{
    public static async Task AssertAsync(string connectionString, string platform, PostLoad load, HttpClient reader, TimeSpan drain)
    {
        await DrainedAsync(connectionString, drain);

        var decided = new Dictionary<(string Post, int Version), long>();
        var postsPerAccount = new Dictionary<string, HashSet<string>>();
        await using (var c = new NpgsqlConnection(connectionString))
        {
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand("""
                SELECT post_id, version, account, count(*) FROM decisions WHERE platform = @p AND source = 'machine'
                GROUP BY post_id, version, account
                """, c);
            cmd.Parameters.AddWithValue("p", platform);
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync())
            {
                var key = (r.GetString(0), r.GetInt32(1));
                decided[key] = decided.GetValueOrDefault(key) + r.GetInt64(3);
                (postsPerAccount.TryGetValue(r.GetString(2), out var posts) ? posts : postsPerAccount[r.GetString(2)] = []).Add(r.GetString(0));
            }
        }

        Assert.True(load.Acknowledged.Count > 0, "no post was acknowledged");
        Assert.Contains(load.Acknowledged.Values, a => a.Version == 2);
        var missing = new List<string>();
        foreach (var (id, acked) in load.Acknowledged)
        {
            for (var version = 1; version <= acked.Version; version++)
            {
                if (!decided.ContainsKey((id, version)))
                {
                    missing.Add($"{id} v{version}");
                }
            }
        }
        Assert.True(missing.Count == 0, $"{missing.Count} acknowledged post versions have no machine decision, e.g. {string.Join(", ", missing.Take(5))}");
        var twice = decided.Where(d => d.Value != 1).Select(d => $"{d.Key.Post} v{d.Key.Version}: {d.Value}").ToList();
        Assert.True(twice.Count == 0, $"{twice.Count} post versions have more than one machine decision, e.g. {string.Join(", ", twice.Take(5))}");

        var ackedAccounts = load.Acknowledged.Values.Select(a => a.Account).ToHashSet();
        Assert.True(ackedAccounts.IsSubsetOf(postsPerAccount.Keys),
            $"accounts without decisions: {string.Join(", ", ackedAccounts.Except(postsPerAccount.Keys))}; decided: {postsPerAccount.Count}, acked: {ackedAccounts.Count}");
        foreach (var (account, posts) in postsPerAccount)
        {
            var state = await (await reader.GetAsync($"/v1/accounts/{account}")).Json();
            Assert.True(posts.Count == state["posts"]!.GetValue<int>(),
                $"account {account} counts {state["posts"]} posts; {posts.Count} distinct posts were decided for it");
        }
    }

    /// <summary>Machine decisions stored so far, all platforms.</summary>
    public static long MachineDecisions(string connectionString)
    {
        using var c = new NpgsqlConnection(connectionString);
        c.Open();
        using var cmd = new NpgsqlCommand("SELECT count(*) FROM decisions WHERE source = 'machine'", c);
        return (long)cmd.ExecuteScalar()!;
    }

    /// <summary>Waits until no posts stream row is left: each was delivered and its effects were durable before its acknowledgement.</summary>
    public static async Task DrainedAsync(string connectionString, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        long left;
        while ((left = await RowsAsync(connectionString)) > 0)
        {
            Assert.True(clock.Elapsed < limit, $"{left} posts stream rows still unacknowledged after {limit}");
            await Task.Delay(200);
        }
    }

    private static async Task<long> RowsAsync(string connectionString)
    {
        await using var c = new NpgsqlConnection(connectionString);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM stream_message", c);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
