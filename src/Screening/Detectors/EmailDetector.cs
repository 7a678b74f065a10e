using Cluster.Screening.Normalization;

namespace Cluster.Screening.Detectors;

/// <summary>
/// E-mail addresses, including "(at)" / "[at]" for @ and the obfuscated dots of <see cref="DomainScanner"/>.
/// Evidence keeps the first two chars of the local part and the domain: ab***@qq.com.
/// </summary>
internal static class EmailDetector
{
    public const string Source = "detector:email";
    public const double Weight = 0.3;

    private static readonly string[] Ats = ["@", "(at)", "[at]", " at "];

    public static void Scan(NormalizedText text, List<DomainScanner.Candidate>? domains, List<Finding> findings)
    {
        if (domains is null)
        {
            return;
        }
        var chars = text.Chars;
        foreach (var domain in domains)
        {
            foreach (var at in Ats)
            {
                var atStart = domain.Start - at.Length;
                if (atStart <= 0 || !chars[atStart..domain.Start].SequenceEqual(at))
                {
                    continue;
                }
                var localStart = atStart;
                while (localStart > 0 && IsLocalChar(chars[localStart - 1]))
                {
                    localStart--;
                }
                if (localStart == atStart)
                {
                    continue;
                }
                var local = chars[localStart..atStart];
                var masked = string.Concat(local[..Math.Min(2, local.Length)], "***@", domain.Domain);
                findings.Add(new Finding(
                    Category.Contact, Weight, text.OriginalStart(localStart), text.OriginalEnd(domain.End - 1), masked, Source));
                break;
            }
        }
    }

    private static bool IsLocalChar(char c) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '_' or '-' or '+';
}
