namespace Cluster.Screening;

/// <summary>Stage-1 output for one text: findings plus per-category scores in [0, 1].</summary>
public sealed class ScreeningResult
{
    public static readonly ScreeningResult Empty = new([]);

    private readonly double[] _scores = new double[Categories.Count];

    public ScreeningResult(IReadOnlyList<Finding> findings)
    {
        Findings = findings;
        // A category's score is the sum of its hits' weights, capped at 1 (api-v1.md: a weight is the score a hit contributes).
        foreach (var f in findings)
        {
            _scores[(int)f.Category] = Math.Min(1.0, _scores[(int)f.Category] + f.Weight);
        }
    }

    public IReadOnlyList<Finding> Findings { get; }

    public double Score(Category category) => _scores[(int)category];
}
