using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cluster.Grains.Accounts;
using Cluster.Grains.Posts;
using Cluster.Storage.Postgres.Facts;
using Cluster.Storage.Tests.Postgres;
using Cluster.Tests.Http;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cluster.Tests.Azure;

/// <summary>
/// The real silo with ConnectionStrings:AzureStorage (Azurite) beside ConnectionStrings:Cluster (PostgreSQL): Orleans'
/// Azure providers keep membership, the posts stream and grain state in the storage account, PostgreSQL the facts, and
/// the public API behaves as in the other modes.
/// </summary>
[Collection(AzureCollection.Name)]
public sealed class AzureModeTests(AzuriteServer azurite, PostgresServer postgres) : IAsyncLifetime
{
    private const int Queues = 4;
    private const string TestLexicon = "测试诈骗词\tfraud\t0.9\n测试广告词\tads\t0.5\n";

    private readonly AzureDeployment _deployment = new(azurite, postgres);
    private AzureSiloFactory _silo = null!;
    private HttpClient _platform = null!;

    public async Task InitializeAsync()
    {
        _silo = new AzureSiloFactory(_deployment, Queues);
        var admin = _silo.CreateClient().As(SiloFactory.AdminToken);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/readyz")).StatusCode);
        _platform = _silo.CreateClient().As(await admin.CreatePlatformAsync("az-demo"));
        (await admin.PutAsync("/v1/admin/lexicons/test", new StringContent(TestLexicon, Encoding.UTF8, "text/plain"))).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        await _silo.DisposeAsync();
        _deployment.Dispose();
    }

    [Fact]
    public async Task Posts_go_through_Azure_queues_are_each_decided_once_and_account_state_is_in_blobs()
    {
        var expected = Enumerable.Range(0, 60).ToDictionary(i => $"p-{i}", i => (i % 4) switch { 0 => "block", 1 => "review", _ => "allow" });
        var lines = Enumerable.Range(0, 60).Select(i => JsonSerializer.Serialize(new
        {
            id = $"p-{i}",
            account = $"u-{i % 6}",
            text = (i % 4) switch { 0 => $"测试诈骗词，日赚五百 {i}", 1 => $"测试广告词，私聊 {i}", _ => $"今天天气不错 {i}" },
        })).ToList();

        var accepted = await (await _platform.PostNdjsonAsync("/v1/posts", lines[..30])).Json();
        Assert.Equal((30, 0), (accepted["accepted"]!.GetValue<int>(), accepted["duplicates"]!.GetValue<int>()));
        accepted = await (await _platform.PostNdjsonAsync("/v1/posts", lines[30..])).Json();
        Assert.Equal((30, 0), (accepted["accepted"]!.GetValue<int>(), accepted["duplicates"]!.GetValue<int>()));
        // The same posts again, some perhaps not yet decided (their events are produced again and skipped by the marks).
        var again = await (await _platform.PostNdjsonAsync("/v1/posts", lines)).Json();
        Assert.Equal((0, 60), (again["accepted"]!.GetValue<int>(), again["duplicates"]!.GetValue<int>()));

        var feed = await _platform.FeedAsync(60);
        Assert.Equal(expected, feed.ToDictionary(d => d["postId"]!.GetValue<string>(), d => d["action"]!.GetValue<string>()));
        await DrainedAsync();
        // Nothing more came once the queues are empty: each post has exactly its one machine decision.
        var after = await (await _platform.GetAsync($"/v1/decisions?after={feed[^1]["cursor"]}&limit=1000")).Json();
        Assert.Empty(after["decisions"]!.AsArray());

        // The stream went through the service's Azure queues (created by Orleans, now empty), none through PostgreSQL's.
        Assert.Equal(_deployment.QueueNames(Queues).Order(StringComparer.Ordinal), (await _deployment.ExistingQueuesAsync()).Order(StringComparer.Ordinal));
        Assert.Equal(0, await _deployment.QueuedMessagesAsync(Queues));
        Assert.Equal(0L, Count("SELECT count(*) FROM queue_seq"));
        Assert.Equal(0L, Count("SELECT count(*) FROM stream_message"));
        Assert.Equal(0L, Count("SELECT count(*) FROM orleans_grain_state"));
        Assert.Equal(0L, Count("SELECT count(*) FROM orleans_membership"));

        // Facts in PostgreSQL.
        Assert.Equal(60L, Count("SELECT count(*) FROM posts"));
        Assert.Equal(60L, Count("SELECT count(*) FROM decisions WHERE source = 'machine'"));
        Assert.Equal(15L, Count("SELECT count(*) FROM review_items"));

        // Account state as the grains' JSON, one blob per account, each post counted once.
        var states = await AccountStatesAsync();
        Assert.Equal(Enumerable.Range(0, 6).Select(i => $"u-{i}"), states.Keys.Order(StringComparer.Ordinal));
        Assert.All(states.Values, s => Assert.Equal(10, s["posts"]!.GetValue<int>()));
        Assert.All(states.Values, s => Assert.Equal(10, s["recentPosts"]!.AsArray().Count));
        Assert.All(states.Values, s => Assert.Equal(0, s["lastSeq"]?.GetValue<long>() ?? 0)); // Azure's tokens are not kept
        var account = await (await _platform.GetAsync("/v1/accounts/u-0")).Json();
        Assert.Equal(10, account["posts"]!.GetValue<int>());

        // This silo is the cluster's one active member in Orleans' Azure table.
        Assert.Equal("Active", Assert.Single(await _deployment.MembersAsync()).Status);
        Assert.False(File.Exists(Path.Combine(_silo.DataDir, "cluster.db")));
    }

