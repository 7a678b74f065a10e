using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cluster.Tests.Http;

/// <summary>(platform, post id, content) identifies a post: new content under a stored id is a new version.</summary>
public sealed class EditTests : SiloTestBase
{
    private const string Benign = "今天天气不错";
    private const string Fraud = "测试诈骗词，日赚五百";
    private const string Ads = "测试广告词，私聊";

    [Fact]
    public async Task An_edited_post_is_screened_again_and_its_decision_supersedes_the_old_one()
    {
        var first = await ScreenAsync("e-1", Benign);
        Assert.Equal("allow", first["action"]!.GetValue<string>());
        Assert.Equal(1, first["version"]!.GetValue<int>());

        var edited = await ScreenAsync("e-1", Fraud);
        Assert.Equal("block", edited["action"]!.GetValue<string>());
        Assert.Equal(2, edited["version"]!.GetValue<int>());
        Assert.NotEqual(first["decisionId"]!.GetValue<string>(), edited["decisionId"]!.GetValue<string>());

        var feed = await Platform.FeedAsync(2);
        Assert.Equal(2, feed.Count);
        Assert.Equal([1, 2], feed.Select(d => d["version"]!.GetValue<int>()));
        Assert.All(feed, d => Assert.Equal("machine", d["source"]!.GetValue<string>()));
        Assert.Null(feed[0]["supersedes"]);
        Assert.Equal(first["decisionId"]!.GetValue<string>(), feed[1]["supersedes"]!.GetValue<string>());
        Assert.Equal(edited["decisionId"]!.GetValue<string>(), feed[1]["decisionId"]!.GetValue<string>());

        // The same content again is a duplicate and answers with the decision in force.
        var again = await (await Platform.PostJsonAsync("/v1/posts", new[] { Api.Post("e-1", Fraud) })).Json();
        AssertCounts(again, accepted: 0, duplicates: 1, edited: 0);
        Assert.Equal(edited["decisionId"]!.GetValue<string>(), (await ScreenAsync("e-1", Fraud))["decisionId"]!.GetValue<string>());

        var third = await (await Platform.PostJsonAsync("/v1/posts", new[] { Api.Post("e-1", "普通的一天"), Api.Post("e-2", Benign) })).Json();
        AssertCounts(third, accepted: 2, duplicates: 0, edited: 1);
        var more = await Platform.FeedAsync(2, feed[^1]["cursor"]!.GetValue<string>());
        var v3 = more.Single(d => d["postId"]!.GetValue<string>() == "e-1");
        Assert.Equal(3, v3["version"]!.GetValue<int>());
        Assert.Equal("allow", v3["action"]!.GetValue<string>());
        Assert.Equal(edited["decisionId"]!.GetValue<string>(), v3["supersedes"]!.GetValue<string>());

        // An account counts its posts, not their versions; each blocked version is a violation.
        var account = await (await Platform.GetAsync("/v1/accounts/u-1")).Json();
        Assert.Equal(2, account["posts"]!.GetValue<int>());
        Assert.Equal(1, account["violations"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_kind_change_is_new_content_and_metadata_is_not()
    {
        await ScreenAsync("k-1", Benign);
        var meta = await (await Platform.PostJsonAsync("/v1/posts", new[] { new { id = "k-1", account = "u-1", text = Benign, thread = "t-9", createdAt = "2026-11-22T08:00:00Z" } })).Json();
        AssertCounts(meta, accepted: 0, duplicates: 1, edited: 0);
        var kind = await (await Platform.PostJsonAsync("/v1/posts", new[] { new { id = "k-1", account = "u-1", text = Benign, kind = "comment" } })).Json();
        AssertCounts(kind, accepted: 1, duplicates: 0, edited: 1);
    }

    [Fact]
    public async Task A_late_older_version_is_a_newer_version_and_screened_again()
    {
        await ScreenAsync("late-1", Fraud);
        Assert.Equal("allow", (await ScreenAsync("late-1", Benign))["action"]!.GetValue<string>());

        // Reverting to the blocked text is screened again, so it cannot keep the allow the benign edit got.
        var reverted = await ScreenAsync("late-1", Fraud);
        Assert.Equal("block", reverted["action"]!.GetValue<string>());
        Assert.Equal(3, reverted["version"]!.GetValue<int>());
        var feed = await Platform.FeedAsync(3);
        Assert.Equal(["block", "allow", "block"], feed.Select(d => d["action"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Versions_within_one_batch_and_one_stream_count_as_edits()
    {
        var batch = await (await Platform.PostJsonAsync("/v1/posts", new[] { Api.Post("b-1", Benign), Api.Post("b-1", Ads), Api.Post("b-1", Ads) })).Json();
        AssertCounts(batch, accepted: 2, duplicates: 1, edited: 1);

        var lines = new[] { Api.Post("b-1", Fraud), Api.Post("b-2", Benign), Api.Post("b-1", Fraud) }.Select(p => JsonSerializer.Serialize(p));
        var stream = await (await Platform.PostNdjsonAsync("/v1/posts", lines)).Json();
        AssertCounts(stream, accepted: 2, duplicates: 1, edited: 1);

        var feed = await Platform.FeedAsync(4);
        Assert.Equal([1, 2, 3], feed.Where(d => d["postId"]!.GetValue<string>() == "b-1").Select(d => d["version"]!.GetValue<int>()));
        Assert.Equal("block", (await ScreenAsync("b-1", Fraud))["action"]!.GetValue<string>());
        Assert.Equal(2, (await (await Platform.GetAsync("/v1/accounts/u-1")).Json())["posts"]!.GetValue<int>());
    }

    [Fact]
    public async Task An_edit_supersedes_the_human_decision_in_force()
    {
        var reviewer = Client(await Admin.CreateReviewerAsync("r1"));
        Assert.Equal("review", (await ScreenAsync("h-1", Ads))["action"]!.GetValue<string>());
        var item = (await (await reviewer.PostAsJsonAsync("/v1/review/claim", new { })).Json())["items"]![0]!;
        Assert.Equal(HttpStatusCode.OK, (await reviewer.PostAsJsonAsync($"/v1/review/items/{item["id"]}/decision", new { verdict = "clear" })).StatusCode);
        var human = (await Platform.FeedAsync(2)).Single(d => d["source"]!.GetValue<string>() == "human");
        Assert.Equal(1, human["version"]!.GetValue<int>());

        var edited = await ScreenAsync("h-1", Fraud);
        Assert.Equal("block", edited["action"]!.GetValue<string>());
        var feed = await Platform.FeedAsync(3);
        Assert.Equal(human["decisionId"]!.GetValue<string>(), feed[2]["supersedes"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_edit_closes_the_review_item_open_for_the_previous_version()
    {
        var reviewer = Client(await Admin.CreateReviewerAsync("r1"));
        Assert.Equal("review", (await ScreenAsync("o-1", Ads))["action"]!.GetValue<string>());
        Assert.Equal("review", (await ScreenAsync("o-2", Ads))["action"]!.GetValue<string>());
        var held = (await (await reviewer.PostAsJsonAsync("/v1/review/claim", new { max = 1 })).Json())["items"]![0]!;
        var heldPost = held["post"]!["id"]!.GetValue<string>();
        var otherPost = heldPost == "o-1" ? "o-2" : "o-1";

        // Both posts are edited: the held item and the pending one are closed as superseded.
        Assert.Equal("allow", (await ScreenAsync(heldPost, Benign))["action"]!.GetValue<string>());
        Assert.Equal("allow", (await ScreenAsync(otherPost, Benign))["action"]!.GetValue<string>());

        var late = await reviewer.PostAsJsonAsync($"/v1/review/items/{held["id"]}/decision", new { verdict = "violation" });
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Empty((await (await reviewer.PostAsJsonAsync("/v1/review/claim", new { })).Json())["items"]!.AsArray());
        var queues = (await (await reviewer.GetAsync("/v1/review/queues")).Json()).AsArray();
        Assert.DoesNotContain(queues, q => q!["queue"]!.GetValue<string>() == "ads");

        var feed = await Platform.FeedAsync(4);
        Assert.DoesNotContain(feed, d => d["source"]!.GetValue<string>() == "human");
        Assert.Equal(0, (await (await Platform.GetAsync("/v1/accounts/u-1")).Json())["strikes"]!.GetValue<int>());

        // The new version needs review again: a new item, for the new version.
        Assert.Equal("review", (await ScreenAsync(heldPost, Ads + "。"))["action"]!.GetValue<string>());
        var fresh = (await (await reviewer.PostAsJsonAsync("/v1/review/claim", new { })).Json())["items"]![0]!;
        Assert.NotEqual(held["id"]!.GetValue<string>(), fresh["id"]!.GetValue<string>());
        Assert.Equal(Ads + "。", fresh["post"]!["text"]!.GetValue<string>());
    }

    private async Task<JsonNode> ScreenAsync(string id, string text)
    {
        var response = await Platform.PostJsonAsync("/v1/screen", Api.Post(id, text));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Json())["results"]![0]!;
    }

    private static void AssertCounts(JsonNode body, int accepted, int duplicates, int edited)
    {
        Assert.Equal(accepted, body["accepted"]!.GetValue<int>());
        Assert.Equal(duplicates, body["duplicates"]!.GetValue<int>());
        Assert.Equal(edited, body["edited"]!.GetValue<int>());
        Assert.Empty(body["rejected"]!.AsArray());
    }
}
