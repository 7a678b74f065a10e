namespace Cluster.Screening.Detectors;

/// <summary>Domain-name helpers shared by the URL, e-mail and look-alike checks.</summary>
internal static class DomainName
{
    // Top-level domains common in Chinese spam and phishing plus the generic ones. A candidate must end in one
    // of them: "点com" only reads as a domain because "com" is a TLD.
    private static readonly HashSet<string> Tlds =
    [
        "com", "cn", "net", "org", "info", "biz", "cc", "top", "xyz", "vip", "club", "site", "online", "shop", "store",
        "me", "io", "tv", "co", "la", "ws", "in", "hk", "tw", "mo", "jp", "kr", "us", "uk", "ru", "de", "fr", "sg", "my",
        "ph", "vn", "th", "id", "app", "dev", "link", "live", "pro", "work", "win", "bet", "fun", "icu", "ltd", "tk",
        "ml", "ga", "cf", "gq", "pw", "ink", "red", "wang", "ren", "asia", "mobi", "name", "tech", "cloud", "gov", "edu",
    ];

    // Second-level labels under a country code that are themselves public suffixes (com.cn, gov.cn, co.uk).
    private static readonly HashSet<string> SecondLevel = ["com", "net", "org", "gov", "edu", "ac", "co"];

    public static bool IsTld(ReadOnlySpan<char> label) => Tlds.GetAlternateLookup<ReadOnlySpan<char>>().Contains(label);

    /// <summary>The registrable domain: example.com for a.b.example.com, example.com.cn for x.example.com.cn.</summary>
    public static string Registrable(string domain)
    {
        var labels = domain.Split('.');
        if (labels.Length <= 2)
        {
            return domain;
        }
        var keep = labels[^1].Length == 2 && SecondLevel.Contains(labels[^2]) ? 3 : 2;
        return string.Join('.', labels[^keep..]);
    }

    /// <summary>The label that names the owner: example in example.com.cn.</summary>
    public static string OwnerLabel(string domain) => Registrable(domain).Split('.')[0];
}
