namespace Cluster.Screening.Lexicon;

/// <summary>
/// The lexicon a silo screens with besides <see cref="StarterLexicon"/> unless configured otherwise
/// (Screening:DefaultLexicon): the houbb and konsheng word lists with weights fitted to benign text, embedded
/// in this assembly as Lexicon/Default/default.lexicon. bench/Quality "default-lexicon" regenerates the file
/// and the README beside it says how its weights were chosen.
/// </summary>
public static class DefaultLexicon
{
    public const string Name = "default";

    /// <summary>Raise when the regenerated file differs, so findings tell the two lists apart.</summary>
    public const long Version = 1;

    internal const string ResourceName = "Cluster.Screening.Lexicon.Default.default.lexicon";

    // Parsed on first use only: a silo configured with another list (or none) never pays the 50k-line parse.
    private static readonly Lazy<LexiconSource> Shipped = new(() => new LexiconSource(Name, Version, Parse(ReadText())));

    public static LexiconSource Source => Shipped.Value;

    internal static string ReadText()
    {
        using var stream = typeof(DefaultLexicon).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException("The embedded default lexicon is missing from Cluster.Screening.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static IReadOnlyList<LexiconEntry> Parse(string text)
    {
        var parsed = LexiconParser.Parse(text);
        return parsed.Errors.Count == 0
            ? parsed.Entries
            : throw new InvalidOperationException($"The embedded default lexicon has invalid lines: {parsed.Errors[0]}");
    }
}
