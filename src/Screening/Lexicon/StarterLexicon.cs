namespace Cluster.Screening.Lexicon;

/// <summary>
/// A small built-in lexicon so a fresh silo screens something before an operator uploads real lists.
/// Terms are unambiguous in everyday Chinese; the allow entries show the override for the classic false
/// positive (大麻烦 is "big trouble", not cannabis). Uploaded lexicons add to it.
/// </summary>
public static class StarterLexicon
{
    private const string Text = """
        # term	category	weight
        刷单返利	fraud	0.8
        杀猪盘	fraud	0.8
        冒充公检法	fraud	0.9
        安全账户	fraud	0.6
        兼职刷单	fraud	0.8
        网络赌博	gambling	0.8
        网赌	gambling	0.8
        百家乐	gambling	0.6
        六合彩	gambling	0.6
        时时彩	gambling	0.6
        赌球	gambling	0.6
        裸聊	porn	0.9
        约炮	porn	0.8
        色情视频	porn	0.8
        援交	porn	0.8
        冰毒	drugs	0.9
        海洛因	drugs	0.9
        摇头丸	drugs	0.8
        大麻	drugs	0.6
        !大麻烦
        !大麻哈鱼
        仿真枪	weapons	0.8
        枪支弹药	weapons	0.9
        自制炸药	weapons	0.9
        代开发票	illegal	0.8
        办理假证	illegal	0.9
        代办假证	illegal	0.9
        贩卖个人信息	illegal	0.9
        洗钱	illegal	0.6
        傻逼	abuse	0.6
        脑残	abuse	0.4
        去死吧	abuse	0.5
        加微信	contact	0.3
        加我微信	contact	0.3
        免费领取	ads	0.3
        点击领取	ads	0.3
        钓鱼网站	phishing	0.5
        账号异常请点击	phishing	0.8
        核酸造假	rumor	0.5
        地震预言	rumor	0.5
        """;

    public static LexiconSource Source { get; } = new("starter", 1, LexiconParser.Parse(Text).Entries);
}
