namespace Cluster.Grains.Posts;

/// <summary>What the group commit did with one post.</summary>
public enum AppendKind : byte
{
    /// <summary>A post id not stored before: stored as version 1.</summary>
    New,

    /// <summary>The stored post's current content again: nothing is stored or screened.</summary>
    Duplicate,

    /// <summary>New content under a stored post id: stored as the next version and screened.</summary>
    Edited,
}
