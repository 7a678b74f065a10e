using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Cluster.Storage.Tests.Postgres;
using Cluster.Tests.Http;
using Npgsql;

namespace Cluster.Tests.ClusterMode;

/// <summary>
/// The real silo with ConnectionStrings:Cluster pointing at a throwaway PostgreSQL database: membership, the posts
/// stream, grain state and every fact live there, and the public API behaves as on the embedded store.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ClusterModeTests(PostgresServer server) : IAsyncLifetime
{
    private const string TestLexicon = "测试诈骗词\tfraud\t0.9\n测试广告词\tads\t0.5\n";

    private readonly string _database = server.CreateDatabase();
    private SiloFactory _silo = null!;
    private HttpClient _admin = null!;
    private HttpClient _platform = null!;
    private string _platformKey = "";

    public async Task InitializeAsync()
    {
        _silo = new SiloFactory(cluster: _database);
        _admin = _silo.CreateClient().As(SiloFactory.AdminToken);
        Assert.Equal(HttpStatusCode.OK, (await _admin.GetAsync("/readyz")).StatusCode);
        _platformKey = await _admin.CreatePlatformAsync("pg-demo");
        _platform = _silo.CreateClient().As(_platformKey);
        var lexicon = await _admin.PutAsync("/v1/admin/lexicons/test", new StringContent(TestLexicon, Encoding.UTF8, "text/plain"));
        lexicon.EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        await _silo.DisposeAsync();
        server.DropDatabase(_database);
    }

    [Fact]
    public async Task Posts_streamed_as_ndjson_are_stored_in_PostgreSQL_and_every_one_gets_its_decision_in_the_feed()
    {
        var expected = Enumerable.Range(0, 40).ToDictionary(i => $"p-{i}", i => (i % 4) switch { 0 => "block", 1 => "review", _ => "allow" });
        var lines = Enumerable.Range(0, 40).Select(i => JsonSerializer.Serialize(new
        {
            id = $"p-{i}",
            account = $"u-{i % 5}",
            text = (i % 4) switch { 0 => $"测试诈骗词，日赚五百 {i}", 1 => $"测试广告词，私聊 {i}", _ => $"今天天气不错 {i}" },
        })).ToList();

        var accepted = await (await _platform.PostNdjsonAsync("/v1/posts", lines)).Json();
        Assert.Equal((40, 0), (accepted["accepted"]!.GetValue<int>(), accepted["duplicates"]!.GetValue<int>()));
        var again = await (await _platform.PostNdjsonAsync("/v1/posts", lines)).Json();
        Assert.Equal((0, 40), (again["accepted"]!.GetValue<int>(), again["duplicates"]!.GetValue<int>()));

        var feed = await _platform.FeedAsync(40);
        Assert.Equal(40, feed.Count);
        Assert.Equal(expected, feed.ToDictionary(d => d["postId"]!.GetValue<string>(), d => d["action"]!.GetValue<string>()));
        Assert.All(feed, d => Assert.Equal("machine", d["source"]!.GetValue<string>()));
        Assert.Equal(40, feed.Select(d => d["cursor"]!.GetValue<string>()).Distinct().Count());

        // The synchronous path decides through the same grain and store, and its decision continues the feed.
        var screened = (await (await _platform.PostJsonAsync("/v1/screen", Api.Post("s-1", "测试诈骗词，加我", "u-9"))).Json())["results"]![0]!;
        Assert.Equal("block", screened["action"]!.GetValue<string>());
        var next = Assert.Single(await _platform.FeedAsync(1, feed[^1]["cursor"]!.GetValue<string>()));
        Assert.Equal(screened["decisionId"]!.GetValue<string>(), next["decisionId"]!.GetValue<string>());

        // Everything durable is in PostgreSQL, nothing in the data directory but (at most) the admin token.
        Assert.Equal(41L, Count("SELECT count(*) FROM posts"));
        Assert.Equal(41L, Count("SELECT count(*) FROM decisions WHERE platform = 'pg-demo'"));
        Assert.Equal(10L, Count("SELECT count(*) FROM review_items WHERE status = 'pending'"));
        Assert.Equal(6L, Count("SELECT count(*) FROM orleans_grain_state WHERE grain_type = 'account'"));
        Assert.Equal(1L, Count("SELECT count(*) FROM orleans_membership WHERE status = 3")); // this silo, Active
        Assert.False(File.Exists(Path.Combine(_silo.DataDir, "cluster.db")));
    }

    [Fact]
    public async Task A_reviewers_verdict_in_cluster_mode_supersedes_the_machine_decision()
    {
        var reviewer = _silo.CreateClient().As(await _admin.CreateReviewerAsync("r1"));
        Assert.Equal(HttpStatusCode.Accepted, (await _platform.PostJsonAsync("/v1/posts", new[] { Api.Post("rv-1", "测试广告词，私聊", "acct-r") })).StatusCode);
        var machine = Assert.Single(await _platform.FeedAsync(1));
        Assert.Equal("review", machine["action"]!.GetValue<string>());

        var item = Assert.Single((await (await reviewer.PostAsJsonAsync("/v1/review/claim", new { max = 5 })).Json())["items"]!.AsArray())!;
        Assert.Equal("测试广告词，私聊", item["post"]!["text"]!.GetValue<string>());
        var decided = await reviewer.PostAsJsonAsync($"/v1/review/items/{item["id"]!.GetValue<string>()}/decision", new { verdict = "violation", category = "ads" });
        Assert.Equal(HttpStatusCode.OK, decided.StatusCode);

        var human = Assert.Single(await _platform.FeedAsync(1, machine["cursor"]!.GetValue<string>()));
        Assert.Equal(("human", "block", "r1"), (human["source"]!.GetValue<string>(), human["action"]!.GetValue<string>(), human["reviewer"]!.GetValue<string>()));
        Assert.Equal(machine["decisionId"]!.GetValue<string>(), human["supersedes"]!.GetValue<string>());
        var account = await (await _platform.GetAsync("/v1/accounts/acct-r")).Json();
        Assert.Equal(1, account["strikes"]!.GetValue<int>());
    }

    [Fact]
    public async Task Two_silos_on_one_database_form_one_cluster_and_either_serves_what_the_other_accepted()
    {
        await using var second = new SiloFactory(cluster: _database);
        var platform2 = second.CreateClient().As(_platformKey); // the key the first silo issued
        Assert.Equal(HttpStatusCode.OK, (await platform2.GetAsync("/readyz")).StatusCode);
        Assert.Equal(2L, Count("SELECT count(*) FROM orleans_membership WHERE status = 3"));

        // A long poll on the second silo, waiting when a post sent to the first is decided, returns it long before its wait
        // ends, whichever silo stored the decision (placement decides; over six accounts both silos store some).
        var cursor = "";
        for (var i = 0; i < 6; i++)
        {
            var poll = platform2.GetAsync($"/v1/decisions?after={cursor}&waitMs=30000");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            Assert.Equal(HttpStatusCode.Accepted, (await _platform.PostJsonAsync("/v1/posts", new[] { Api.Post($"w-{i}", "今天天气不错", $"w-{i}") })).StatusCode);
            var page = await (await poll).Json();
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"poll {i} took {clock.Elapsed.TotalSeconds:F1} s");
            Assert.Equal($"w-{i}", Assert.Single(page["decisions"]!.AsArray())!["postId"]!.GetValue<string>());
            cursor = page["next"]!.GetValue<string>();
        }

        // Posts through both silos, over many accounts (so both silos' grains and queues): every one decided exactly once,
        // whichever silo reads the feed.
        var toFirst = Enumerable.Range(0, 30).Select(i => Api.Post($"a-{i}", i % 3 == 0 ? "测试诈骗词，日赚五百" : "今天天气不错", $"u-{i}")).ToArray();
        var toSecond = Enumerable.Range(0, 30).Select(i => Api.Post($"b-{i}", i % 3 == 0 ? "测试广告词，私聊" : "今天天气不错", $"u-{i}")).ToArray();
        var accepted = await Task.WhenAll(_platform.PostJsonAsync("/v1/posts", toFirst), platform2.PostJsonAsync("/v1/posts", toSecond));
        Assert.All(accepted, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));

        var viaFirst = await _platform.FeedAsync(66);
        var viaSecond = await platform2.FeedAsync(66);
        var expected = Enumerable.Range(0, 30).SelectMany(i => new[] { $"a-{i}", $"b-{i}" }).Concat(Enumerable.Range(0, 6).Select(i => $"w-{i}"))
            .Order(StringComparer.Ordinal);
        Assert.Equal(expected, viaFirst.Select(d => d["postId"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.Equal(viaFirst.Select(d => d["decisionId"]!.GetValue<string>()), viaSecond.Select(d => d["decisionId"]!.GetValue<string>()));
        Assert.Equal(10, viaSecond.Count(d => d["action"]!.GetValue<string>() == "block"));
        Assert.Equal(10, viaSecond.Count(d => d["action"]!.GetValue<string>() == "review"));
    }

    private long Count(string sql)
    {
        using var c = new NpgsqlConnection(_database);
        c.Open();
        using var cmd = new NpgsqlCommand(sql, c);
        return (long)cmd.ExecuteScalar()!;
    }
}
