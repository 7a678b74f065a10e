using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cluster.Grains.Posts;

namespace Cluster.Tests.Http;

/// <summary>Cursors and ids tell a platform or reviewer nothing about data they may not see.</summary>
public sealed partial class IdsTests : SiloTestBase
{
    [Fact]
    public async Task A_platforms_cursors_and_decision_ids_do_not_depend_on_another_platforms_volume()
    {
        // Platform A's first two decisions, while A is alone.
        await Platform.PostJsonAsync("/v1/posts", new[] { Api.Post("a-0", "你好") });
        var aFirst = Assert.Single(await Platform.FeedAsync(1))!;
        await Platform.PostJsonAsync("/v1/posts", new[] { Api.Post("a-1", "你好") });
        var aSecond = Assert.Single(await Platform.FeedAsync(1, aFirst["cursor"]!.GetValue<string>()))!;

        // A grows by 500 decisions, then B starts.
        var lines = Enumerable.Range(2, 500).Select(i => JsonSerializer.Serialize(Api.Post($"a-{i}", "普通内容" + i)));
        Assert.Equal(HttpStatusCode.Accepted, (await Platform.PostNdjsonAsync("/v1/posts", lines)).StatusCode);
        Assert.Equal(500, (await Platform.FeedAsync(500, aSecond["cursor"]!.GetValue<string>())).Count);

        var b = Client(await Admin.CreatePlatformAsync("other"));
        await b.PostJsonAsync("/v1/posts", new[] { Api.Post("b-0", "你好"), Api.Post("b-1", "你好") });
        var bFeed = await b.FeedAsync(2);
        Assert.Equal(["b-0", "b-1"], bFeed.Select(d => d["postId"]!.GetValue<string>()).Order());
        Assert.Equal(aFirst["cursor"]!.GetValue<string>(), bFeed[0]["cursor"]!.GetValue<string>());
        Assert.Equal(aSecond["cursor"]!.GetValue<string>(), bFeed[1]["cursor"]!.GetValue<string>());

        // Decision ids are a function of (platform, post id, version) alone: no count, partition or order in them.
        foreach (var d in bFeed)
        {
            var id = d["decisionId"]!.GetValue<string>();
            Assert.Matches(DecisionId(), id);
            Assert.Equal(DerivedIds.MachineDecision("other", d["postId"]!.GetValue<string>(), 1), id);
        }
        Assert.NotEqual(bFeed[0]["decisionId"]!.GetValue<string>()[..6], bFeed[1]["decisionId"]!.GetValue<string>()[..6]);
    }

    [Fact]
    public async Task After_zero_reads_from_the_start_as_clients_of_earlier_builds_expect()
    {
        await Platform.PostJsonAsync("/v1/posts", new[] { Api.Post("z-0", "你好"), Api.Post("z-1", "你好") });
        var fromStart = await Platform.FeedAsync(2);
        var page = await (await Platform.GetAsync("/v1/decisions?after=0&limit=10")).Json();
        Assert.Equal(
            fromStart.Select(d => d["decisionId"]!.GetValue<string>()),
            page["decisions"]!.AsArray().Select(d => d!["decisionId"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("00")]
    [InlineData("12")]
    [InlineData("c_")]
    [InlineData("c_AAAAAAAAAAE=")]
    [InlineData("c_%2F%2F%2F%2F%2F%2F%2F%2F%2F%2F8")]
    [InlineData("not-a-cursor")]
    public async Task A_malformed_cursor_is_a_400_naming_after(string after)
    {
        var response = await Platform.GetAsync($"/v1/decisions?after={after}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull((await response.Json())["errors"]!["after"]);
    }

    [Fact]
    public async Task A_review_item_outside_the_callers_queues_answers_exactly_like_a_missing_one()
    {
        var all = Client(await Admin.CreateReviewerAsync("all"));
        var fraudOnly = Client(await Admin.CreateReviewerAsync("fraud-only", queues: ["fraud"]));
        var senior = Client(await Admin.CreateReviewerAsync("senior", "senior"));
        foreach (var id in new[] { "q-1", "q-2" })
        {
            var result = (await (await Platform.PostJsonAsync("/v1/screen", Api.Post(id, "测试广告词，私聊"))).Json())["results"]![0]!;
            Assert.Equal("review", result["action"]!.GetValue<string>());
        }
        var claimed = (await (await all.PostAsJsonAsync("/v1/review/claim", new { })).Json())["items"]!.AsArray();
        Assert.Equal(2, claimed.Count);
        Assert.All(claimed, i => Assert.Matches(ReviewItemId(), i!["id"]!.GetValue<string>()));
        var adsItem = claimed[0]!["id"]!.GetValue<string>();
        var seniorItem = claimed[1]!["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.OK, (await all.PostAsJsonAsync($"/v1/review/items/{seniorItem}/decision", new { verdict = "escalate" })).StatusCode);

        var missing = "r_" + new string('a', 26);
        var expectedDecision = await Shape(await fraudOnly.PostAsJsonAsync($"/v1/review/items/{missing}/decision", new { verdict = "clear" }));
        var expectedRelease = await Shape(await fraudOnly.PostAsync($"/v1/review/items/{missing}/release", null));
        Assert.Equal(HttpStatusCode.NotFound, expectedDecision.Status);

        // Another queue's item (held by someone else), and a senior-only item for reviewers who are not senior.
        Assert.Equal(expectedDecision, await Shape(await fraudOnly.PostAsJsonAsync($"/v1/review/items/{adsItem}/decision", new { verdict = "clear" })));
        Assert.Equal(expectedRelease, await Shape(await fraudOnly.PostAsync($"/v1/review/items/{adsItem}/release", null)));
        Assert.Equal(expectedDecision, await Shape(await all.PostAsJsonAsync($"/v1/review/items/{seniorItem}/decision", new { verdict = "clear" })));
        Assert.Equal(expectedRelease, await Shape(await all.PostAsync($"/v1/review/items/{seniorItem}/release", null)));

        // 409 stays for an item the caller may see but does not hold.
        Assert.Equal(HttpStatusCode.Conflict, (await senior.PostAsJsonAsync($"/v1/review/items/{adsItem}/decision", new { verdict = "clear" })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await senior.PostAsync($"/v1/review/items/{seniorItem}/release", null)).StatusCode);
    }

    /// <summary>Status and body, without the per-request trace id.</summary>
    private static async Task<(HttpStatusCode Status, string Body)> Shape(HttpResponseMessage response)
    {
        var body = (await response.Json()).AsObject();
        body.Remove("traceId");
        return (response.StatusCode, body.ToJsonString());
    }

    [GeneratedRegex("^d_[a-z2-7]{26}$")]
    private static partial Regex DecisionId();

    [GeneratedRegex("^r_[a-z2-7]{26}$")]
    private static partial Regex ReviewItemId();
}
