namespace Cluster.Screening.Detectors;

/// <summary>
/// Protected domains (banks, payment, government, the big platforms) and the test for a domain that imitates
/// one: the same owner label under character confusions (0/o, 1/l/i, rn/m, vv/w), one edit away, or the
/// protected name used as a sub-domain or hyphenated part of somebody else's domain (icbc.com.cn.xyz.top,
/// alipay-secure.com).
/// </summary>
internal static class LookAlikeDomains
{
    public static IReadOnlyList<string> Default { get; } =
    [
        "alipay.com", "taobao.com", "tmall.com", "jd.com", "qq.com", "weixin.qq.com", "wechat.com", "tenpay.com",
        "icbc.com.cn", "ccb.com", "boc.cn", "abchina.com", "bankcomm.com", "cmbchina.com", "psbc.com", "spdb.com.cn",
        "unionpay.com", "95516.com", "12306.cn", "chsi.com.cn", "12377.cn", "gov.cn", "baidu.com", "weibo.com",
        "douyin.com", "pinduoduo.com", "meituan.com", "10086.cn", "189.cn", "apple.com", "icloud.com", "paypal.com",
        "microsoft.com", "alibaba.com", "ctrip.com", "xiaohongshu.com", "bilibili.com", "zhihu.com", "163.com",
    ];

    private static readonly Dictionary<string, string> ByOwner = Default
        .GroupBy(DomainName.OwnerLabel)
        .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

    private static readonly Dictionary<string, string> BySkeleton = Default
        .Where(d => DomainName.OwnerLabel(d).Length >= 4)
        .GroupBy(d => Skeleton(DomainName.OwnerLabel(d)))
        .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

    /// <summary>The protected domain <paramref name="domain"/> imitates, or null when it is one or imitates none.</summary>
    public static string? Imitated(string domain)
    {
        if (ProtectedOrParent(domain) is not null)
        {
            return null;
        }
        var registrable = DomainName.Registrable(domain);
        var owner = DomainName.OwnerLabel(domain);

        // A protected name in the sub-domains or hyphen parts: icbc.com.cn.verify.top, alipay-secure.com.
        foreach (var part in domain[..^registrable.Length].Split('.', '-').Concat(owner.Split('-')))
        {
            if (part.Length >= 3 && ByOwner.TryGetValue(part, out var inside) && part != owner)
            {
                return inside;
            }
        }
        if (BySkeleton.TryGetValue(Skeleton(owner), out var confusable))
        {
            return confusable;
        }
        if (owner.Length >= 5)
        {
            foreach (var (protectedOwner, protectedDomain) in ByOwner)
            {
                if (protectedOwner.Length >= 5 && protectedOwner != owner && WithinOneEdit(owner, protectedOwner))
                {
                    return protectedDomain;
                }
            }
        }
        return null;
    }

    /// <summary>The protected domain that <paramref name="domain"/> is or lies under, else null.</summary>
    public static string? ProtectedOrParent(string domain) =>
        Default.FirstOrDefault(p => domain == p || domain.EndsWith("." + p, StringComparison.Ordinal));

    /// <summary>
    /// Whether the original spelling of a domain uses letters from another script (Cyrillic, Greek) that fold
    /// to ASCII. Full-width ASCII and the obfuscated dots (。点) do not count: they are not disguises of a letter.
    /// </summary>
    public static bool IsHomograph(ReadOnlySpan<char> original)
    {
        foreach (var c in original)
        {
            if (c > 0x7F && char.IsLetter(c) && c is not (>= '\uFF01' and <= '\uFF5E') && !Normalization.TextNormalizer.IsCjk(c))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Folds the confusions used in domain spoofing; both sides are folded, so only the fold must be consistent.</summary>
    internal static string Skeleton(string label) =>
        label.Replace("rn", "m", StringComparison.Ordinal).Replace("vv", "w", StringComparison.Ordinal)
            .Replace('0', 'o').Replace('1', 'l').Replace('i', 'l').Replace('5', 's').Replace("-", "", StringComparison.Ordinal);

    /// <summary>Optimal string alignment distance ≤ 1: one substitution, insertion, deletion or adjacent swap.</summary>
    internal static bool WithinOneEdit(string a, string b)
    {
        if (Math.Abs(a.Length - b.Length) > 1)
        {
            return false;
        }
        var i = 0;
        while (i < a.Length && i < b.Length && a[i] == b[i])
        {
            i++;
        }
        if (i == a.Length || i == b.Length)
        {
            return Math.Abs(a.Length - b.Length) <= 1;
        }
        if (a.Length == b.Length)
        {
            return a.AsSpan(i + 1).SequenceEqual(b.AsSpan(i + 1))
                || (i + 1 < a.Length && a[i] == b[i + 1] && a[i + 1] == b[i] && a.AsSpan(i + 2).SequenceEqual(b.AsSpan(i + 2)));
        }
        return a.Length > b.Length ? a.AsSpan(i + 1).SequenceEqual(b.AsSpan(i)) : a.AsSpan(i).SequenceEqual(b.AsSpan(i + 1));
    }
}
