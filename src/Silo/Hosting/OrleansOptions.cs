using System.Net;

namespace Cluster.Silo.Hosting;

/// <summary>The Orleans silo's own settings ("Orleans" section).</summary>
public sealed class OrleansOptions
{
    /// <summary>Silo-to-silo port (Orleans:SiloPort); give each silo on one machine its own.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Client gateway port (Orleans:GatewayPort).</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>An activation idle this long is collected; its state is in storage (Orleans:IdleTimeout).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Stream queues of the "posts" provider (Orleans:Queues); part of the stored format, fixed per deployment.</summary>
    public int Queues { get; set; } = 128;

    /// <summary>
    /// Cluster mode: the cluster's id in the membership table (Orleans:ClusterId); silos with one id on one database
    /// form one cluster. In a Kubernetes pod Orleans' Kubernetes hosting takes it from ORLEANS_CLUSTER_ID instead.
    /// </summary>
    public string ClusterId { get; set; } = "screening";

    /// <summary>Cluster mode: the service id (Orleans:ServiceId); in a pod, ORLEANS_SERVICE_ID.</summary>
    public string ServiceId { get; set; } = "screening";

    /// <summary>
    /// Cluster mode outside Kubernetes: the IP address other silos reach this one at (Orleans:AdvertisedAddress).
    /// Empty: the host name's address, as Orleans picks it. In a pod Kubernetes hosting advertises the pod IP.
    /// </summary>
    public string AdvertisedAddress { get; set; } = "";

    public string? Validate() =>
        SiloPort is < 1 or > 65535 ? "Orleans:SiloPort must be a TCP port (1-65535)." :
        GatewayPort is < 1 or > 65535 ? "Orleans:GatewayPort must be a TCP port (1-65535)." :
        SiloPort == GatewayPort ? "Orleans:SiloPort and Orleans:GatewayPort must differ." :
        IdleTimeout <= TimeSpan.FromMinutes(1) ? "Orleans:IdleTimeout must be longer than 00:01:00 (Orleans collects activations once a minute)." :
        Queues is < 1 or > 4096 ? "Orleans:Queues must be between 1 and 4096." :
        string.IsNullOrWhiteSpace(ClusterId) ? "Orleans:ClusterId must not be empty." :
        string.IsNullOrWhiteSpace(ServiceId) ? "Orleans:ServiceId must not be empty." :
        AdvertisedAddress.Length > 0 && !IPAddress.TryParse(AdvertisedAddress, out _) ? "Orleans:AdvertisedAddress must be an IP address (or empty)." : null;
}
