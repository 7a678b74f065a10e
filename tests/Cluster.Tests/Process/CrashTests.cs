using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cluster.Tests.Http;
using Microsoft.Data.Sqlite;

namespace Cluster.Tests.Process;

/// <summary>Real processes, real SIGKILL and SIGTERM, the same data directory across restarts.</summary>
public sealed class CrashTests : IDisposable
{
    private const int Accounts = 40;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "silo-crash-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task After_sigkill_every_acknowledged_post_has_exactly_one_machine_decision_and_no_account_counts_twice()
    {
        var acked = new ConcurrentDictionary<string, string>(); // post id -> account
        string key;
        await using (var silo = await SiloProcess.StartAsync(_dir))
        {
            key = await silo.Client(SiloProcess.AdminToken).CreatePlatformAsync("crash");
            var platform = silo.Client(key);
            var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, 4).Select(w => WriteUntilStoppedAsync(platform, w, acked, enough, stop.Token)).ToArray();
            await enough.Task.WaitAsync(TimeSpan.FromSeconds(120));
            await silo.KillAsync(); // mid-stream: the writers have requests in flight
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }
        Assert.True(acked.Count >= 1500, $"only {acked.Count} posts were acknowledged before the kill");

        await using (var silo = await SiloProcess.StartAsync(_dir))
        {
            var platform = silo.Client(key);
            var decisions = await ReadFeedUntilAsync(platform, acked.Keys);
            var machine = decisions.Where(d => d["source"]!.GetValue<string>() == "machine").ToList();
            var perPost = machine.GroupBy(d => d["postId"]!.GetValue<string>()).ToDictionary(g => g.Key, g => g.Count());
            Assert.All(acked.Keys, id => Assert.Equal(1, perPost.GetValueOrDefault(id)));
            Assert.All(perPost, kv => Assert.Equal(1, kv.Value)); // posts in flight at the kill: at most one decision too

            var perAccount = machine.GroupBy(d => d["account"]!.GetValue<string>()).ToDictionary(g => g.Key, g => g.Count());
            foreach (var (account, count) in perAccount)
            {
                var state = await (await platform.GetAsync($"/v1/accounts/{account}")).Json();
                Assert.Equal(count, state["posts"]!.GetValue<int>());
            }

            // Resubmitting what was acknowledged changes nothing.
            var resend = acked.Keys.Take(500).Select(id => JsonSerializer.Serialize(new { id, account = acked[id], text = "resent" }));
            var again = await (await platform.PostNdjsonAsync("/v1/posts", resend)).Json();
            Assert.Equal(0, again["accepted"]!.GetValue<int>());
            Assert.Equal(500, again["duplicates"]!.GetValue<int>());
        }
    }

    [Fact]
    public async Task Sigterm_stops_ingest_drains_the_inbox_and_exits_cleanly()
    {
        await using var silo = await SiloProcess.StartAsync(_dir);
        var key = await silo.Client(SiloProcess.AdminToken).CreatePlatformAsync("term");
        var platform = silo.Client(key);
        for (var batch = 0; batch < 10; batch++)
        {
            var lines = Enumerable.Range(0, 200).Select(n => JsonSerializer.Serialize(new { id = $"t-{batch}-{n}", account = $"a-{n % Accounts}", text = Text(n) }));
            Assert.Equal(HttpStatusCode.Accepted, (await platform.PostNdjsonAsync("/v1/posts", lines)).StatusCode);
        }
        Assert.Equal(0, await silo.TerminateAsync());

        // Drained: every partition's checkpoint reached its inbox head, and every post has its decision.
        using var db = new SqliteConnection($"Data Source={Path.Combine(_dir, "cluster.db")};Mode=ReadOnly");
        db.Open();
        Assert.Equal(0L, Scalar(db, "SELECT COUNT(*) FROM inbox_seq s LEFT JOIN checkpoint c ON c.partition = s.partition WHERE COALESCE(c.seq, 0) < s.last"));
        Assert.Equal(2000L, Scalar(db, "SELECT COUNT(*) FROM decisions WHERE source = 'machine'"));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static async Task WriteUntilStoppedAsync(
        HttpClient platform, int writer, ConcurrentDictionary<string, string> acked, TaskCompletionSource enough, CancellationToken stop)
    {
        for (var request = 0; !stop.IsCancellationRequested && request < 10_000; request++)
        {
            var posts = Enumerable.Range(0, 25).Select(n => (Id: $"w{writer}-{request}-{n}", Account: $"acct-{(writer * 7 + n) % Accounts}", Text: Text(n))).ToList();
            var body = string.Join("\n", posts.Select(p => JsonSerializer.Serialize(new { id = p.Id, account = p.Account, text = p.Text })));
            try
            {
                using var response = await platform.PostAsync("/v1/posts", new StringContent(body, Encoding.UTF8, "application/x-ndjson"), stop);
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    foreach (var p in posts)
                    {
                        acked[p.Id] = p.Account;
                    }
                    if (acked.Count >= 2000)
                    {
                        enough.TrySetResult();
                    }
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
            {
                return; // the silo is gone
            }
        }
    }

    private static async Task<List<JsonNode>> ReadFeedUntilAsync(HttpClient platform, ICollection<string> mustContain)
    {
        var missing = new HashSet<string>(mustContain);
        var all = new List<JsonNode>();
        var after = "0";
        for (var round = 0; round < 600 && missing.Count > 0; round++)
        {
            var page = await (await platform.GetAsync($"/v1/decisions?after={after}&limit=1000&waitMs=2000")).Json();
            foreach (var d in page["decisions"]!.AsArray())
            {
                all.Add(d!);
                missing.Remove(d!["postId"]!.GetValue<string>());
            }
            after = page["next"]!.GetValue<string>();
        }
        Assert.Empty(missing);
        // Posts that were in flight at the kill may be decided too: read on until the inbox has no backlog left.
        for (var round = 0; round < 600; round++)
        {
            var page = await (await platform.GetAsync($"/v1/decisions?after={after}&limit=1000&waitMs=500")).Json();
            var more = page["decisions"]!.AsArray();
            all.AddRange(more.Select(d => d!));
            after = page["next"]!.GetValue<string>();
            if (more.Count == 0 && (await platform.GetStringAsync("/metrics")).Split('\n').Contains("cluster_inbox_lag_total 0"))
            {
                return all;
            }
        }
        throw new TimeoutException("the restarted silo kept a backlog");
    }

    private static string Text(int n) => (n % 5) switch
    {
        0 => "刷单返利，日赚五百",
        1 => "兼职日结，私聊",
        _ => $"今天的天气很好，第{n}条普通内容",
    };

    private static long Scalar(SqliteConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        return (long)cmd.ExecuteScalar()!;
    }
}
