namespace Cluster.Grains.Posts;

/// <summary>What the group commit did with one post: made it durable, or found (platform, id) already stored.</summary>
public enum AppendOutcome : byte
{
    Accepted,
    Duplicate,
}
