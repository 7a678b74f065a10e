using Cluster.Screening.Lexicon;

namespace Cluster.Silo.Lexicons;

/// <summary>
/// The lists a silo screens with before any upload: <see cref="StarterLexicon"/> and the default lexicon that
/// Screening:DefaultLexicon chooses (the shipped one, none, or an operator's file). Loaded once at start; a file
/// that cannot be read or has an invalid line stops the silo rather than screening with half a list.
/// </summary>
internal sealed class BuiltInLexicons
{
    /// <summary>Version of a default lexicon read from a file: it has none of its own, and uploads start at 1.</summary>
    public const long FileVersion = 0;

    public BuiltInLexicons(ScreeningOptions options)
    {
        var setting = options.DefaultLexicon;
        LexiconSource? source =
            setting.Equals(ScreeningOptions.NoDefaultLexicon, StringComparison.OrdinalIgnoreCase) ? null :
            setting.Equals(ScreeningOptions.BuiltInDefaultLexicon, StringComparison.OrdinalIgnoreCase) ? DefaultLexicon.Source :
            new LexiconSource(DefaultLexicon.Name, FileVersion, ReadFile(setting));
        Sources = source is null ? [StarterLexicon.Source] : [StarterLexicon.Source, source];
    }

    /// <summary>Starter first, then the default list; uploads are compiled after them.</summary>
    public IReadOnlyList<LexiconSource> Sources { get; }

    private static IReadOnlyList<LexiconEntry> ReadFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Invalid($"cannot read '{path}': {e.Message}");
        }
        var parsed = LexiconParser.Parse(text);
        if (parsed.Errors.Count > 0)
        {
            throw Invalid($"'{path}' has {parsed.Errors.Count} invalid lines, the first at {parsed.Errors[0]}");
        }
        return parsed.Entries.Count > 0 ? parsed.Entries : throw Invalid($"'{path}' has no entries (use none for no default lexicon)");
    }

    private static InvalidOperationException Invalid(string problem) =>
        new("Invalid configuration: Screening:DefaultLexicon: " + problem + ".");
}
