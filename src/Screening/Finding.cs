namespace Cluster.Screening;

/// <summary>
/// One piece of evidence. <see cref="Start"/> and <see cref="End"/> (exclusive) are UTF-16 offsets into the
/// original submitted text. <see cref="Text"/> is the evidence excerpt, already masked when it is personal
/// information, so it is safe to store. <see cref="Source"/> names what produced the hit, e.g.
/// "lexicon:default@3" or "detector:id-number".
/// </summary>
public sealed record Finding(Category Category, double Weight, int Start, int End, string Text, string Source);