    [Fact]
    public async Task The_synchronous_path_and_an_edit_are_decided_through_the_same_grain_and_blob_state()
    {
        var screened = (await (await _platform.PostJsonAsync("/v1/screen", Api.Post("s-1", "测试诈骗词，加我", "u-s"))).Json())["results"]![0]!;
        Assert.Equal("block", screened["action"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.Accepted, (await _platform.PostJsonAsync("/v1/posts", new[] { Api.Post("e-1", "今天天气不错", "u-s") })).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await _platform.PostJsonAsync("/v1/posts", new[] { Api.Post("e-1", "测试诈骗词，改过了", "u-s") })).StatusCode);
        var feed = await _platform.FeedAsync(3);
        Assert.Equal(["s-1:1:block", "e-1:1:allow", "e-1:2:block"],
            feed.Select(d => $"{d["postId"]}:{d["version"]}:{d["action"]}"));
        Assert.Equal(feed[1]["decisionId"]!.GetValue<string>(), feed[2]["supersedes"]!.GetValue<string>());
        await DrainedAsync();

        var state = (await AccountStatesAsync())["u-s"];
        Assert.Equal(2, state["posts"]!.GetValue<int>()); // an edit is the same post
        Assert.Equal(2, state["violations"]!.GetValue<int>());
        Assert.Equal(["1:s-1", "1:e-1", "2:e-1"], state["recentPosts"]!.AsArray().Select(m => m!.GetValue<string>()));
    }

    /// <summary>
    /// What a crash between the facts commit and the produce leaves (or a produce that failed): posts stored without a
    /// queue message and without a 202. The platform's retry finds them stored; since neither has a decision, their
    /// events are produced again and each is decided once. A third send, once decided, changes nothing.
    /// </summary>
    [Fact]
    public async Task Posts_stored_without_their_events_are_decided_when_the_platform_sends_them_again()
    {
        var facts = _silo.Services.GetRequiredService<PostgresFactsStore>();
        var now = DateTimeOffset.UtcNow;
        var lost = new[] { ("lost-1", "测试诈骗词，日赚五百"), ("lost-2", "今天天气不错") };
        var stored = await facts.AppendPostsAsync(lost.Select(p => new PostAppend(
            new PostRecord("az-demo", p.Item1, "u-l", "post", p.Item2, null, now, ContentHash.Of("post", p.Item2), 1),
            new PostSubmitted(PostSubmitted.CurrentV, "az-demo", p.Item1, "u-l", "post", now, null, []), Enqueue: false)).ToList(), CancellationToken.None);
        Assert.All(stored, o => Assert.Equal(AppendKind.New, o.Kind));
        Assert.Equal(0, await _deployment.QueuedMessagesAsync(Queues));

        var retry = lost.Select(p => Api.Post(p.Item1, p.Item2, "u-l")).ToArray();
        var again = await (await _platform.PostJsonAsync("/v1/posts", retry)).Json();
        Assert.Equal((0, 2), (again["accepted"]!.GetValue<int>(), again["duplicates"]!.GetValue<int>()));
        var feed = await _platform.FeedAsync(2);
        Assert.Equal(["lost-1:block", "lost-2:allow"], feed.Select(d => $"{d["postId"]}:{d["action"]}").Order(StringComparer.Ordinal));

        again = await (await _platform.PostJsonAsync("/v1/posts", retry)).Json();
        Assert.Equal((0, 2), (again["accepted"]!.GetValue<int>(), again["duplicates"]!.GetValue<int>()));
        await DrainedAsync();
        var after = await (await _platform.GetAsync($"/v1/decisions?after={feed[^1]["cursor"]}&limit=1000")).Json();
        Assert.Empty(after["decisions"]!.AsArray());
        Assert.Equal(2, (await (await _platform.GetAsync("/v1/accounts/u-l")).Json())["posts"]!.GetValue<int>());
    }

    /// <summary>Waits until the service's queues hold no message (bounded): every event delivered and deleted.</summary>
    private async Task DrainedAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (await _deployment.QueuedMessagesAsync(Queues) > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the Azure queues kept messages for 60 s");
            await Task.Delay(200);
        }
    }

    private async Task<Dictionary<string, JsonNode>> AccountStatesAsync()
    {
        var states = new Dictionary<string, JsonNode>();
        var container = _deployment.GrainState;
        await foreach (var blob in container.GetBlobsAsync(global::Azure.Storage.Blobs.Models.BlobTraits.None, global::Azure.Storage.Blobs.Models.BlobStates.None, "account-", CancellationToken.None))
        {
            var content = await container.GetBlobClient(blob.Name).DownloadContentAsync();
            // The blob is named after the grain id, "account-account/<platform>/<account>.json".
            var account = blob.Name[(blob.Name.LastIndexOf('/') + 1)..^".json".Length];
            states[account] = JsonNode.Parse(content.Value.Content.ToString())!;
        }
        return states;
    }

    private long Count(string sql)
    {
        using var c = new NpgsqlConnection(_deployment.Database);
        c.Open();
        using var cmd = new NpgsqlCommand(sql, c);
        return (long)cmd.ExecuteScalar()!;
    }
}
