using Cluster.Screening.Normalization;

namespace Cluster.Screening.Detectors;

/// <summary>
/// Contact handles used to divert traffic off the platform (引流): a cue for WeChat, QQ or Telegram followed by
/// an id. Runs on the match view, so junk inside the cue or the id (微*信, 1-2-3) is already gone and the
/// homophones and letter codes people use (薇信, 威信, V信, VX, 加V, 扣扣, 企鹅) are cues themselves. Chinese
/// numerals in an id (一二三, 幺 for 1) are read as digits.
/// </summary>
internal static class ContactHandleDetector
{
    public const string Source = "detector:contact-handle";
    public const double Weight = 0.5;

    private enum Network : byte
    {
        WeChat,
        QQ,
        Telegram,
    }

    // Longest cues first so 微信号 wins over 微信. Cues are in match-view form, where 扣扣 has collapsed to 扣.
    private static readonly (string Cue, Network Network)[] Cues =
    [
        ("微信号", Network.WeChat), ("微信", Network.WeChat), ("薇信", Network.WeChat), ("威信", Network.WeChat),
        ("徽信", Network.WeChat), ("维信", Network.WeChat), ("v信", Network.WeChat), ("vx", Network.WeChat),
        ("wx", Network.WeChat), ("weixin", Network.WeChat), ("wechat", Network.WeChat), ("加v", Network.WeChat),
        ("加微", Network.WeChat), ("加薇", Network.WeChat), ("扣", Network.QQ), ("企鹅号", Network.QQ),
        ("企鹅", Network.QQ), ("qq号", Network.QQ), ("qq", Network.QQ), ("飞机号", Network.Telegram),
        ("telegram", Network.Telegram), ("tg", Network.Telegram),
    ];

    private const int MaxGap = 4;

    /// <summary>The distinct first chars of <see cref="Cues"/>.</summary>
    private static readonly string FirstChars = string.Concat(Cues.Select(c => c.Cue[0]).Distinct());

    /// <summary>The cues starting with each of <see cref="FirstChars"/>, in their order in <see cref="Cues"/>: a
    /// candidate is compared with two or three cues, not all of them (加 and 维 are common words).</summary>
    private static readonly (string Cue, Network Network)[][] CuesByFirst =
        [.. FirstChars.Select(f => Cues.Where(c => c.Cue[0] == f).ToArray())];

    /// <summary>First chars of <see cref="Cues"/>.</summary>
    internal static readonly System.Buffers.SearchValues<char> CueStarts = System.Buffers.SearchValues.Create(FirstChars);

    public static void Scan(NormalizedText view, List<Finding> findings)
    {
        var chars = view.Chars;
        Span<char> id = stackalloc char[24];
        for (var i = 0; i < chars.Length; i++)
        {
            // Jump to the next char that can start a cue; most text has none.
            var next = chars[i..].IndexOfAny(CueStarts);
            if (next < 0)
            {
                return;
            }
            i += next;
            var network = default(Network);
            var cueLength = 0;
            foreach (var (cue, net) in CuesByFirst[FirstChars.IndexOf(chars[i], StringComparison.Ordinal)])
            {
                if (chars[i..].StartsWith(cue, StringComparison.Ordinal)
                    && !(char.IsAsciiLetter(cue[0]) && i > 0 && char.IsAsciiLetter(chars[i - 1])))
                {
                    network = net;
                    cueLength = cue.Length;
                    break;
                }
            }
            if (cueLength == 0)
            {
                continue;
            }

            // Skip a short gap of separators and filler (：, 号, 是, 搜), then read the id.
            var j = i + cueLength;
            var gapEnd = Math.Min(chars.Length, j + MaxGap);
            while (j < gapEnd && IsGap(chars[j]))
            {
                j++;
            }
            var idStart = j;
            var length = 0;
            while (j < chars.Length && length < id.Length && IsIdChar(chars[j]))
            {
                id[length++] = ChineseDigit(chars[j]) is var d and >= '0' ? d : chars[j];
                j++;
            }
            if (length == 0 || (j < chars.Length && IsIdChar(chars[j])) || !IsValidId(network, id[..length]))
            {
                continue;
            }
            ReadOnlySpan<char> head = id[..2];
            ReadOnlySpan<char> tail = id[(length - 2)..length];
            var masked = $"{Label(network)}:{head}{new string('*', length - 4)}{tail}";
            findings.Add(new Finding(Category.Contact, Weight, view.OriginalStart(i), view.OriginalEnd(idStart + length - 1), masked, Source));
            i = j - 1;
        }
    }

    private static bool IsValidId(Network network, ReadOnlySpan<char> id)
    {
        var allDigits = !id.ContainsAnyExceptInRange('0', '9');
        return network switch
        {
            // QQ numbers: 5–12 digits, never a leading 0.
            Network.QQ => allDigits && id.Length is >= 5 and <= 12 && id[0] != '0',
            // WeChat ids: 6–20 of [a-z0-9_-] starting with a letter; a phone number or QQ number also works as one.
            // A letters-only id must be 8+ long, so a cue followed by an ordinary word ("wx hello") is not a handle.
            Network.WeChat => (char.IsAsciiLetterLower(id[0]) && id.Length is >= 6 and <= 20 && (id.ContainsAnyInRange('0', '9') || id.Length >= 8))
                || (allDigits && id.Length is >= 6 and <= 12 && id[0] != '0'),
            _ => id.Length is >= 5 and <= 20 && char.IsAsciiLetterLower(id[0]),
        };
    }

    // Separators and the filler words between a cue and its id (微信号是: abc, 加v联系 abc); any other word
    // ends the search, so 扣款123456 is not QQ 123456.
    private static bool IsGap(char c) => !IsIdChar(c) && (!TextNormalizer.IsCjk(c) || "号是为联系加搜".Contains(c, StringComparison.Ordinal));

    private static bool IsIdChar(char c) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_' || ChineseDigit(c) >= '0';

    private static char ChineseDigit(char c)
    {
        var index = "零一二三四五六七八九".IndexOf(c, StringComparison.Ordinal);
        return index >= 0 ? (char)('0' + index) : c is '〇' ? '0' : c is '幺' ? '1' : '\0';
    }

    private static string Label(Network network) => network switch
    {
        Network.WeChat => "wechat",
        Network.QQ => "qq",
        _ => "telegram",
    };
}
