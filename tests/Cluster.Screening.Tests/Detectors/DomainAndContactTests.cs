using Cluster.Screening.Detectors;
using Cluster.Screening.Lexicon;
using Cluster.Testing;

namespace Cluster.Screening.Tests.Detectors;

public sealed class DomainAndContactTests
{
    private static readonly Screener Blocklist = new(LexiconSnapshot.Build([new LexiconSource("urls", 4, LexiconParser.Parse(
        "evil.com\tphishing\t0.9\nbet365.vip\tgambling\t0.8\n!safe.evil.com\n").Entries)]));

    private static readonly Screener Plain = new(LexiconSnapshot.Empty);

    [Theory]
    [InlineData("打开 www.evil.com 领奖", "www.evil.com")]
    [InlineData("打开evil点com领奖", "evil点com")]
    [InlineData("打开 evil[.]com", "evil[.]com")]
    [InlineData("打开 evil(dot)com", "evil(dot)com")]
    [InlineData("打开 EVIL。COM", "EVIL。COM")]
    [InlineData("打开ｅｖｉｌ．ｃｏｍ", "ｅｖｉｌ．ｃｏｍ")]
    [InlineData("https://login.evil.com/path?q=1", "login.evil.com")]
    public void A_blocklisted_domain_is_found_through_obfuscated_dots(string text, string span)
    {
        var finding = Assert.Single(Blocklist.Screen(text).Findings);

        Assert.Equal((Category.Phishing, 0.9, "lexicon:urls@4"), (finding.Category, finding.Weight, finding.Source));
        Assert.Equal(span, text[finding.Start..finding.End]);
    }

    [Theory]
    [InlineData("see safe.evil.com")]        // an allow entry on a sub-domain wins
    [InlineData("see cdn.safe.evil.com")]    // ... and on the nearer parent of a deeper one
    [InlineData("notevil.com is fine")]       // a different registrable domain
    [InlineData("evil.company is fine")]      // "company" is not "com"
    [InlineData("版本 3.14 发布")]
    public void Allowed_and_unrelated_domains_are_not_blocked(string text)
    {
        Assert.Empty(Blocklist.Screen(text).Findings);
    }

    [Fact]
    public void Every_houbb_illegal_url_is_found_with_its_dots_written_as_点()
    {
        var lines = File.ReadAllLines(SharedData.PathOf("lexicons/houbb_illegal_urls.txt"))
            .Select(l => l.Trim().ToLowerInvariant())
            .Where(l => l.Length > 0)
            .ToArray();
        var screener = new Screener(LexiconSnapshot.Build([new LexiconSource("urls", 1, lines.Select(l => new LexiconEntry(l, Category.Illegal, 0.9, false)).ToList())]));
        var domains = lines.Where(l => screener.Lexicon.DomainCount > 0 && !l.Contains('/') && l.Contains('.')).Distinct().ToArray();

        var missed = domains.Where(d => !screener.Screen("快上 " + d.Replace(".", "点", StringComparison.Ordinal) + " 看看").Findings
            .Any(f => f.Category == Category.Illegal)).ToArray();

        // Entries whose TLD is not a known one stay substring terms and are not expected here.
        var unknownTld = domains.Count(d => !DomainName.IsTld(d.AsSpan(d.LastIndexOf('.') + 1)));
        Assert.True(domains.Length > 14_000, $"{domains.Length} domains");
        Assert.True(unknownTld == missed.Length, string.Join(", ", missed.Where(d => DomainName.IsTld(d.AsSpan(d.LastIndexOf('.') + 1))).Take(10)));
    }

    [Theory]
    [InlineData("登录 a1ipay.com 验证", "alipay.com")]          // 1 for l
    [InlineData("登录 taobao-login.cn", "taobao.com")]          // protected name as a hyphen part
    [InlineData("登录 icbc.com.cn.verify.top", "icbc.com.cn")]  // protected domain as sub-domains
    [InlineData("登录 alipayy.com", "alipay.com")]              // one edit
    [InlineData("登录 аlipay.com", "alipay.com")]               // Cyrillic а: a homograph
    [InlineData("登录 paypa1.com", "paypal.com")]
    public void Look_alikes_of_protected_domains_are_phishing(string text, string imitated)
    {
        var finding = Assert.Single(Plain.Screen(text).Findings);

        Assert.Equal((Category.Phishing, Screener.LookAlikeSource), (finding.Category, finding.Source));
        Assert.EndsWith("~ " + imitated, finding.Text);
    }

    [Theory]
    [InlineData("官网 www.alipay.com")]
    [InlineData("地图 map.baidu.com 和 jd.com")]
    [InlineData("全角 ａｌｉｐａｙ．ｃｏｍ")]
    [InlineData("github.com and example.org")]
    public void Protected_domains_themselves_and_unrelated_ones_are_not_look_alikes(string text)
    {
        Assert.Empty(Plain.Screen(text).Findings);
    }

    [Theory]
    [InlineData("邮箱 zhang.san@qq.com 联系", "zh***@qq.com")]
    [InlineData("邮箱 abc123(at)163点com", "ab***@163.com")]
    [InlineData("邮箱 ＡＢＣ＠ｇｍａｉｌ．ｃｏｍ", "ab***@gmail.com")]
    public void Emails_are_found_and_masked(string text, string masked)
    {
        var finding = Assert.Single(Plain.Screen(text).Findings);
        Assert.Equal((Category.Contact, "detector:email", masked), (finding.Category, finding.Source, finding.Text));
    }

    [Theory]
    [InlineData("加微信：abc12345 领资料", "wechat:ab****45", "微信：abc12345")]
    [InlineData("加V zhangsan88", "wechat:zh******88", "加V zhangsan88")]
    [InlineData("有事vx联系 wx8866aa", "wechat:wx****aa", "vx联系 wx8866aa")]
    [InlineData("薇*信 abcd1234", "wechat:ab****34", "薇*信 abcd1234")]
    [InlineData("扣扣：一二三四五六七八", "qq:12****78", "扣扣：一二三四五六七八")]
    [InlineData("QQ号 10001234", "qq:10****34", "QQ号 10001234")]
    [InlineData("飞机号 @dealer_01", "telegram:de****01", "飞机号 @dealer_01")]
    public void Contact_handles_with_their_disguises_are_found(string text, string masked, string span)
    {
        var finding = Assert.Single(Plain.Screen(text).Findings, f => f.Source == ContactHandleDetector.Source);
        Assert.Equal((Category.Contact, masked), (finding.Category, finding.Text));
        Assert.Equal(span, text[finding.Start..finding.End]);
    }

    [Theory]
    [InlineData("微信支付很方便")]
    [InlineData("我在听qq音乐")]
    [InlineData("我的微信是 hi")]
    [InlineData("这个tg数据不对")]
    [InlineData("扣扣：0123")]
    [InlineData("扣款123456元")]
    public void Cues_without_an_id_are_not_handles(string text)
    {
        Assert.DoesNotContain(Plain.Screen(text).Findings, f => f.Source == ContactHandleDetector.Source);
    }
}
