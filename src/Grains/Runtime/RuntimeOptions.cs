namespace Cluster.Grains.Runtime;

/// <summary>Grain runtime settings, bound from the "Runtime" configuration section.</summary>
public sealed class RuntimeOptions
{
    /// <summary>P, fixed per deployment (Runtime:Partitions).</summary>
    public int Partitions { get; set; } = 128;

    /// <summary>Most inbox messages applied per flush (Runtime:MaxBatch).</summary>
    public int MaxBatch { get; set; } = 512;

    /// <summary>An activation unused this long is collected (Runtime:IdleTimeout).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often a partition host looks at its inbox without being signalled (Runtime:PollInterval).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Backoff after a failed flush before the host retries from its checkpoint (Runtime:RetryDelay).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    public string? Validate()
    {
        if (Partitions is < 1 or > 65536)
        {
            return "Runtime:Partitions must be between 1 and 65536.";
        }
        if (MaxBatch is < 1 or > 100_000)
        {
            return "Runtime:MaxBatch must be between 1 and 100000.";
        }
        if (IdleTimeout <= TimeSpan.Zero || PollInterval <= TimeSpan.Zero)
        {
            return "Runtime:IdleTimeout and Runtime:PollInterval must be positive.";
        }
        return null;
    }
}
