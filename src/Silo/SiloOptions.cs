namespace Cluster.Silo;

/// <summary>The silo's own settings ("Silo" section).</summary>
public sealed class SiloOptions
{
    /// <summary>Where the embedded store and the admin token live (Silo:DataDir, env Silo__DataDir).</summary>
    public string DataDir { get; set; } = "./data";

    /// <summary>This silo's name in partition leases (Silo:Name); defaults to the host name.</summary>
    public string Name { get; set; } = Environment.MachineName;

    public string? Validate() =>
        string.IsNullOrWhiteSpace(DataDir) ? "Silo:DataDir must name a directory." :
        string.IsNullOrWhiteSpace(Name) ? "Silo:Name must not be empty." : null;
}
