using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Cluster.Tests.Http;

public sealed class IngestTests : SiloTestBase
{
    [Fact]
    public async Task A_json_batch_is_accepted_once_and_every_post_gets_one_machine_decision()
    {
        var posts = new[] { Api.Post("p-1", "今天天气不错"), Api.Post("p-2", "测试诈骗词，日赚五百"), Api.Post("p-3", "测试广告词，私聊") };
        var first = await Platform.PostJsonAsync("/v1/posts", posts);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var body = await first.Json();
        Assert.Equal(3, body["accepted"]!.GetValue<int>());
        Assert.Equal(0, body["duplicates"]!.GetValue<int>());

        var again = await (await Platform.PostJsonAsync("/v1/posts", posts)).Json();
        Assert.Equal(0, again["accepted"]!.GetValue<int>());
        Assert.Equal(3, again["duplicates"]!.GetValue<int>());

        var feed = await Platform.FeedAsync(3);
        Assert.Equal(["p-1", "p-2", "p-3"], feed.Select(d => d["postId"]!.GetValue<string>()).Order());
        var actions = feed.ToDictionary(d => d["postId"]!.GetValue<string>(), d => d["action"]!.GetValue<string>());
        Assert.Equal("allow", actions["p-1"]);
        Assert.Equal("block", actions["p-2"]);
        Assert.Equal("review", actions["p-3"]);
        Assert.All(feed, d => Assert.Equal("machine", d["source"]!.GetValue<string>()));

        // Nothing more arrives: the resubmission decided nothing a second time.
        var last = feed[^1]["cursor"]!.GetValue<string>(); // the feed is in order; cursors are opaque
        var more = await (await Platform.GetAsync($"/v1/decisions?after={last}&waitMs=200")).Json();
        Assert.Empty(more["decisions"]!.AsArray());
        Assert.Equal(last, more["next"]!.GetValue<string>());

        var account = await (await Platform.GetAsync("/v1/accounts/u-1")).Json();
        Assert.Equal(3, account["posts"]!.GetValue<int>());
        Assert.Equal(1, account["violations"]!.GetValue<int>());
        Assert.Equal(0.9, account["categories"]!["fraud"]!.GetValue<double>());
    }

