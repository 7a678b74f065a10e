namespace Cluster.Screening;

/// <summary>How lexicon hits that overlap are reported.</summary>
public enum MatchMode
{
    /// <summary>Every term that occurs is a hit, nested and overlapping ones included (毒品 and 毒 both fire in 毒品).</summary>
    Overlapping,

    /// <summary>Leftmost-longest: scanning left to right, the longest term starting at a position wins and the
    /// terms it overlaps are dropped, the way a reader would segment the text.</summary>
    Longest,
}
