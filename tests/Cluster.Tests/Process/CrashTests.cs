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
    public async Task After_sigkill_every_acknowledged_post_version_has_exactly_one_machine_decision_and_no_account_counts_twice()
    {
        var acked = new ConcurrentDictionary<string, Acked>(); // post id -> its newest acknowledged version
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
            var decisions = await CrashFeed.ReadUntilDrainedAsync(platform, acked.Keys, TimeSpan.FromMinutes(5));
            var machine = decisions.Where(d => d["source"]!.GetValue<string>() == "machine").ToList();
            var perVersion = machine.GroupBy(d => (Id: d["postId"]!.GetValue<string>(), Version: d["version"]!.GetValue<int>()))
                .ToDictionary(g => g.Key, g => g.ToList());
            Assert.Contains(acked.Values, a => a.Version == 2);
            foreach (var (id, a) in acked)
            {
                for (var v = 1; v <= a.Version; v++)
                {
                    Assert.Single(perVersion.GetValueOrDefault((id, v)) ?? []);
                }
            }
            Assert.All(perVersion, kv => Assert.Single(kv.Value)); // versions in flight at the kill: at most one decision too
            foreach (var ((id, version), decided) in perVersion.Where(kv => kv.Key.Version > 1))
            {
                Assert.Equal(perVersion[(id, version - 1)][0]["decisionId"]!.GetValue<string>(), decided[0]["supersedes"]!.GetValue<string>());
            }

            // An edit is the same post: an account counts its posts, not their versions.
            var perAccount = machine.GroupBy(d => d["account"]!.GetValue<string>())
                .ToDictionary(g => g.Key, g => g.Select(d => d["postId"]!.GetValue<string>()).Distinct().Count());
            foreach (var (account, count) in perAccount)
            {
                var state = await (await platform.GetAsync($"/v1/accounts/{account}")).Json();
                Assert.Equal(count, state["posts"]!.GetValue<int>());
            }

            // Resubmitting the newest acknowledged content (an edit in flight at the kill may have stored newer) changes nothing.
            var newest = perVersion.Keys.GroupBy(k => k.Id).ToDictionary(g => g.Key, g => g.Max(k => k.Version));
            var resend = acked.Where(kv => newest[kv.Key] == kv.Value.Version).Take(500)
                .Select(kv => JsonSerializer.Serialize(new { id = kv.Key, account = kv.Value.Account, text = kv.Value.Text }));
            var again = await (await platform.PostNdjsonAsync("/v1/posts", resend)).Json();
            Assert.Equal(0, again["accepted"]!.GetValue<int>());
            Assert.Equal(500, again["duplicates"]!.GetValue<int>());
            Assert.Equal(0, again["edited"]!.GetValue<int>());
        }
    }

    /// <summary>
    /// The kill lands inside a delivery: the test-only hook (CLUSTER_TEST_KILL_AFTER_STATE_WRITES) makes the silo SIGKILL
    /// itself right after an AccountGrain's state write and before the event is acknowledged. The restarted silo delivers
    /// that event again; its dedupe mark must skip it.
    /// </summary>
    [Fact]
    public async Task A_kill_after_the_state_write_and_before_the_acknowledgement_applies_every_post_once()
    {
        var acked = new ConcurrentDictionary<string, Acked>();
        string key;
        var hook = new Dictionary<string, string> { ["CLUSTER_TEST_KILL_AFTER_STATE_WRITES"] = "400" };
        await using (var silo = await SiloProcess.StartAsync(_dir, environment: hook))
        {
            key = await silo.Client(SiloProcess.AdminToken).CreatePlatformAsync("hook");
            var platform = silo.Client(key);
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, 2).Select(w => WriteUntilStoppedAsync(platform, w, acked, new TaskCompletionSource(), stop.Token)).ToArray();
            await silo.Exited.WaitAsync(TimeSpan.FromSeconds(120));
            Assert.Equal(137, silo.ExitCode); // killed by the hook (SIGKILL), not a clean exit
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }
        Assert.True(acked.Count >= 400, $"only {acked.Count} posts were acknowledged before the hook fired");

        await using (var silo = await SiloProcess.StartAsync(_dir))
        {
            var platform = silo.Client(key);
            var machine = (await CrashFeed.ReadUntilDrainedAsync(platform, acked.Keys, TimeSpan.FromMinutes(5))).Where(d => d["source"]!.GetValue<string>() == "machine").ToList();
            var perVersion = machine.GroupBy(d => (Id: d["postId"]!.GetValue<string>(), Version: d["version"]!.GetValue<int>()));
            Assert.All(perVersion, g => Assert.Single(g));
            foreach (var (id, a) in acked)
            {
                Assert.Contains(machine, d => d["postId"]!.GetValue<string>() == id && d["version"]!.GetValue<int>() == a.Version);
            }
            var perAccount = machine.GroupBy(d => d["account"]!.GetValue<string>())
                .ToDictionary(g => g.Key, g => g.Select(d => d["postId"]!.GetValue<string>()).Distinct().Count());
            foreach (var (account, count) in perAccount)
            {
                var state = await (await platform.GetAsync($"/v1/accounts/{account}")).Json();
                Assert.Equal(count, state["posts"]!.GetValue<int>());
            }
        }
    }

    [Fact]
    public async Task Sigterm_stops_ingest_drains_the_queues_and_exits_cleanly()
    {
        await using var silo = await SiloProcess.StartAsync(_dir);
        var key = await silo.Client(SiloProcess.AdminToken).CreatePlatformAsync("term");
        var platform = silo.Client(key);
        for (var batch = 0; batch < 10; batch++)
        {
            var lines = Enumerable.Range(0, 200).Select(n => JsonSerializer.Serialize(new { id = $"t-{batch}-{n}", account = $"a-{n % Accounts}", text = CrashFeed.Text(n) }));
            Assert.Equal(HttpStatusCode.Accepted, (await platform.PostNdjsonAsync("/v1/posts", lines)).StatusCode);
        }
        Assert.Equal(0, await silo.TerminateAsync());

        // Drained: every stream row was delivered and acknowledged (and so deleted), and every post has its decision.
        using var db = new SqliteConnection($"Data Source={Path.Combine(_dir, "cluster.db")};Mode=ReadOnly");
        db.Open();
        Assert.Equal(0L, Scalar(db, "SELECT COUNT(*) FROM stream_message"));
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
        HttpClient platform, int writer, ConcurrentDictionary<string, Acked> acked, TaskCompletionSource enough, CancellationToken stop)
    {
        var previous = new List<(string Id, string Account, string Text, int Version)>();
        for (var request = 0; !stop.IsCancellationRequested && request < 10_000; request++)
        {
            var posts = Enumerable.Range(0, 25).Select(n => (Id: $"w{writer}-{request}-{n}", Account: $"acct-{(writer * 7 + n) % Accounts}", Text: CrashFeed.Text(n), Version: 1))
                .ToList();
            // Edits of the previous acknowledged request's first posts, in flight like everything else.
            posts.AddRange(previous.Where(p => p.Version == 1).Take(5).Select(p => (p.Id, p.Account, Text: "改过了：" + p.Text, Version: 2)));
            var body = string.Join("\n", posts.Select(p => JsonSerializer.Serialize(new { id = p.Id, account = p.Account, text = p.Text })));
            try
            {
                using var response = await platform.PostAsync("/v1/posts", new StringContent(body, Encoding.UTF8, "application/x-ndjson"), stop);
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    foreach (var p in posts)
                    {
                        acked[p.Id] = new Acked(p.Account, p.Text, p.Version);
                    }
                    previous = posts;
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

    private sealed record Acked(string Account, string Text, int Version);

    private static long Scalar(SqliteConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        return (long)cmd.ExecuteScalar()!;
    }
}