    [Fact]
    public async Task Bad_items_are_rejected_one_by_one_and_the_rest_of_the_batch_is_accepted()
    {
        var batch = new JsonArray(
            JsonNode.Parse("""{"id":"ok-1","account":"a","text":"hello"}"""),
            JsonNode.Parse("""{"id":"bad-1","account":"a"}"""),
            JsonNode.Parse("""{"id":"","account":"a","text":"x"}"""),
            JsonNode.Parse("42"),
            JsonNode.Parse($$"""{"id":"bad-4","account":"a","text":"{{new string('长', 20_001)}}"}"""),
            JsonNode.Parse("""{"id":"bad-5","account":"a","text":"x","kind":"tweet"}"""),
            JsonNode.Parse("""{"id":"bad-6","account":"a","text":"x","accountMeta":{"followers":-1}}"""),
            JsonNode.Parse("""{"id":"ok-2","account":"a","text":"world","createdAt":"2026-11-22T08:00:00Z","accountMeta":{"verified":true}}"""));
        var response = await Platform.PostAsync("/v1/posts", new StringContent(batch.ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Json();
        Assert.Equal(2, body["accepted"]!.GetValue<int>());
        var rejected = body["rejected"]!.AsArray().ToDictionary(r => r!["index"]!.GetValue<int>(), r => r!["error"]!.GetValue<string>());
        Assert.Equal([1, 2, 3, 4, 5, 6], rejected.Keys.Order());
        Assert.StartsWith("text:", rejected[1]);
        Assert.StartsWith("id:", rejected[2]);
        Assert.StartsWith("item:", rejected[3]);
        Assert.StartsWith("text: 20001 characters", rejected[4]);
        Assert.StartsWith("kind:", rejected[5]);
        Assert.StartsWith("accountMeta.followers:", rejected[6]);

        var feed = await Platform.FeedAsync(2);
        Assert.Equal(["ok-1", "ok-2"], feed.Select(d => d["postId"]!.GetValue<string>()).Order());
    }

    [Fact]
    public async Task An_ndjson_stream_rejects_bad_lines_alone()
    {
        var lines = new List<byte[]>
        {
            Encoding.UTF8.GetBytes("""{"id":"s-0","account":"a","text":"第一行"}"""),
            Encoding.UTF8.GetBytes("""{"id":"s-1","account":"a","text": oops}"""),
            Encoding.UTF8.GetBytes("""{"id":"s-2","account":"a","text":""").Concat(new byte[] { 0x22, 0xC3, 0x28, 0x22, (byte)'}' }).ToArray(),
            Encoding.UTF8.GetBytes(""),
            Encoding.UTF8.GetBytes("""{"id":"s-4","account":"b","text":"测试诈骗词"}"""),
            Encoding.UTF8.GetBytes("""{"id":"s-5","account":"b","text":"no newline at the end"}"""),
        };
        var bytes = lines.SelectMany((l, i) => i < lines.Count - 1 ? [.. l, (byte)'\n'] : l).ToArray();
        var response = await Platform.PostAsync("/v1/posts", Raw(bytes, "application/x-ndjson"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Json();
        Assert.Equal(3, body["accepted"]!.GetValue<int>());
        var rejected = body["rejected"]!.AsArray().ToDictionary(r => r!["index"]!.GetValue<int>(), r => r!["error"]!.GetValue<string>());
        Assert.Equal("line: not valid JSON", rejected[1]);
        Assert.Equal("line: not valid UTF-8", rejected[2]);
        Assert.Equal(2, rejected.Count);
    }

    [Theory]
    [InlineData("[{\"id\":", "invalid-body")]
    [InlineData("{\"id\":\"x\",\"account\":\"a\",\"text\":\"t\"}", "validation")]
    public async Task A_body_that_is_not_a_json_array_gets_problem_details(string json, string problem)
    {
        var response = await Platform.PostAsync("/v1/posts", new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var body = await response.Json();
        Assert.Equal("urn:screening-cluster:problem:" + problem, body["type"]!.GetValue<string>());
        if (problem == "validation")
        {
            Assert.NotNull(body["errors"]!["body"]);
        }
    }

    [Fact]
    public async Task Invalid_utf8_wrong_media_type_and_oversized_batches_are_refused_whole()
    {
        var invalid = await Platform.PostAsync("/v1/posts", Raw([(byte)'[', (byte)'"', 0xFF, (byte)'"', (byte)']'], "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Contains("UTF-8", (await invalid.Json())["detail"]!.GetValue<string>());

        var xml = await Platform.PostAsync("/v1/posts", new StringContent("<posts/>", Encoding.UTF8, "application/xml"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, xml.StatusCode);

        var tooMany = Enumerable.Range(0, 5001).Select(i => Api.Post($"big-{i}", "x")).ToArray();
        var big = await Platform.PostJsonAsync("/v1/posts", tooMany);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, big.StatusCode);
        Assert.Equal("urn:screening-cluster:problem:too-large", (await big.Json())["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Screen_returns_the_final_decision_with_evidence_in_original_offsets()
    {
        // Full-width spacing and a zero-width space inside the term: the span must still cover the original characters.
        var text = "看这里：测试\u200B诈骗词，还有测试毒品店事";
        var response = await Platform.PostJsonAsync("/v1/screen", new[] { Api.Post("sc-1", text, "acct-s"), Api.Post("sc-2", "普通的一天", "acct-s") });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var results = (await response.Json())["results"]!.AsArray();
        Assert.Equal(2, results.Count);
        var blocked = results[0]!;
        Assert.Equal("sc-1", blocked["id"]!.GetValue<string>());
        Assert.Equal("block", blocked["action"]!.GetValue<string>());
        var labels = blocked["labels"]!.AsArray();
        var fraud = Assert.Single(labels);
        Assert.Equal("fraud", fraud!["category"]!.GetValue<string>());
        var evidence = Assert.Single(fraud["evidence"]!.AsArray())!;
        var start = evidence["start"]!.GetValue<int>();
        var end = evidence["end"]!.GetValue<int>();
        Assert.Equal("测试\u200B诈骗词", text[start..end]);
        Assert.StartsWith("lexicon:test@1", evidence["source"]!.GetValue<string>());
        Assert.Equal("allow", results[1]!["action"]!.GetValue<string>());

        // Resubmitting answers with the decision already made, not a new one.
        var again = (await (await Platform.PostJsonAsync("/v1/screen", Api.Post("sc-1", text, "acct-s"))).Json())["results"]![0]!;
        Assert.Equal(blocked["decisionId"]!.GetValue<string>(), again["decisionId"]!.GetValue<string>());
    }

    [Fact]
    public async Task Screen_masks_personal_information_in_evidence()
    {
        const string id = "11010519491231002X"; // the GB 11643 example number, valid check digit
        var result = (await (await Platform.PostJsonAsync("/v1/screen", Api.Post("pii-1", $"我的身份证号是{id}，电话13812345678"))).Json())["results"]![0]!;
        Assert.Equal("review", result["action"]!.GetValue<string>());
        var evidence = result["labels"]!.AsArray().SelectMany(l => l!["evidence"]!.AsArray()).Select(e => e!["text"]!.GetValue<string>()).ToList();
        Assert.NotEmpty(evidence);
        Assert.DoesNotContain(evidence, e => e.Contains("19491231") || e.Contains("1234567"));
    }

    [Fact]
    public async Task A_policy_change_moves_the_same_content_from_block_to_review()
    {
        var before = (await (await Platform.PostJsonAsync("/v1/screen", Api.Post("pol-0", "测试诈骗词"))).Json())["results"]![0]!;
        Assert.Equal(("block", 0), (before["action"]!.GetValue<string>(), before["policyVersion"]!.GetValue<int>()));

        var policy = await Admin.PutAsync("/v1/admin/platforms/demo/policy", JsonContent("""{"thresholds":{"fraud":{"review":0.5,"block":0.95}}}"""));
        Assert.Equal(HttpStatusCode.OK, policy.StatusCode);
        Assert.Equal(1, (await policy.Json())["version"]!.GetValue<int>());

        var result = (await (await Platform.PostJsonAsync("/v1/screen", Api.Post("pol-1", "测试诈骗词"))).Json())["results"]![0]!;
        Assert.Equal(("review", 1), (result["action"]!.GetValue<string>(), result["policyVersion"]!.GetValue<int>()));
        // The feed names the policy version each machine decision applied.
        var feed = await Platform.FeedAsync(2);
        Assert.Equal([("pol-0", 0), ("pol-1", 1)], feed.Select(d => (d["postId"]!.GetValue<string>(), d["policyVersion"]!.GetValue<int>())));

        var bad = await Admin.PutAsync("/v1/admin/platforms/demo/policy", JsonContent("""{"thresholds":{"casino":{"review":0.5,"block":0.9},"fraud":{"review":0.9,"block":0.2}}}"""));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Json())["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("thresholds.casino"));
        Assert.True(errors.ContainsKey("thresholds.fraud"));

        var missing = await Admin.PutAsync("/v1/admin/platforms/nope/policy", JsonContent("""{"thresholds":{}}"""));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task A_lexicon_upload_takes_effect_without_restart_and_names_its_version()
    {
        var before = (await (await Platform.PostJsonAsync("/v1/screen", Api.Post("lx-1", "出售测试新词"))).Json())["results"]![0]!;
        Assert.Equal("allow", before["action"]!.GetValue<string>());

        var put = await Admin.PutAsync("/v1/admin/lexicons/test", new StringContent(TestLexicon + "测试新词\tdrugs\t0.9\n", Encoding.UTF8, "text/plain"));
        var body = await put.Json();
        Assert.Equal(2, body["version"]!.GetValue<int>());
        Assert.Equal(5, body["terms"]!.GetValue<int>());

        var after = (await (await Platform.PostJsonAsync("/v1/screen", Api.Post("lx-2", "出售测试新词"))).Json())["results"]![0]!;
        Assert.Equal("block", after["action"]!.GetValue<string>());
        Assert.Equal("lexicon:test@2", after["labels"]![0]!["evidence"]![0]!["source"]!.GetValue<string>());

        var broken = await Admin.PutAsync("/v1/admin/lexicons/test", new StringContent("好词\tnot-a-category\n", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        Assert.True((await broken.Json())["errors"]!.AsObject().ContainsKey("line 1"));
    }

    [Fact]
    public async Task The_allow_list_keeps_a_longer_benign_word_from_matching()
    {
        var result = (await (await Platform.PostJsonAsync("/v1/screen", Api.Post("al-1", "这真是个测试毒品店"))).Json())["results"]![0]!;
        Assert.Equal("allow", result["action"]!.GetValue<string>());
        Assert.Empty(result["labels"]!.AsArray());
    }

    private static StringContent JsonContent(string json) => new(json, Encoding.UTF8, "application/json");
}
