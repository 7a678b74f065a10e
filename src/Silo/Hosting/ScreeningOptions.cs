namespace Cluster.Silo;

/// <summary>Stage-1 settings ("Screening" section).</summary>
public sealed class ScreeningOptions
{
    /// <summary>How far back near-duplicate posts count towards a flood (Screening:FloodWindow).</summary>
    public TimeSpan FloodWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Near-duplicates within the window that make a post part of a flood (Screening:FloodThreshold); 0 turns detection off.</summary>
    public int FloodThreshold { get; set; } = 50;

    /// <summary>Recent fingerprints kept; memory is about 100 bytes each (Screening:FloodCapacity).</summary>
    public int FloodCapacity { get; set; } = 200_000;

    /// <summary>Whether the shipped abuse classifier adds review-level abuse findings (Screening:AbuseModel).</summary>
    public bool AbuseModel { get; set; } = true;

    /// <summary>Classifier score that flags a post (Screening:AbuseThreshold); bench/README.md has the trade-off.</summary>
    public double AbuseThreshold { get; set; } = Cluster.Screening.Classifiers.AbuseModel.SiloThreshold;

    /// <summary>
    /// Lexicon screened beside the starter list and uploads (Screening:DefaultLexicon): <c>builtin</c> for the
    /// shipped 65k-entry list, <c>none</c>, or the path of a file in the upload format.
    /// </summary>
    public string DefaultLexicon { get; set; } = BuiltInDefaultLexicon;

    public const string BuiltInDefaultLexicon = "builtin";

    public const string NoDefaultLexicon = "none";

    public string? Validate() =>
        string.IsNullOrWhiteSpace(DefaultLexicon) ? "Screening:DefaultLexicon must be builtin, none or the path of a lexicon file." :
        !IsKeyword(DefaultLexicon) && !File.Exists(DefaultLexicon)
            ? $"Screening:DefaultLexicon: no lexicon file at '{DefaultLexicon}' (expected builtin, none or the path of a lexicon file)." :
        FloodWindow <= TimeSpan.Zero ? "Screening:FloodWindow must be positive." :
        FloodThreshold < 0 ? "Screening:FloodThreshold must be 0 (off) or more." :
        FloodCapacity is < 1 or > 10_000_000 ? "Screening:FloodCapacity must be between 1 and 10000000." :
        AbuseThreshold is <= 0 or > 1 ? "Screening:AbuseThreshold must be in (0, 1]." : null;

    private static bool IsKeyword(string value) =>
        value.Equals(BuiltInDefaultLexicon, StringComparison.OrdinalIgnoreCase) || value.Equals(NoDefaultLexicon, StringComparison.OrdinalIgnoreCase);
}
