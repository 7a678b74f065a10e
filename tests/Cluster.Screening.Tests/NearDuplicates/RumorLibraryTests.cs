using Cluster.Screening.NearDuplicates;
using Cluster.Screening.Normalization;
using Cluster.Testing;

namespace Cluster.Screening.Tests.NearDuplicates;

public sealed class RumorLibraryTests
{
    private const string TapWater =
        "紧急通知：自来水公司明天起将在全市自来水中添加一种新型消毒剂，喝了会导致不孕不育，请大家马上囤积桶装水，" +
        "千万不要再喝自来水，转发给你关心的每一个人，晚了就来不及了！据内部人士透露，这个消息已经被官方压下来了，电视新闻不会报道。" +
        "我表哥就在水厂上班，他说厂里的领导早就不喝自来水了，家家都装了进口的净水器。这种消毒剂无色无味，烧开了也去不掉，" +
        "孕妇和小孩最危险，已经有好几个小区的居民喝了以后出现头晕恶心的症状，被送到医院检查。看到的朋友请一定要转发到每一个群里。";

    private const string Noodles =
        "速看！某品牌方便面里面含有大量塑料成分，用火一烧就能点着，长期食用会在胃里形成结石，已经有多名儿童因此住院抢救，" +
        "医院的医生都不让自己的孩子吃方便面，赶紧告诉家里的老人和小孩，不要再买这种方便面了。";

    private const string Lockdown =
        "网传本市将于下周一开始全面封城，所有超市只开放两个小时，公交地铁全部停运，外地车辆一律不准进入，" +
        "请市民提前购买一个月的粮食和蔬菜，消息来自市政府工作人员的朋友圈，千真万确。";

    private const string Vinegar = "喝醋能杀死病毒";

    private static readonly Rumor[] Rumors =
    [
        new("r-tap-water", "自来水添加剂致不孕", TapWater, "https://example.org/debunk/tap-water"),
        new("r-noodles", "方便面含塑料", Noodles, "https://example.org/debunk/noodles"),
        new("r-lockdown", "下周一全面封城", Lockdown, "https://example.org/debunk/lockdown"),
        new("r-vinegar", "喝醋杀病毒", Vinegar, "https://example.org/debunk/vinegar"),
    ];

    private static readonly RumorLibrary Library = RumorLibrary.Build(Rumors, TextNormalizer.Normalize);

    [Fact]
    public void Counts_every_rumor_including_ones_too_short_to_index()
    {
        Assert.Equal(4, Library.Count);
        Assert.Equal(0, RumorLibrary.Empty.Count);
    }

    [Fact]
    public void Matches_the_claim_itself_at_distance_zero()
    {
        Assert.Same(Rumors[1], Library.Match(TextNormalizer.Normalize(Noodles), out var distance));
        Assert.Equal(0, distance);
    }

    [Fact]
    public void Matches_a_claim_disguised_with_spaces_and_half_width_punctuation_that_normalization_undoes()
    {
        // The normalizer drops spaces between CJK chars and folds full-width punctuation to ASCII.
        var disguised = string.Join(' ', TapWater[..4].ToCharArray()) + TapWater[4..].Replace('，', ',');
        Assert.Equal(TextNormalizer.Normalize(TapWater), TextNormalizer.Normalize(disguised));

        Assert.Same(Rumors[0], Library.Match(TextNormalizer.Normalize(disguised), out var distance));
        Assert.Equal(0, distance);
    }

    [Theory]
    [InlineData("明天起", "后天起")]
    [InlineData("明天起", "下周起")]
    [InlineData("紧急通知", "重要通知")]
    [InlineData("转发给你", "转给你")]
    [InlineData("！", "！！！")]
    [InlineData("电视新闻不会报道。", "电视新闻不会报道")]
    [InlineData("马上", "赶紧")]
    [InlineData("晚了", "迟了")]
    [InlineData("桶装水", "矿泉水")]
    [InlineData("紧急通知", "【转】紧急通知")]
    public void Matches_a_lightly_edited_claim(string original, string replacement)
    {
        var edited = TapWater.Replace(original, replacement, StringComparison.Ordinal);
        Assert.NotEqual(TapWater, edited);

        Assert.Same(Rumors[0], Library.Match(TextNormalizer.Normalize(edited), out var distance));
        Assert.InRange(distance, 0, RumorLibrary.MaxDistance);
    }

