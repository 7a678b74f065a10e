using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Cluster.Storage.Tests.Postgres;
using Cluster.Tests.Http;
using Npgsql;
using Xunit.Abstractions;

namespace Cluster.Tests.ClusterMode;

/// <summary>
/// Policies, lexicons and rumors stored through one silo are in force on the other silo of the cluster within 2 s, and
/// every finding and machine decision names the version that produced it. Two in-process silos on one PostgreSQL database.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class AdminSyncTests(PostgresServer server, ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>The promise (api.md, "Versions of what decided").</summary>
    private static readonly TimeSpan Promise = TimeSpan.FromSeconds(2);

    private readonly string _database = server.CreateDatabase();
    private SiloFactory _first = null!;
    private SiloFactory _second = null!;
    private HttpClient _admin = null!;
    private HttpClient _platform = null!;
    private int _posts;

    public async Task InitializeAsync()
    {
        _first = new SiloFactory(cluster: _database);
        _admin = _first.CreateClient().As(SiloFactory.AdminToken);
        Assert.Equal(HttpStatusCode.OK, (await _admin.GetAsync("/readyz")).StatusCode);
        var key = await _admin.CreatePlatformAsync("sync");
        // The second silo's periodic check is slow on purpose, so what it shows within the promise came by notification.
        _second = new SiloFactory(cluster: _database, settings: new Dictionary<string, string> { ["Silo:AdminRefresh"] = "00:01:00" });
        _platform = _second.CreateClient().As(key);
        Assert.Equal(HttpStatusCode.OK, (await _platform.GetAsync("/readyz")).StatusCode);
    }

    public async Task DisposeAsync()
    {
        await _second.DisposeAsync();
        await _first.DisposeAsync();
        server.DropDatabase(_database);
    }

    [Fact]
    public async Task A_lexicon_stored_through_one_silo_screens_on_the_other_and_findings_name_its_version()
    {
        Assert.Equal("allow", (await ScreenAsync("出售同步测试词"))[0]["action"]!.GetValue<string>());

        await PutLexiconAsync("sync-terms", "同步测试词\tdrugs\t0.9\n", expectedVersion: 1);
        var first = await UntilAsync("version 1", async () => (await ScreenAsync("出售同步测试词"))[0], r => Source(r) == "lexicon:sync-terms@1");
        Assert.Equal("block", first["action"]!.GetValue<string>());

        // Version 2 moves the term to a review-level weight; the other silo's findings follow, naming version 2.
        await PutLexiconAsync("sync-terms", "同步测试词\tdrugs\t0.5\n", expectedVersion: 2);
        var second = await UntilAsync("version 2", async () => (await ScreenAsync("出售同步测试词"))[0], r => Source(r) == "lexicon:sync-terms@2");
        Assert.Equal("review", second["action"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_policy_stored_through_one_silo_decides_on_every_silo_and_decisions_name_its_version()
    {
        // Sixteen accounts: their grains are placed over both silos, and each decides with its own silo's policies.
        var before = await ScreenAsync("刷单返利，日赚五百", accounts: 16);
        Assert.All(before, r => Assert.Equal(("block", 0), (r["action"]!.GetValue<string>(), r["policyVersion"]!.GetValue<int>())));

        var put = await _admin.PutAsync("/v1/admin/platforms/sync/policy",
            new StringContent("""{"thresholds":{"fraud":{"review":0.5,"block":0.99}}}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        var after = await UntilAsync("policy 1 on every account's silo", () => ScreenAsync("刷单返利，日赚五百", accounts: 16),
            rs => rs.All(r => r["policyVersion"]!.GetValue<int>() == 1));
        Assert.All(after, r => Assert.Equal("review", r["action"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_rumor_added_through_one_silo_is_debunked_on_the_other()
    {
        const string claim = "紧急通知：本市自来水今晚起停水七天，请大家立刻囤水，转发给所有亲友";
        Assert.Null((await ScreenAsync(claim))[0]["debunk"]);

        var added = await _admin.PostAsync("/v1/admin/rumors", new StringContent(
            $$"""{"title":"停水七天","claim":"{{claim}}","debunkUrl":"https://example.org/debunk/water"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var id = (await added.Json())["rumorId"]!.GetValue<string>();

        var result = await UntilAsync("the rumor", async () => (await ScreenAsync(claim))[0], r => r["debunk"] is not null);
        Assert.Equal(id, result["debunk"]!["rumorId"]!.GetValue<string>());
        var rumor = result["labels"]!.AsArray().Single(l => l!["category"]!.GetValue<string>() == "rumor")!;
        Assert.Equal("rumor:" + id, rumor["evidence"]![0]!["source"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_change_whose_notification_is_lost_arrives_by_the_periodic_check()
    {
        // A third silo checks every 300 ms. The lexicon row is changed behind the silos' backs, as a change whose
        // notification no silo heard (sent while the listener reconnected) would be.
        await using var third = new SiloFactory(cluster: _database, settings: new Dictionary<string, string> { ["Silo:AdminRefresh"] = "00:00:00.3" });
        var platform = third.CreateClient().As(_platform.DefaultRequestHeaders.Authorization!.Parameter!);
        Assert.Equal(HttpStatusCode.OK, (await platform.GetAsync("/readyz")).StatusCode);
        await using (var c = new NpgsqlConnection(_database))
        {
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand(
                "INSERT INTO lexicons (name, version, body, terms, updated_at) VALUES ('quiet', 7, '静默测试词' || chr(9) || 'gambling' || chr(9) || '0.9', 1, now())", c);
            await cmd.ExecuteNonQueryAsync();
        }
        var clock = Stopwatch.StartNew();
        var result = await UntilAsync("the quiet change", async () =>
            (await (await platform.PostJsonAsync("/v1/screen", Api.Post($"q-{_posts++}", "静默测试词", "q-1"))).Json())["results"]![0]!,
            r => Source(r) == "lexicon:quiet@7");
        Assert.Equal("block", result["action"]!.GetValue<string>());
        output.WriteLine($"periodic check: {clock.ElapsedMilliseconds} ms");
    }

    private async Task PutLexiconAsync(string name, string body, int expectedVersion)
    {
        var put = await _admin.PutAsync($"/v1/admin/lexicons/{name}", new StringContent(body, Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(expectedVersion, (await put.Json())["version"]!.GetValue<int>());
    }

    /// <summary>Screens fresh posts through the second silo, one per account.</summary>
    private async Task<List<JsonNode>> ScreenAsync(string text, int accounts = 1)
    {
        var posts = Enumerable.Range(0, accounts).Select(a => Api.Post($"p-{_posts++}", text, $"acct-{a}")).ToArray();
        var response = await _platform.PostJsonAsync("/v1/screen", posts);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Json())["results"]!.AsArray().Select(r => r!).ToList();
    }

    /// <summary>Repeats <paramref name="probe"/> until <paramref name="done"/>; fails if that took longer than the promise.</summary>
    private async Task<T> UntilAsync<T>(string what, Func<Task<T>> probe, Func<T, bool> done)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                output.WriteLine($"{what}: in force on the other silo after {clock.ElapsedMilliseconds} ms");
                Assert.True(clock.Elapsed <= Promise, $"{what} took {clock.Elapsed.TotalMilliseconds:F0} ms to reach the other silo");
                return value;
            }
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"{what} never reached the other silo");
            await Task.Delay(25);
        }
    }

    private static string? Source(JsonNode result) =>
        result["labels"]!.AsArray().SelectMany(l => l!["evidence"]!.AsArray()).Select(e => e!["source"]!.GetValue<string>())
            .FirstOrDefault(s => s.StartsWith("lexicon:", StringComparison.Ordinal) && !s.StartsWith("lexicon:default", StringComparison.Ordinal)
                && !s.StartsWith("lexicon:starter", StringComparison.Ordinal));
}
