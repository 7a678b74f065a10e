namespace Cluster.Screening;

/// <summary>Stage-1 output for one text: findings plus per-category scores in [0, 1].</summary>
public sealed class ScreeningResult
{
    public static readonly ScreeningResult Empty = new([]);

    private readonly double[] _scores = new double[Categories.Count];

    public ScreeningResult(IReadOnlyList<Finding> findings)
    {
        Findings = findings;
        foreach (var f in findings)
        {
            _scores[(int)f.Category] = Combine(_scores[(int)f.Category], f.Weight);
        }
    }

    public IReadOnlyList<Finding> Findings { get; }

    /// <summary>
    /// Adds one hit to a category score. A hit's weight is the score it contributes (api-v1.md); several hits
    /// combine as independent evidence, 1 − Π(1 − wᵢ) (noisy-OR): one hit scores exactly its weight, two 0.5
    /// hits score 0.75, and many weak hits approach 1 without a long benign article ever summing past it.
    /// </summary>
    public static double Combine(double score, double weight) => 1.0 - ((1.0 - score) * (1.0 - Math.Clamp(weight, 0.0, 1.0)));

    /// <summary>The known rumor this text repeats, whose debunk notice should travel with the decision.</summary>
    public NearDuplicates.Rumor? Rumor { get; init; }

    public double Score(Category category) => _scores[(int)category];
}
