namespace Cluster.Screening.Classifiers;

/// <summary>
/// The shipped abuse classifier: <see cref="TextClassifier"/> trained on the COLD train split (25,726 posts;
/// bench/Quality "abuse-model" rebuilds it byte for byte) and embedded in this assembly. On the COLD test
/// split it reaches precision 0.72, recall 0.80, F1 0.76 at <see cref="Threshold"/>, chosen on dev.
/// </summary>
/// <remarks>
/// COLD is about attacks on groups (race, gender, region), and character n-grams react to topic words as
/// much as to stance: 59% of COLD's anti-bias posts score above the threshold. So a model hit is a review
/// signal (<see cref="Weight"/> 0.5 reaches the default review threshold and never the block one on its own).
/// </remarks>
public static class AbuseModel
{
    /// <summary>The best offensive-class F1 on COLD dev. It flags 3.9% of benign posts, so the silo's default
    /// (Screening:AbuseThreshold) is the stricter <see cref="SiloThreshold"/>.</summary>
    public const double Threshold = 0.485;

    /// <summary>COLD test precision 0.77, recall 0.64; 1.3% of benign CLUE/cmrc2018 posts flagged (bench/README.md).</summary>
    public const double SiloThreshold = 0.7;

    /// <summary>What a model hit contributes to the abuse score.</summary>
    public const double Weight = 0.5;

    /// <summary>Texts with fewer content chars than this are not scored: a few characters carry no stance.</summary>
    public const int MinContent = 6;

    public const string Source = "model:abuse-cold@1";

    private static readonly Lazy<TextClassifier> Shipped = new(() =>
    {
        using var stream = typeof(AbuseModel).Assembly.GetManifestResourceStream("Cluster.Screening.Classifiers.abuse-cold.bin")
            ?? throw new InvalidOperationException("The embedded abuse model is missing from Cluster.Screening.");
        return TextClassifier.Load(stream);
    });

    internal static TextClassifier Default => Shipped.Value;
}
