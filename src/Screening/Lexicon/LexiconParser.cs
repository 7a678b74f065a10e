using System.Globalization;

namespace Cluster.Screening.Lexicon;

/// <summary>
/// Parses the lexicon format of api-v1.md: one entry a line, <c>term&lt;TAB&gt;category[&lt;TAB&gt;weight]</c>,
/// or <c>!term</c> for an allow-list entry. Blank lines and lines starting with <c>#</c> are skipped.
/// A bad line is reported and skipped; the rest of the file still parses.
/// </summary>
public static class LexiconParser
{
    /// <summary>Longest accepted term, in UTF-16 chars. Real terms are short; this bounds automaton depth.</summary>
    public const int MaxTermLength = 64;

    public static LexiconParseResult Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var entries = new List<LexiconEntry>();
        var errors = new List<string>();
        var lineNumber = 0;
        foreach (var rawLine in text.AsSpan().EnumerateLines())
        {
            lineNumber++;
            var line = rawLine;
            if (lineNumber == 1 && line.Length > 0 && line[0] == '\uFEFF')
            {
                line = line[1..];
            }
            if (line.IsWhiteSpace() || line.TrimStart()[0] == '#')
            {
                continue;
            }
            if (TryParseLine(line, out var entry, out var error))
            {
                entries.Add(entry);
            }
            else
            {
                errors.Add($"line {lineNumber}: {error}");
            }
        }
        return new LexiconParseResult(entries, errors);
    }

    private static bool TryParseLine(ReadOnlySpan<char> line, out LexiconEntry entry, out string error)
    {
        entry = null!;
        if (line[0] == '!')
        {
            // An allow entry overrides every category, so anything after a tab is ignored.
            var tab = line.IndexOf('\t');
            var allowTerm = (tab < 0 ? line[1..] : line[1..tab]).Trim();
            if (!CheckTerm(allowTerm, out error))
            {
                return false;
            }
            entry = new LexiconEntry(allowTerm.ToString(), default, 0, Allow: true);
            return true;
        }

        var firstTab = line.IndexOf('\t');
        if (firstTab < 0)
        {
            error = "expected term<TAB>category[<TAB>weight] or !term";
            return false;
        }
        var term = line[..firstTab].Trim();
        if (!CheckTerm(term, out error))
        {
            return false;
        }
        var rest = line[(firstTab + 1)..];
        var secondTab = rest.IndexOf('\t');
        var categoryText = (secondTab < 0 ? rest : rest[..secondTab]).Trim();
        if (!Categories.TryParse(categoryText.ToString(), out var category))
        {
            error = $"unknown category '{categoryText}'; expected one of {string.Join(", ", Categories.All.Select(Categories.Name))}";
            return false;
        }
        var weight = 1.0;
        if (secondTab >= 0)
        {
            var weightText = rest[(secondTab + 1)..].Trim();
            if (!double.TryParse(weightText, NumberStyles.Float, CultureInfo.InvariantCulture, out weight)
                || !(weight > 0 && weight <= 1))
            {
                error = $"weight '{weightText}' is not a number in (0, 1]";
                return false;
            }
        }
        entry = new LexiconEntry(term.ToString(), category, weight, Allow: false);
        return true;
    }

    private static bool CheckTerm(ReadOnlySpan<char> term, out string error)
    {
        if (term.IsEmpty)
        {
            error = "empty term";
            return false;
        }
        if (term.Length > MaxTermLength)
        {
            error = $"term longer than {MaxTermLength} characters";
            return false;
        }
        error = "";
        return true;
    }
}
