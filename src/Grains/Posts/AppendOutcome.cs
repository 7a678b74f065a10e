namespace Cluster.Grains.Posts;

/// <summary>
/// The outcome of one post in a group commit, the version it concerns (the version stored for new and edited posts,
/// the stored version it repeats for a duplicate) and the account the post is filed under (the first submitter's).
/// </summary>
public readonly record struct AppendOutcome(AppendKind Kind, int Version, string Account)
{
    /// <summary>Stored and on its way to be decided: a new post or a new version.</summary>
    public bool IsAccepted => Kind != AppendKind.Duplicate;
}
