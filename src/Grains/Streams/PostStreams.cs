namespace Cluster.Grains.Streams;

/// <summary>
/// Names the silo configures and the grains subscribe by: the persistent stream provider, its namespace (one stream
/// per account, key "platform/account") and the grain storage that holds grain state beside the queues.
/// </summary>
public static class PostStreams
{
    /// <summary>The persistent stream provider (the SQLite queue adapter in the embedded silo).</summary>
    public const string Provider = "posts";

    /// <summary>The stream namespace AccountGrains subscribe to implicitly.</summary>
    public const string Namespace = "posts";

    /// <summary>The grain storage of AccountGrain and PlatformGrain state.</summary>
    public const string Storage = "grains";

    public static string Key(string platform, string account) => platform + "/" + account;
}
