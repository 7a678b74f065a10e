using Cluster.Screening.Lexicon;
using Cluster.Screening.NearDuplicates;
using Microsoft.Extensions.Time.Testing;

namespace Cluster.Screening.Tests.NearDuplicates;

public sealed class ScreenerNearDuplicateTests
{
    private const string Claim =
        "紧急通知：明天起全市自来水将停水七天，原因是水源被化工厂污染，喝了会致癌，请大家马上去超市囤水，"
        + "已经有好几个小区的居民出现了中毒症状，医院都住满了，政府一直在隐瞒消息，不转不是中国人，赶紧转发给家人朋友！";

    [Fact]
    public void A_disguised_repeat_of_a_rumor_gets_a_rumor_finding_and_the_rumor_itself()
    {
        var rumors = RumorLibrary.Build([new Rumor("ru-7", "停水谣言", Claim, "https://example.org/d")], ScreeningEngine.MatchForm);
        var screener = new Screener(LexiconSnapshot.Empty, rumors: rumors);
        var repost = "转：" + Claim.Replace("，", "*", StringComparison.Ordinal).Replace("停水", "停停水", StringComparison.Ordinal);

        var result = screener.Screen(repost);

        Assert.Equal("ru-7", result.Rumor?.Id);
        var finding = Assert.Single(result.Findings);
        Assert.Equal(new Finding(Category.Rumor, Screener.RumorWeight, 0, repost.Length, "停水谣言", "rumor:ru-7"), finding);
        Assert.Null(screener.Screen("今天天气不错，适合出去走走，晚上一起吃饭吧，顺便看个电影").Rumor);
    }

    [Fact]
    public void The_engine_swaps_the_rumor_library_without_losing_the_lexicon()
    {
        var engine = new ScreeningEngine(LexiconSnapshot.Build([new LexiconSource("l", 1, [new LexiconEntry("化工厂", Category.Rumor, 0.1, false)])]));
        Assert.Null(engine.Current.Screen(Claim).Rumor);

        engine.Swap(RumorLibrary.Build([new Rumor("ru-1", "t", Claim, "https://example.org")], ScreeningEngine.MatchForm));

        var result = engine.Current.Screen(Claim);
        Assert.Equal("ru-1", result.Rumor?.Id);
        Assert.Contains(result.Findings, f => f.Source == "lexicon:l@1");
    }

    [Fact]
    public void Copies_of_one_text_become_a_flood_at_the_threshold_and_stop_counting_after_the_window()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-22T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var engine = new ScreeningEngine(LexiconSnapshot.Empty, flood: new FloodDetector(time, TimeSpan.FromMinutes(10), threshold: 3, capacity: 1000));
        const string spam = "限时福利！关注本号回复888即可领取最新资料，名额有限先到先得，快来快来快来";

        Assert.Empty(engine.Current.Screen(spam).Findings);
        Assert.Empty(engine.Current.Screen(spam.Replace("！", "!", StringComparison.Ordinal)).Findings);
        var third = engine.Current.Screen(spam);
        var flood = Assert.Single(third.Findings);
        Assert.Equal((Category.Spam, Screener.FloodSource), (flood.Category, flood.Source));

        time.Advance(TimeSpan.FromMinutes(11));
        Assert.Empty(engine.Current.Screen(spam).Findings);
        Assert.Empty(engine.Current.Screen("好的").Findings); // too short to count at all
    }
}