    [Theory]
    [InlineData("表哥", "表姐", 5)]
    [InlineData("好几个", "很多", 6)]
    [InlineData("居民", "住户", 7)]
    public void An_edit_that_moves_the_whole_fingerprint_past_the_threshold_is_still_matched_through_its_other_sentences(
        string original, string replacement, int expectedDistance)
    {
        // SimHash is a sketch: one changed word in a 229-char claim can move the whole-text fingerprint 5 bits,
        // past the 3 the index guarantees. The sentences the edit did not touch still match exactly.
        var edited = TextNormalizer.Normalize(TapWater.Replace(original, replacement, StringComparison.Ordinal));

        Assert.Equal(expectedDistance, SimHash.Distance(SimHash.Compute(TextNormalizer.Normalize(TapWater)), SimHash.Compute(edited)));
        Assert.Same(Rumors[0], Library.Match(edited, out var distance));
        Assert.Equal(0, distance);
    }

    [Fact]
    public void A_post_quoting_one_sentence_of_a_claim_inside_other_text_matches()
    {
        const string post = "大家别信啊，我刚看到群里有人发：据内部人士透露，这个消息已经被官方压下来了，电视新闻不会报道。真是离谱";

        Assert.Same(Rumors[0], Library.Match(TextNormalizer.Normalize(post), out _));
    }

    [Fact]
    public void Does_not_match_unrelated_text()
    {
        const string unrelated = "本报讯，市图书馆新馆将于下个月正式对外开放，馆内设有少儿阅览区、自习室和多功能报告厅，市民可凭身份证免费办理借阅证。";

        Assert.Null(Library.Match(TextNormalizer.Normalize(unrelated), out var distance));
        Assert.Equal(-1, distance);
    }

    [Fact]
    public void Does_not_match_any_paragraph_of_the_benign_corpus()
    {
        var matched = File.ReadAllLines(SharedData.PathOf("benign/clue_corpus_small_sampled.txt"))
            .Count(line => Library.Match(TextNormalizer.Normalize(line), out _) is not null);

        Assert.Equal(0, matched);
    }

    [Fact]
    public void Never_matches_text_shorter_than_the_minimum_even_when_it_equals_a_claim()
    {
        Assert.True(Vinegar.Length < RumorLibrary.MinLength);
        Assert.Null(Library.Match(Vinegar, out _));
        Assert.Null(Library.Match("封城了", out _));
        Assert.Null(Library.Match("", out _));
    }

    [Fact]
    public void The_first_of_two_equally_near_rumors_wins()
    {
        var first = new Rumor("a", "A", Lockdown, "https://example.org/a");
        var second = new Rumor("b", "B", Lockdown, "https://example.org/b");
        var library = RumorLibrary.Build([first, second], TextNormalizer.Normalize);

        Assert.Same(first, library.Match(TextNormalizer.Normalize(Lockdown), out _));
    }

    [Fact]
    public void Applies_the_given_normalizer_to_claims()
    {
        var library = RumorLibrary.Build([Rumors[2]], claim => claim.Replace("封城", "封控", StringComparison.Ordinal));

        Assert.NotNull(library.Match(Lockdown.Replace("封城", "封控", StringComparison.Ordinal), out var distance));
        Assert.Equal(0, distance);
    }

    [Fact]
    public void The_empty_library_matches_nothing()
    {
        Assert.Null(RumorLibrary.Empty.Match(TextNormalizer.Normalize(Noodles), out var distance));
        Assert.Equal(-1, distance);
    }
}
