namespace Cluster.Screening;

/// <summary>Stage-1 output for one text: findings plus per-category scores in [0, 1].</summary>
public sealed class ScreeningResult
{
    public static readonly ScreeningResult Empty = new([]);

    private readonly double[] _scores = new double[Categories.Count];

    public ScreeningResult(IReadOnlyList<Finding> findings)
    {
        Findings = findings;
        // A hit's weight is the score it contributes (api-v1.md); several hits in one category combine as
        // independent evidence, 1 − Π(1 − wᵢ) (noisy-OR). One hit scores exactly its weight, two 0.5 hits
        // score 0.75, and many weak hits approach 1 without a long benign article ever summing past it.
        Span<double> miss = stackalloc double[Categories.Count];
        miss.Fill(1.0);
        foreach (var f in findings)
        {
            miss[(int)f.Category] *= 1.0 - Math.Clamp(f.Weight, 0.0, 1.0);
        }
        for (var c = 0; c < Categories.Count; c++)
        {
            _scores[c] = 1.0 - miss[c];
        }
    }

    public IReadOnlyList<Finding> Findings { get; }

    /// <summary>The known rumor this text repeats, whose debunk notice should travel with the decision.</summary>
    public NearDuplicates.Rumor? Rumor { get; init; }

    public double Score(Category category) => _scores[(int)category];
}
