using System.Net;

namespace Cluster.Tests.Http;

public sealed class RumorTests : SiloTestBase
{
    private const string Claim =
        "紧急通知：明天起全市自来水将停水七天，原因是水源被化工厂污染，喝了会致癌，请大家马上去超市囤水，"
        + "已经有好几个小区的居民出现了中毒症状，医院都住满了，政府一直在隐瞒消息，不转不是中国人，赶紧转发给家人朋友！";

    [Fact]
    public async Task A_post_repeating_a_known_rumor_is_labelled_rumor_with_the_debunk_notice_in_the_result_and_the_feed()
    {
        var created = await Admin.PostJsonAsync("/v1/admin/rumors", new { title = "全市停水七天系谣言", claim = Claim, debunkUrl = "https://www.piyao.org.cn/example" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var rumorId = (await created.Json())["rumorId"]!.GetValue<string>();
        Assert.Equal("ru-1", rumorId);

        // Re-typed with full-width punctuation, an invisible char and spaces: the same claim to a reader.
        var repost = Claim.Replace("，", ",", StringComparison.Ordinal).Replace("停水", "停\u200B水", StringComparison.Ordinal).Replace("请大家", "请 大 家", StringComparison.Ordinal);
        var screened = await (await Platform.PostJsonAsync("/v1/screen", new[] { Api.Post("r-1", repost), Api.Post("r-2", "今天天气不错，适合出去走走，晚上一起吃饭吧") })).Json();

        var results = screened["results"]!.AsArray().ToDictionary(r => r!["id"]!.GetValue<string>(), r => r!);
        var hit = results["r-1"];
        Assert.Equal("block", hit["action"]!.GetValue<string>());
        var label = Assert.Single(hit["labels"]!.AsArray(), l => l!["category"]!.GetValue<string>() == "rumor")!;
        Assert.Equal($"rumor:{rumorId}", label["evidence"]![0]!["source"]!.GetValue<string>());
        Assert.Equal(rumorId, hit["debunk"]!["rumorId"]!.GetValue<string>());
        Assert.Equal("全市停水七天系谣言", hit["debunk"]!["title"]!.GetValue<string>());
        Assert.Equal("https://www.piyao.org.cn/example", hit["debunk"]!["url"]!.GetValue<string>());
        Assert.Null(results["r-2"]["debunk"]);
        Assert.Equal("allow", results["r-2"]["action"]!.GetValue<string>());

        var feed = await Platform.FeedAsync(2);
        Assert.Equal(rumorId, feed.Single(d => d["postId"]!.GetValue<string>() == "r-1")["debunk"]!["rumorId"]!.GetValue<string>());
    }

    [Fact]
    public async Task Every_added_rumor_is_matched_not_only_the_first()
    {
        await Admin.PostJsonAsync("/v1/admin/rumors", new { title = "停水谣言", claim = Claim, debunkUrl = "https://example.org/debunk" });
        var second = await Admin.PostJsonAsync("/v1/admin/rumors", new { title = "另一条", claim = "吃香蕉和酸奶同时会中毒死亡，已经有人因此进了医院，千万不要一起吃", debunkUrl = "https://example.org/2" });
        Assert.Equal("ru-2", (await second.Json())["rumorId"]!.GetValue<string>());

        var screened = await (await Platform.PostJsonAsync("/v1/screen", new[] { Api.Post("b-1", "吃香蕉和酸奶同时会中毒死亡，已经有人因此进了医院，千万不要一起吃") })).Json();

        Assert.Equal("ru-2", screened["results"]![0]!["debunk"]!["rumorId"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"claim":"足够长的一条谣言内容文本","debunkUrl":"https://a.b/c"}""", "title")]
    [InlineData("""{"title":"t","claim":"太短","debunkUrl":"https://a.b/c"}""", "claim")]
    [InlineData("""{"title":"t","claim":"足够长的一条谣言内容文本","debunkUrl":"ftp://a.b/c"}""", "debunkUrl")]
    [InlineData("""{"title":"t","claim":"足够长的一条谣言内容文本"}""", "debunkUrl")]
    public async Task Bad_rumors_get_a_problem_naming_the_field(string body, string field)
    {
        var response = await Admin.PostAsync("/v1/admin/rumors", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull((await response.Json())["errors"]![field]);
    }

    [Fact]
    public async Task Only_admins_add_rumors()
    {
        var response = await Platform.PostJsonAsync("/v1/admin/rumors", new { title = "t", claim = Claim, debunkUrl = "https://a.b/c" });
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
