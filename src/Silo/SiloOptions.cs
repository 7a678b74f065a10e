namespace Cluster.Silo;

/// <summary>The silo's own settings ("Silo" section).</summary>
public sealed class SiloOptions
{
    /// <summary>Where the embedded store and the admin token live (Silo:DataDir, env Silo__DataDir).</summary>
    public string DataDir { get; set; } = "./data";

    /// <summary>This silo's name in partition leases (Silo:Name); defaults to the host name.</summary>
    public string Name { get; set; } = Environment.MachineName;

    /// <summary>
    /// How often the silo checks the store for policies, lexicons and rumors stored by another silo (Silo:AdminRefresh).
    /// In cluster mode a PostgreSQL notification wakes the check at once; this period bounds a change's reach when a
    /// notification is lost (a reconnection).
    /// </summary>
    public TimeSpan AdminRefresh { get; set; } = TimeSpan.FromSeconds(1);

    public string? Validate() =>
        string.IsNullOrWhiteSpace(DataDir) ? "Silo:DataDir must name a directory." :
        string.IsNullOrWhiteSpace(Name) ? "Silo:Name must not be empty." :
        AdminRefresh < TimeSpan.FromMilliseconds(50) || AdminRefresh > TimeSpan.FromMinutes(5)
            ? "Silo:AdminRefresh must be between 00:00:00.05 and 00:05:00." : null;
}
