namespace Cluster.Grains.Posts;

/// <summary>
/// The outcome of one post in a group commit and the version it concerns: the version stored (new, edited) or the
/// stored version it repeats (duplicate).
/// </summary>
public readonly record struct AppendOutcome(AppendKind Kind, int Version)
{
    /// <summary>Stored and on its way to be decided: a new post or a new version.</summary>
    public bool IsAccepted => Kind != AppendKind.Duplicate;
}
